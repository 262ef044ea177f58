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

/// Wins and cases counted over past outcomes.
public struct WinCount: Sendable, Hashable {
    public var wins: Int
    public var cases: Int

    public init(wins: Int, cases: Int) {
        self.wins = wins
        self.cases = cases
    }
}

/// The past outcomes relevant to one case as of its reference date: the overall count and
/// one count per attribute value the case has.
public struct HistoricalCounts: Sendable, Hashable {
    public var overall: WinCount
    public var byKey: [HistoricalKey: WinCount]

    /// Laplace-smoothed overall past petitioner win rate ((w + 1) / (n + 2)).
    public var overallRate: Double { (Double(overall.wins) + 1) / (Double(overall.cases) + 2) }

    /// The Beta-smoothed past win rate for one attribute: (w + m p0) / (n + m), where p0 is
    /// the overall past rate and m the prior strength (pseudo-cases). With no past case for
    /// the attribute (or the attribute unknown) it is p0 itself.
    public func rate(_ key: HistoricalKey, priorStrength m: Double) -> Double {
        let p0 = overallRate
        guard let c = byKey[key] else { return p0 }
        return (Double(c.wins) + m * p0) / (Double(c.cases) + m)
    }
}

/// Past outcomes indexed by date so that a case's historical win rates count only cases
/// whose outcome was known strictly before its reference date. Per attribute value the
/// records are sorted by date with running win totals; a query is a binary search.
public struct HistoricalOutcomeIndex: Sendable {
    private struct Series: Sendable {
        var dates: [LegalDate] = []
        /// wins[i] = wins among the first i records (so wins[0] = 0).
        var wins: [Int] = [0]

        func count(before date: LegalDate) -> WinCount {
            var lo = 0, hi = dates.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if dates[mid] < date { lo = mid + 1 } else { hi = mid }
            }
            return WinCount(wins: wins[lo], cases: lo)
        }
    }

    private let overall: Series
    private let byKey: [HistoricalKey: [Int: Series]]
    public let recordCount: Int

    public init(records: [OutcomeRecord]) {
        let sorted = records.sorted { $0.knownFrom < $1.knownFrom }
        var overall = Series()
        var byKey: [HistoricalKey: [Int: Series]] = [:]
        func add(_ r: OutcomeRecord, to s: inout Series) {
            s.dates.append(r.knownFrom)
            s.wins.append(s.wins[s.wins.count - 1] + (r.petitionerWon ? 1 : 0))
        }
        for r in sorted {
            add(r, to: &overall)
            for (key, value) in r.attributes.values {
                add(r, to: &byKey[key, default: [:]][value, default: Series()])
            }
        }
        self.overall = overall
        self.byKey = byKey
        self.recordCount = records.count
    }

    /// Counts of past outcomes known strictly before `asOf`, overall and for each of the
    /// case's attribute values.
    public func counts(for attributes: HistoricalAttributes, asOf: LegalDate) -> HistoricalCounts {
        var result: [HistoricalKey: WinCount] = [:]
        for (key, value) in attributes.values {
            if let series = byKey[key]?[value] {
                let c = series.count(before: asOf)
                if c.cases > 0 { result[key] = c }
            }
        }
        return HistoricalCounts(overall: overall.count(before: asOf), byKey: result)
    }
}
