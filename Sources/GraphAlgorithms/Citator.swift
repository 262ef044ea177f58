import GraphStore
import LexgraphCore

/// How good a case is as law on a date, worst first.
public enum CitatorLevel: String, Sendable, CaseIterable {
    /// An OVERRULES edge, or a CITES edge treated `overruled`, points at the case.
    case overruled
    /// A citing case questioned, criticised, limited or distinguished it.
    case negativeTreatment = "negative treatment"
    /// Its out-citations reach, within the hop limit, an authority that is overruled.
    case reliesOnOverruledAuthority = "relies on overruled authority"
    case goodLaw = "good law"
}

/// One edge from a later authority into the case: who, how, when.
public struct CitingTreatment: Sendable, Hashable, CustomStringConvertible {
    public var citingKey: String
    public var edgeType: String
    public var treatment: String?
    public var date: LegalDate?

    public init(citingKey: String, edgeType: String, treatment: String? = nil, date: LegalDate? = nil) {
        self.citingKey = citingKey
        self.edgeType = edgeType
        self.treatment = treatment
        self.date = date
    }

    public var description: String {
        let how = treatment.map { "\(edgeType) \($0)" } ?? edgeType
        return "\(citingKey) (\(how)\(date.map { ", \($0)" } ?? ""))"
    }
}

/// An overruled authority the case relies on, with the citation path that reaches it.
public struct OverruledReliance: Sendable {
    public var authority: String
    /// Citation hops from the case (1: cites it directly).
    public var distance: Int
    public var path: [PathStep]
    public var overruledBy: [CitingTreatment]
}

/// The citator status of one case on one date, with the evidence for it.
public struct CitatorStatus: Sendable {
    public var key: String
    public var asOf: LegalDate
    public var hops: Int
    public var level: CitatorLevel
    public var overruledBy: [CitingTreatment]
    /// CITES edges into the case with a negative treatment (see `CitatorVocabulary`).
    public var negativeTreatments: [CitingTreatment]
    /// All CITES edges into the case valid on the date, by treatment (`(none)` for
    /// citations without one).
    public var treatmentCounts: [String: Int]
    public var citingCount: Int
    public var reliances: [OverruledReliance]
    /// How far the graph's CITES and OVERRULES data reaches (nil when not looked up: a
    /// status computed on a bare snapshot). See `GraphStore.citatorStatus(of:asOf:hops:)`.
    public var horizon: DataHorizon?

    /// What the answer cannot claim: the date lies past the data, or "overruled" rests
    /// on a source that does not say in whole or in part.
    public var caveats: [String] {
        var notes: [String] = []
        if let warning = horizon?.warning(asOf: asOf) { notes.append(warning) }
        let overrulings = overruledBy + reliances.flatMap(\.overruledBy)
        if overrulings.contains(where: { $0.edgeType == CitatorVocabulary.overrules }) {
            notes.append("note: " + CitatorVocabulary.overrulingScopeNote)
        }
        return notes
    }

    /// Lines that explain `level`, most important first.
    public var explanation: [String] {
        switch level {
        case .overruled:
            return overruledBy.map { "overruled by \($0)" }
        case .negativeTreatment:
            return negativeTreatments.map { "\($0.treatment ?? "treated") by \($0.citingKey)\($0.date.map { " on \($0)" } ?? "")" }
        case .reliesOnOverruledAuthority:
            return reliances.map { reliance in
                let chain = ([key] + reliance.path.map(\.description)).joined(separator: " ")
                return "relies on \(reliance.authority), overruled by \(reliance.overruledBy.map(\.description).joined(separator: "; ")): \(chain)"
            }
        case .goodLaw:
            return ["not overruled, no negative treatment, no overruled authority within \(hops) citation hop\(hops == 1 ? "" : "s") as of \(asOf)"]
        }
    }
}

extension GraphSnapshot {
    /// The good-law status of `key` as of `date`, from the edges valid on that date:
    /// overruled, else negatively treated, else relying (through out-CITES paths of at
    /// most `hops` hops that are not themselves negative treatment) on an authority
    /// overruled by then, else good law.
    public func citatorStatus(of key: String, asOf date: LegalDate, hops: Int = 1) throws -> CitatorStatus {
        guard hops >= 0 else { throw GraphAlgorithmsError(message: "citator hops must be 0 or more, not \(hops)") }
        let window = TimeWindow(asOf: date)
        let node = try requireNode(key)
        guard isValid(node: node, in: window) else {
            let from = validFrom(ofNode: Int(node)).map { " (decided \($0))" } ?? ""
            throw GraphAlgorithmsError(message: "'\(key)' is not in the graph as of \(date)\(from)")
        }

        let overruledBy = overrulingEdges(of: node, in: window).map(citingTreatment)
        let negative = Set(CitatorVocabulary.negativeTreatments)
        var counts: [String: Int] = [:], negatives: [CitingTreatment] = [], citing = 0
        let cites = edgeTypeNames.firstIndex(of: CitatorVocabulary.cites).map(Int32.init) ?? -1
        for slot in incoming.slots(of: node) where incoming.type[slot] == cites
            && window.contains(from: incoming.from[slot], to: incoming.to[slot]) {
            let edge = incoming.edge[slot]
            citing += 1
            let how = self.treatment(ofEdge: edge)
            counts[how ?? "(none)", default: 0] += 1
            if let how, negative.contains(how) { negatives.append(citingTreatment(edge)) }
        }

        let reliances = hops == 0 ? [] : overruledAuthorities(reachedFrom: node, hops: hops, window: window)
        let level: CitatorLevel = !overruledBy.isEmpty ? .overruled
            : !negatives.isEmpty ? .negativeTreatment
            : !reliances.isEmpty ? .reliesOnOverruledAuthority : .goodLaw
        return CitatorStatus(key: key, asOf: date, hops: hops, level: level, overruledBy: overruledBy,
                             negativeTreatments: negatives, treatmentCounts: counts, citingCount: citing, reliances: reliances)
    }

    private func citingTreatment(_ edge: Int32) -> CitingTreatment {
        CitingTreatment(citingKey: keys[Int(edgeSource[Int(edge)])], edgeType: edgeTypeNames[Int(edgeType[Int(edge)])],
                        treatment: treatment(ofEdge: edge), date: DayNumber.date(edgeFrom[Int(edge)]))
    }

    /// Overruled authorities within `hops` reliance citations of `node`, nearest first.
    private func overruledAuthorities(reachedFrom node: Int32, hops: Int, window: TimeWindow) -> [OverruledReliance] {
        var rule = TraversalRule(window: window, edgeTypes: edgeTypeNames.map { $0 == CitatorVocabulary.cites },
                                 direction: .out, skipOverruled: false)
        let blocked = Set(CitatorVocabulary.nonRelianceTreatments)
        rule.blockedTreatments = treatmentNames.map { blocked.contains($0) }
        rule.ignoreEdgesOfOverruler = true
        let reach = breadthFirst(from: [node], depth: hops, rule)
        var found: [OverruledReliance] = []
        for authority in reach.order.dropFirst() {
            let overruling = overrulingEdges(of: authority, in: window)
            guard !overruling.isEmpty else { continue }
            found.append(OverruledReliance(authority: keys[Int(authority)], distance: Int(reach.distance[Int(authority)]),
                                           path: path(to: authority, in: reach).steps, overruledBy: overruling.map(citingTreatment)))
        }
        return found.sorted { ($0.distance, $0.authority) < ($1.distance, $1.authority) }
    }
}
