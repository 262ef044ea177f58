import LexgraphCore

/// The SCDB categorical fields the time-safe logistic regression one-hot encodes. All are
/// known before the decision; `issue`, `issueArea`, `lawType` and `lawSupp` are coded from
/// the opinion (allowed by the data rules, and said so wherever results are reported).
public enum CategoricalField: String, CaseIterable, Sendable {
    case issueArea, issue, petitioner, respondent, lcDisposition, certReason, lawType, lawSupp
    case caseSource, caseOrigin, lcDispositionDirection, jurisdiction, lcDisagreement
    case adminAction, threeJudgeFdc

    public func value(in input: CaseInput) -> Int? {
        switch self {
        case .issueArea: return input.scdbIssueArea
        case .issue: return input.scdbIssue
        case .petitioner: return input.scdbPetitioner
        case .respondent: return input.scdbRespondent
        case .lcDisposition: return input.scdbLCDisposition
        case .certReason: return input.scdbCertReason
        case .lawType: return input.scdbLawType
        case .lawSupp: return input.scdbLawSupp
        case .caseSource: return input.scdb?.caseSource
        case .caseOrigin: return input.scdb?.caseOrigin
        case .lcDispositionDirection: return input.scdb?.lcDispositionDirection
        case .jurisdiction: return input.scdb?.jurisdiction
        case .lcDisagreement: return input.scdb?.lcDisagreement
        case .adminAction: return input.scdb?.adminAction
        case .threeJudgeFdc: return input.scdb?.threeJudgeFdc
        }
    }
}

/// Historical win-rate features of a case: for each `HistoricalKey` the Beta-smoothed past
/// petitioner win rate of cases sharing the case's value, plus the overall past rate, all
/// counted only over outcomes known strictly before the query's `asOf` date.
public struct HistoricalFeatures: Sendable {
    public let index: HistoricalOutcomeIndex
    /// Pseudo-cases of the Beta prior centred on the overall past rate.
    public var priorStrength: Double

    public init(index: HistoricalOutcomeIndex, priorStrength: Double = 10) {
        self.index = index
        self.priorStrength = priorStrength
    }

    public static let names: [String] = ["past_rate_overall"] + HistoricalKey.allCases.map { "past_rate_\($0.rawValue)" }

    public func values(for query: PredictionQuery) -> [Double] {
        let counts = index.counts(for: query.input.historicalAttributes, asOf: query.asOf)
        return [counts.overallRate] + HistoricalKey.allCases.map { counts.rate($0, priorStrength: priorStrength) }
    }
}

/// Turns a query into the logistic regression's feature vector: one indicator per
/// categorical value seen at least `minimumCount` times in training (rarer and unseen
/// values, and missing fields, get no indicator), an "argued" indicator (an argument date is
/// known), and the historical rates standardised with the training mean and deviation.
/// Fit on training queries only.
public struct SCDBFeatureEncoder: Sendable {
    public let history: HistoricalFeatures
    public var minimumCount: Int
    public private(set) var featureNames: [String] = []
    private var columns: [CategoricalField: [Int: Int]] = [:]
    private var arguedColumn = 0
    private var denseStart = 0
    private var denseMean: [Double] = []
    private var denseScale: [Double] = []

    public init(history: HistoricalFeatures, minimumCount: Int = 3) {
        self.history = history
        self.minimumCount = minimumCount
    }

    public var featureCount: Int { featureNames.count }

