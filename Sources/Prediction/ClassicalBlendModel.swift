import Foundation
import LexgraphCore

/// Settings of `ClassicalBlendModel`; the defaults are what `lexgraph train --model
/// classical-blend` runs (fixed up front, not tuned on any test year).
public struct ClassicalBlendOptions: Sendable, Equatable, Codable {
    /// C of the tabular logistic regression and its one-hot minimum count (the SCDB
    /// logistic baseline's, chosen on the split_full dev years).
    public var tabularC = 1.0
    public var minimumCount = 30
    /// C of the TF-IDF logistic regression, its n-gram minimum document count and the
    /// solver's tolerance.
    public var textC = 10.0
    public var minDocumentFrequency = 2
    public var textTolerance = 1e-6
    /// C of the Platt fits (large: the two coefficients are barely regularised).
    public var plattC = 1e4
    /// The last this-many terms of the training cases are the inner calibration split.
    public var calibrationTerms = 4

    public init() {}

    enum CodingKeys: String, CodingKey {
        case tabularC = "tabular_c", minimumCount = "minimum_count", textC = "text_c", minDocumentFrequency = "min_df"
        case textTolerance = "text_tolerance", plattC = "platt_c", calibrationTerms = "calibration_terms"
    }

    public func validate() throws {
        guard tabularC > 0, textC > 0, plattC > 0, textTolerance > 0, minimumCount >= 1, minDocumentFrequency >= 1, calibrationTerms >= 1 else {
            throw PredictionError("classical-blend options must be positive (C, tolerance, min count, min_df, calibration terms)")
        }
    }
}

/// What the blend chose on its inner calibration split: the text weight w of the late
/// blend z = (1 - w)·z_tab + w·z_text of the two parts' log-odds, the Platt map
/// P = σ(a·z + b) of the blend and (a_tab, b_tab) of the tabular log-odds alone (cases
/// without facts text), and the decision threshold.
public struct BlendCalibration: Sendable, Equatable, Codable {
    public var weight: Double
    public var a: Double
    public var b: Double
    public var tabularA: Double
    public var tabularB: Double
    /// The threshold (0.30 ... 0.70) with the best calibration-split accuracy, ties to the
    /// one nearest 0.5: the model's `chosenThreshold`, which `eval` and `predict` apply
    /// (chosen on earlier terms of the fold's training cases, never on dev or test).
    public var threshold: Double
    public var firstCalibrationTerm: Int
    public var calibrationCases: Int

    enum CodingKeys: String, CodingKey {
        case weight, a, b, threshold
        case tabularA = "tabular_a", tabularB = "tabular_b", firstCalibrationTerm = "first_calibration_term"
        case calibrationCases = "calibration_cases"
    }
}

/// What the last `fit` trained and calibrated on, for the leakage tests.
public struct ClassicalBlendAudit: Sendable {
    /// The evaluator's cutoff (the fold's first dev/test reference date), nil outside it.
    public var cutoff: LegalDate?
    /// The fold's training examples (cases.jsonl), as given.
    public var trainingQueries: [PredictionQuery]
    /// The SCDB-only cases the final tabular part trained on.
    public var admitted: [SCDBOnlyCase]
    /// The calibration split: held-out training cases, and what the inner parts trained on.
    public var calibrationQueries: [PredictionQuery]
    public var innerQueries: [PredictionQuery]
    public var innerAdmitted: [SCDBOnlyCase]
}

/// The classical blend (issue 18's peer, made a run model): two logistic regressions fused
/// late and calibrated.
/// - Tabular part: `SCDBLogisticModel` (SCDB codes + historical win rates), trained on the
///   fold's labelled cases AND every SCDB case without Oyez text (`CaseDataset.scdbOnlyCases`,
///   8,597 SCDB rows in all) whose term is at most the last training term and whose
///   decision date precedes `trainingCutoff` (the fold's first dev or test reference date).
/// - Text part: `TfidfLogistic` (1-2 grams) on the facts of the training cases that have
///   facts text.
/// - Late blend and Platt scaling, chosen on an inner time split only: the training
///   cases of the last `calibrationTerms` terms are held out, both parts are refit on what
///   precedes them (SCDB-only rows by the same rule against the held-out cases' first
///   reference date), and on the held-out cases' log-odds the weight w (0, 0.05, ..., 1)
///   whose Platt fit has the lowest log loss is kept, with its (a, b); a second Platt fit
///   maps the tabular log-odds alone, for cases without facts text. The test fold never
///   enters a choice. Then both parts are refit on the whole fold.
/// `dev` is not used. Checked against scikit-learn by `tools/make_blend_fixture.py`.
public struct ClassicalBlendModel: RunnableOutcomeModel, FoldCutoffModel {
    public static let kind = "classical-blend"
    public let name: String
    public let options: ClassicalBlendOptions
    /// Historical rates: the dataset's past outcomes, counted as of each query.
    public let rates: HistoricalFeatures
    /// The records behind `rates` (saved with the model, so `predict` needs no dataset).
    public let pastOutcomes: [OutcomeRecord]
    /// SCDB cases without text that the tabular part may train on (by date).
    public let scdbOnlyCases: [SCDBOnlyCase]
    public var trainingCutoff: LegalDate?
    public internal(set) var tabular: SCDBLogisticModel
    public internal(set) var text: TfidfLogistic
    public internal(set) var calibration: BlendCalibration?
    public private(set) var audit: ClassicalBlendAudit?

