import Grounding
import LexgraphCore

/// The attributes by which past outcomes are grouped into historical win rates.
public enum HistoricalKey: String, CaseIterable, Sendable, Hashable {
    case caseSource, issue, issueArea, petitioner, respondent, naturalCourt
}

/// One case's values for the `HistoricalKey`s (nil where unknown).
public struct HistoricalAttributes: Sendable, Hashable {
    public var values: [HistoricalKey: Int]

    public init(caseSource: Int?, issue: Int?, issueArea: Int?, petitioner: Int?, respondent: Int?, naturalCourt: Int?) {
        var v: [HistoricalKey: Int] = [:]
        v[.caseSource] = caseSource
        v[.issue] = issue
        v[.issueArea] = issueArea
        v[.petitioner] = petitioner
        v[.respondent] = respondent
        v[.naturalCourt] = naturalCourt
        values = v
    }

    public subscript(key: HistoricalKey) -> Int? { values[key] }
}

/// A decided case as past signal: its attributes, the first day its outcome counts as
/// known, and whether the petitioner (first party) won.
public struct OutcomeRecord: Sendable, Hashable {
    public var attributes: HistoricalAttributes
    public var knownFrom: LegalDate
    public var petitionerWon: Bool

    public init(attributes: HistoricalAttributes, knownFrom: LegalDate, petitionerWon: Bool) {
        self.attributes = attributes
        self.knownFrom = knownFrom
        self.petitionerWon = petitionerWon
    }
}

/// The past outcomes relevant to one case as of its reference date: the overall count and
/// one count per attribute value the case has.
public struct HistoricalCounts: Sendable, Hashable {
    public var overall: Tally
    public var byKey: [HistoricalKey: Tally]

    /// Laplace-smoothed overall past petitioner win rate ((w + 1) / (n + 2)).
    public var overallRate: Double { overall.smoothedRate(prior: 0.5, strength: 2) }

    /// The Beta-smoothed past win rate for one attribute: (w + m p0) / (n + m), where p0 is
    /// the overall past rate and m the prior strength (pseudo-cases). With no past case for
    /// the attribute (or the attribute unknown) it is p0 itself.
    public func rate(_ key: HistoricalKey, priorStrength m: Double) -> Double {
        let p0 = overallRate
        return byKey[key]?.smoothedRate(prior: p0, strength: m) ?? p0
    }
}

/// Past outcomes indexed by date so that a case's historical win rates count only cases
/// whose outcome was known strictly before its reference date. Per attribute value the
/// records are sorted by date with running win totals; a query is a binary search.
public struct HistoricalOutcomeIndex: Sendable {
    private let overall: DatedOutcomes
    private let byKey: [HistoricalKey: [Int: DatedOutcomes]]
    public let recordCount: Int

    public init(records: [OutcomeRecord]) {
        let sorted = records.sorted { $0.knownFrom < $1.knownFrom }
        func entries(_ rs: [OutcomeRecord]) -> [(date: LegalDate, petitionerWon: Bool)] { rs.map { ($0.knownFrom, $0.petitionerWon) } }
        var members: [HistoricalKey: [Int: [OutcomeRecord]]] = [:]
        for r in sorted {
            for (key, value) in r.attributes.values { members[key, default: [:]][value, default: []].append(r) }
        }
        overall = DatedOutcomes(sorted: entries(sorted))
        byKey = members.mapValues { $0.mapValues { DatedOutcomes(sorted: entries($0)) } }
        recordCount = records.count
    }

    /// Counts of past outcomes known strictly before `asOf`, overall and for each of the
    /// case's attribute values.
    public func counts(for attributes: HistoricalAttributes, asOf: LegalDate) -> HistoricalCounts {
        var result: [HistoricalKey: Tally] = [:]
        for (key, value) in attributes.values {
            if let series = byKey[key]?[value] {
                let c = series.tally(before: asOf)
                if c.cases > 0 { result[key] = c }
            }
        }
        return HistoricalCounts(overall: overall.tally(before: asOf), byKey: result)
    }
}
