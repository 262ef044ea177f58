import LexgraphCore

/// Past cases and how many of them the petitioner won, in a group of cases.
public struct Tally: Sendable, Hashable {
    public var cases: Int
    public var petitionerWins: Int
    public var respondentWins: Int { cases - petitionerWins }

    public init(cases: Int = 0, petitionerWins: Int = 0) {
        self.cases = cases
        self.petitionerWins = petitionerWins
    }

    public static func + (a: Tally, b: Tally) -> Tally {
        Tally(cases: a.cases + b.cases, petitionerWins: a.petitionerWins + b.petitionerWins)
    }

    /// Beta-smoothed petitioner win rate: `(wins + strength * prior) / (cases + strength)`.
    public func smoothedRate(prior: Double, strength: Double) -> Double {
        (Double(petitionerWins) + strength * prior) / (Double(cases) + strength)
    }
}

/// Outcomes in one group sorted by the date each became known, with running petitioner
/// wins: "how many were known strictly before D, and how many did the petitioner win" is
/// one binary search. The one home of dated win tallies: graph grounding's groups
/// (`OutcomeIndex`) and the SCDB attribute history (Prediction's `HistoricalOutcomeIndex`)
/// both count with it, so both apply the same strictly-before rule.
public struct DatedOutcomes: Sendable {
    /// Ascending.
    public let dates: [LegalDate]
    /// wins[i] = petitioner wins among the first i entries (so wins[0] = 0).
    let wins: [Int]

    /// `entries` must already be in ascending date order.
    public init<S: Sequence>(sorted entries: S) where S.Element == (date: LegalDate, petitionerWon: Bool) {
        var dates: [LegalDate] = [], wins = [0]
        for (date, won) in entries {
            precondition(dates.last.map { $0 <= date } ?? true, "DatedOutcomes entries must be in date order")
            dates.append(date)
            wins.append(wins[wins.count - 1] + (won ? 1 : 0))
        }
        self.dates = dates
        self.wins = wins
    }

    public var count: Int { dates.count }

    /// Entries known strictly before `date`.
    public func countBefore(_ date: LegalDate) -> Int { dates.countBefore(date) }

    /// The tally of the entries known strictly before `date`.
    public func tally(before date: LegalDate) -> Tally {
        let n = dates.countBefore(date)
        return Tally(cases: n, petitionerWins: wins[n])
    }
}

/// Outcomes of decided cases grouped by what they share (an issue node, a lower court,
/// ...), each group sorted by the date the membership became known, with running win
/// counts: "how many cases of this group were decided before D, and how many did the
/// petitioner win" is one binary search.
///
/// Leakage: an entry's date is the later of the case's decision date and the date of
/// the edge that puts it in the group, and a tally counts entries strictly before the
/// date asked for; cases without a decision date are never counted.
struct OutcomeIndex: Sendable {
    private struct Group: Sendable {
        var outcomes: DatedOutcomes
        /// Snapshot node of each entry, in the same order.
        var examples: [Int32]
    }
    private var groups: [String: Group] = [:]

    /// Group members before sorting: (date, petitioner won, snapshot node index).
    private var pending: [String: [(LegalDate, Bool, Int32)]] = [:]

    mutating func add(group: String, date: LegalDate, petitionerWon: Bool, node: Int32) {
        pending[group, default: []].append((date, petitionerWon, node))
    }

    mutating func finish() {
        for (name, entries) in pending {
            let sorted = entries.sorted { ($0.0, $0.2) < ($1.0, $1.2) }
            groups[name] = Group(outcomes: DatedOutcomes(sorted: sorted.lazy.map { (date: $0.0, petitionerWon: $0.1) }), examples: sorted.map(\.2))
        }
        pending = [:]
    }

    /// Cases of `group` decided strictly before `date`.
    func tally(_ group: String, before date: LegalDate) -> Tally {
        groups[group]?.outcomes.tally(before: date) ?? Tally()
    }

    /// The most recent members of `group` decided strictly before `date`, newest first.
    func latest(_ group: String, before date: LegalDate, limit: Int) -> [Int32] {
        guard let g = groups[group] else { return [] }
        let n = g.outcomes.countBefore(date)
        return Array(g.examples[max(0, n - limit)..<n].reversed())
    }

    static let all = "all"
    static func edgeGroup(_ edgeType: String, _ target: String) -> String { "\(edgeType)>\(target)" }
    static func pairGroup(issue: String, court: String) -> String { "issue+source>\(issue)|\(court)" }
    static func lcDispositionGroup(_ code: Int) -> String { "lc_disposition>\(code)" }
}