    public var history: [EpochRecord] { [] }

    public var chosenThreshold: Double { calibration?.threshold ?? decisionThreshold }

    public init(pastOutcomes: [OutcomeRecord], scdbOnlyCases: [SCDBOnlyCase], options: ClassicalBlendOptions = ClassicalBlendOptions(),
                name: String = ClassicalBlendModel.kind) {
        self.name = name
        self.options = options
        self.pastOutcomes = pastOutcomes
        self.scdbOnlyCases = scdbOnlyCases
        rates = HistoricalFeatures(index: HistoricalOutcomeIndex(records: pastOutcomes))
        tabular = SCDBLogisticModel(history: rates, c: options.tabularC, minimumCount: options.minimumCount)
        text = TfidfLogistic(c: options.textC, minDocumentFrequency: options.minDocumentFrequency, tolerance: options.textTolerance)
    }

    /// The model over a loaded dataset's past outcomes and SCDB-only cases.
    public init(dataset: CaseDataset, options: ClassicalBlendOptions = ClassicalBlendOptions(), name: String = ClassicalBlendModel.kind) {
        self.init(pastOutcomes: dataset.pastOutcomes, scdbOnlyCases: dataset.scdbOnlyCases, options: options, name: name)
    }

    /// The inner split's weights and thresholds, in the order they are tried.
    static let weights = (0...20).map { Double($0) / 20 }
    static let thresholds = (30...70).map { Double($0) / 100 }

    public mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
        try options.validate()
        guard !train.isEmpty else { throw PredictionError("\(name): no training cases") }
        let terms = Set(train.map(\.query.input.term)).sorted()
        guard terms.count > options.calibrationTerms else {
            throw PredictionError("\(name): the training cases span \(terms.count) terms; calibration holds out the last "
                                  + "\(options.calibrationTerms) and needs at least one earlier term")
        }
        let firstCalibrationTerm = terms[terms.count - options.calibrationTerms]
        let inner = train.filter { $0.query.input.term < firstCalibrationTerm }
        let held = train.filter { $0.query.input.term >= firstCalibrationTerm }
        let heldCutoff = held.map(\.query.asOf).min()!
        let innerParts = try fitParts(inner, cutoff: min(heldCutoff, trainingCutoff ?? heldCutoff))
        let y = held.map(\.label)
        let zt = held.map { innerParts.tabular.logit($0.query) }
        let withText = held.indices.filter { !held[$0].query.input.facts.isEmpty }
        let zx = innerParts.text.logits(withText.map { held[$0].query.input.facts })
        let yText = withText.map { y[$0] }
        let ztText = withText.map { zt[$0] }