    public mutating func fit(_ queries: [PredictionQuery]) {
        var names: [String] = []
        columns = [:]
        for field in CategoricalField.allCases {
            var counts: [Int: Int] = [:]
            for q in queries { if let v = field.value(in: q.input) { counts[v, default: 0] += 1 } }
            var map: [Int: Int] = [:]
            for value in counts.keys.sorted() where counts[value, default: 0] >= minimumCount {
                map[value] = names.count
                names.append("\(field.rawValue)=\(value)")
            }
            columns[field] = map
        }
        arguedColumn = names.count
        names.append("argued")
        denseStart = names.count
        names += HistoricalFeatures.names
        let dense = queries.map { history.values(for: $0) }
        let k = HistoricalFeatures.names.count
        denseMean = (0..<k).map { j in dense.isEmpty ? 0 : dense.reduce(0) { $0 + $1[j] } / Double(dense.count) }
        denseScale = (0..<k).map { j in
            guard dense.count > 1 else { return 1 }
            let variance = dense.reduce(0) { $0 + ($1[j] - denseMean[j]) * ($1[j] - denseMean[j]) } / Double(dense.count)
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        featureNames = names
    }

    /// The feature vector of a query; before `fit` it is empty (no vocabulary yet).
    public func encode(_ query: PredictionQuery) -> SparseVector {
        var row = SparseVector()
        for field in CategoricalField.allCases {
            if let v = field.value(in: query.input), let column = columns[field]?[v] { row.append(column, 1) }
        }
        if query.input.scdb?.dateArgument != nil { row.append(arguedColumn, 1) }
        guard denseMean.count == HistoricalFeatures.names.count else { return row }  // not fit yet
        for (j, v) in history.values(for: query).enumerated() {
            row.append(denseStart + j, (v - denseMean[j]) / denseScale[j])
        }
        return row
    }
}

extension SCDBFeatureEncoder {
    /// What a saved run keeps of a fitted encoder: the indicator columns, the "argued"
    /// column and the historical rates' standardisation (the rates themselves are
    /// recomputed from the saved past outcomes as of each query).
    public struct Saved: Codable, Sendable {
        var minimumCount: Int
        var featureNames: [String]
        /// Per categorical field (`CategoricalField.rawValue`): [value, column] pairs.
        var columns: [String: [[Int]]]
        var arguedColumn: Int
        var denseStart: Int
        var denseMean: [Double]
        var denseScale: [Double]

        enum CodingKeys: String, CodingKey {
            case columns
            case minimumCount = "minimum_count", featureNames = "feature_names", arguedColumn = "argued_column"
            case denseStart = "dense_start", denseMean = "dense_mean", denseScale = "dense_scale"
        }
    }

    public var saved: Saved {
        Saved(minimumCount: minimumCount, featureNames: featureNames,
              columns: Dictionary(uniqueKeysWithValues: columns.map { field, map in (field.rawValue, map.keys.sorted().map { [$0, map[$0]!] }) }),
              arguedColumn: arguedColumn, denseStart: denseStart, denseMean: denseMean, denseScale: denseScale)
    }

    /// A fitted encoder restored from `saved`, computing historical rates with `history`;
    /// an inconsistent record is an error naming `path`.
    public init(history: HistoricalFeatures, saved: Saved, path: String) throws {
        self.init(history: history, minimumCount: saved.minimumCount)
        let k = HistoricalFeatures.names.count
        let p = saved.featureNames.count
        guard saved.denseMean.count == k, saved.denseScale.count == k, saved.denseStart + k == p,
              (0..<p).contains(saved.arguedColumn), (saved.denseMean + saved.denseScale).allSatisfy(\.isFinite),
              saved.denseScale.allSatisfy({ $0 > 0 }) else {
            throw PredictionError("the saved SCDB feature encoder is inconsistent (\(p) features, \(saved.denseMean.count) rate means)", file: path, line: 1)
        }
        var columns: [CategoricalField: [Int: Int]] = [:]
        for (name, pairs) in saved.columns {
            guard let field = CategoricalField(rawValue: name) else {
                throw PredictionError("unknown SCDB field '\(name)' in the saved encoder", file: path, line: 1)
            }
            var map: [Int: Int] = [:]
            for pair in pairs {
                guard pair.count == 2, (0..<saved.arguedColumn).contains(pair[1]) else {
                    throw PredictionError("SCDB field '\(name)': a column entry must be [value, column] below \(saved.arguedColumn)", file: path, line: 1)
                }
                map[pair[0]] = pair[1]
            }
            columns[field] = map
        }
        self.columns = columns
        featureNames = saved.featureNames
        arguedColumn = saved.arguedColumn
        denseStart = saved.denseStart
        denseMean = saved.denseMean
        denseScale = saved.denseScale
    }
}