        var best: (loss: Double, weight: Double, a: Double, b: Double)?
        if !withText.isEmpty {
            for w in Self.weights {
                let z = zip(ztText, zx).map { (1 - w) * $0 + w * $1 }
                let (a, b) = try Self.platt(z, yText, c: options.plattC)
                let loss = Self.logLoss(z.map { Self.sigmoid(a * $0 + b) }, yText)
                if best == nil || loss < best!.loss - 1e-12 { best = (loss, w, a, b) }
            }
        }
        let (tabularA, tabularB) = try Self.platt(zt, y, c: options.plattC)
        let chosen = best ?? (0, 0, tabularA, tabularB)
        let calibrated = held.indices.map { i -> Double in
            if let k = withText.firstIndex(of: i) {
                return Self.sigmoid(chosen.a * ((1 - chosen.weight) * zt[i] + chosen.weight * zx[k]) + chosen.b)
            }
            return Self.sigmoid(tabularA * zt[i] + tabularB)
        }
        var threshold = 0.5, bestCorrect = -1
        for t in Self.thresholds {
            let correct = zip(calibrated, y).filter { ($0 >= t) == $1 }.count
            if correct > bestCorrect || (correct == bestCorrect && abs(t - 0.5) < abs(threshold - 0.5)) {
                threshold = t
                bestCorrect = correct
            }
        }
        let final = try fitParts(train, cutoff: trainingCutoff)
        tabular = final.tabular
        text = final.text
        calibration = BlendCalibration(weight: chosen.weight, a: chosen.a, b: chosen.b, tabularA: tabularA, tabularB: tabularB,
                                       threshold: threshold, firstCalibrationTerm: firstCalibrationTerm, calibrationCases: held.count)
        audit = ClassicalBlendAudit(cutoff: trainingCutoff, trainingQueries: train.map(\.query), admitted: final.admitted,
                                    calibrationQueries: held.map(\.query), innerQueries: inner.map(\.query), innerAdmitted: innerParts.admitted)
    }

    /// Both parts fit on `examples` (labelled cases) and, for the tabular one, the SCDB-only
    /// cases of their terms decided before `cutoff`.
    func fitParts(_ examples: [TrainingExample], cutoff: LegalDate?) throws
        -> (tabular: SCDBLogisticModel, text: TfidfLogistic, admitted: [SCDBOnlyCase]) {
        let lastTerm = examples.map(\.query.input.term).max() ?? Int.min
        let admitted = scdbOnlyCases.filter { c in c.input.term <= lastTerm && cutoff.map { c.decisionDate < $0 } ?? true }
        var tabular = SCDBLogisticModel(history: rates, c: options.tabularC, minimumCount: options.minimumCount)
        try tabular.fit(train: examples + admitted.map(\.example), dev: [])
        let texts = examples.filter { !$0.query.input.facts.isEmpty }
        var text = TfidfLogistic(c: options.textC, minDocumentFrequency: options.minDocumentFrequency, tolerance: options.textTolerance)
        try text.fit(texts: texts.map(\.query.input.facts), labels: texts.map(\.label))
        return (tabular, text, admitted)
    }

    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        let calibration = try requireFitted()
        let withText = queries.indices.filter { !queries[$0].input.facts.isEmpty }
        var textLogit = [Int: Double]()
        for (i, z) in zip(withText, text.logits(withText.map { queries[$0].input.facts })) { textLogit[i] = z }
        return queries.indices.map { i in
            Self.probability(tabular: tabular.logit(queries[i]), text: textLogit[i], calibration)
        }
    }

    /// P from the two parts' log-odds (`text` nil: the case has no facts text).
    static func probability(tabular zt: Double, text zx: Double?, _ c: BlendCalibration) -> Double {
        guard let zx else { return sigmoid(c.tabularA * zt + c.tabularB) }
        return sigmoid(c.a * ((1 - c.weight) * zt + c.weight * zx) + c.b)
    }

    /// Occlusion through the blend: for each tabular feature of the case, P minus P with
    /// that entry removed (a one-hot code absent, a historical rate at its training mean);
    /// for each n-gram of the facts, P minus P without that n-gram's TF-IDF entry (the
    /// row not renormalised, so the effect is the term's own share of the text logit).
    public func explain(_ query: PredictionQuery, top: Int) throws -> [Contribution] {
        let calibration = try requireFitted()
        let row = tabular.encoder.encode(query)
        let zt = tabular.logit(row)
        let hasText = !query.input.facts.isEmpty
        let zx = hasText ? text.logits([query.input.facts])[0] : nil
        let p = Self.probability(tabular: zt, text: zx, calibration)
        let names = tabular.encoder.featureNames
        let w = tabular.regression.weights
        var contributions: [Contribution] = []
        for (j, v) in zip(row.indices, row.values) where j < names.count && j < w.count {
            let without = Self.probability(tabular: zt - v * w[j], text: zx, calibration)
            contributions.append(Contribution(source: .caseFeature, text: "\(names[j]) = \(String(format: "%.3f", v))", effect: p - without))
        }
        if let zx {
            for (term, share) in text.termContributions(query.input.facts) {
                let without = Self.probability(tabular: zt, text: zx - share, calibration)
                contributions.append(Contribution(source: .text, text: "\"\(term)\" in the facts", effect: p - without))
            }
        }
        contributions.sort { abs($0.effect) > abs($1.effect) }
        return Array(contributions.prefix(max(0, top)))
    }

    // MARK: Helpers

    /// Platt scaling: P = σ(a·z + b) fit by (nearly unregularised) logistic regression.
    static func platt(_ z: [Double], _ y: [Bool], c: Double) throws -> (Double, Double) {
        var regression = LogisticRegression(c: c)
        try regression.fit(rows: z.map { SparseVector(indices: [0], values: [$0]) }, labels: y, featureCount: 1)
        return (regression.weights[0], regression.intercept)
    }

    static func sigmoid(_ z: Double) -> Double { LogisticRegression.sigmoid(z) }

    static func logLoss(_ p: [Double], _ y: [Bool]) -> Double {
        let total = zip(p, y).reduce(0.0) { sum, pair in
            let q = min(max(pair.0, 1e-15), 1 - 1e-15)
            return sum - (pair.1 ? log(q) : log(1 - q))
        }
        return total / Double(max(1, p.count))
    }

    func requireFitted() throws -> BlendCalibration {
        guard let calibration, text.isFitted else { throw PredictionError("\(name): the model is not fitted") }
        return calibration
    }
}
