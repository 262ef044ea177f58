import GRDB
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// Everything grounding reads from the graph, loaded once and shared by every case of a
/// run: the walkable snapshot (GraphAlgorithms), node names, the outcome index of past
/// cases and the citation lists.
///
/// Only graph content is kept; every lookup takes a date and answers from what was
/// dated strictly before it.
public final class GroundingGraph: Sendable {
    public let snapshot: GraphSnapshot
    /// Per snapshot node: display name and year (from the store's `name` / `year`).
    let names: [String?]
    let years: [Int?]
    /// Per snapshot node: SCDB partyWinning (1 petitioner, 0 respondent, -1 unknown).
    /// Read only for cases decided before the date a question is asked about.
    let petitionerWon: [Int8]
    let validTo: [LegalDate?]
    let outcomes: OutcomeIndex
    /// Per citing node: the nodes its opinion cites (CITES out), in store order.
    let citesOut: [Int32: [Int32]]
    /// Per cited node: the dates of the CITES edges into it, ascending (as-of in-degree).
    let citedOn: [Int32: [LegalDate]]
    /// How far the data grounding reads reaches: the edge types it walks and groups
    /// outcomes by, and CITES, among edges touching a Supreme Court case. Every
    /// grounding carries it, so a context as of a date past the citations says so.
    public let horizon: DataHorizon

    /// Edge types that put a case into an outcome group, by the seed role they serve.
    static let groupEdgeTypes: [SeedRole: String] = [
        .issue: "HAS_ISSUE", .issueArea: "HAS_ISSUE", .provision: "APPLIES", .lawType: "HAS_LAW_TYPE",
        .petitioner: "PETITIONER", .respondent: "RESPONDENT", .sourceCourt: "APPEALED_FROM",
        .originCourt: "ORIGINATED_IN", .naturalCourt: "DECIDED_DURING",
    ]

    /// Loads the snapshot and the grounding index from `store` (a few seconds for SCOTUS).
    public convenience init(store: GraphStore) throws {
        try self.init(snapshot: GraphSnapshot.load(store), store: store)
    }

    public init(snapshot: GraphSnapshot, store: GraphStore) throws {
        self.snapshot = snapshot
        let n = snapshot.nodeCount
        var names = [String?](repeating: nil, count: n), years = [Int?](repeating: nil, count: n)
        var won = [Int8](repeating: -1, count: n), validTo = [LegalDate?](repeating: nil, count: n)
        var lcDisposition = [Int?](repeating: nil, count: n)
        var outcomes = OutcomeIndex()
        var citesOut: [Int32: [Int32]] = [:], citedOn: [Int32: [LegalDate]] = [:]

        try store.read { db in
            try GraphReads.forEachNodeFields(db, fields: ["name", "year", "party_winning", "lc_disposition_code"]) { key, values, to in
                guard let i = snapshot.index(ofKey: key) else { return }
                names[i] = String.fromDatabaseValue(values[0])
                years[i] = values[1].codeValue
                if let w = values[2].codeValue, w == 0 || w == 1 { won[i] = Int8(w) }
                lcDisposition[i] = values[3].codeValue
                validTo[i] = to.flatMap { LegalDate(iso: $0) }
            }

            var issuesOf: [Int32: [String]] = [:], sourcesOf: [Int32: [(String, LegalDate)]] = [:]
            let types = Set(GroundingGraph.groupEdgeTypes.values).union(["CITES"])
            try GraphReads.forEachEdge(db, fromNodesOfType: "SupremeCourtCase", types: types.sorted()) { edge in
                let type = edge.type, targetKey = edge.targetKey
                guard let s = snapshot.index(ofKey: edge.sourceKey).map(Int32.init), let t = snapshot.index(ofKey: targetKey).map(Int32.init) else { return }
                let edgeFrom = edge.validFrom.flatMap { LegalDate(iso: $0) }
                if type == "CITES" {
                    citesOut[s, default: []].append(t)
                    citedOn[t, default: []].append(edgeFrom ?? GroundingGraph.openStart)
                    return
                }
                // Outcome groups: only decided cases with a known outcome and a date.
                guard won[Int(s)] >= 0, let decided = snapshot.validFrom(ofNode: Int(s)) else { return }
                let date = max(decided, edgeFrom ?? decided)
                outcomes.add(group: OutcomeIndex.edgeGroup(type, targetKey), date: date, petitionerWon: won[Int(s)] == 1, node: s)
                if type == "HAS_ISSUE", edge.targetType == "Issue" { issuesOf[s, default: []].append(targetKey) }
                if type == "APPEALED_FROM" { sourcesOf[s, default: []].append((targetKey, date)) }
            }
            for (s, issues) in issuesOf {
                for issue in issues {
                    for (court, date) in sourcesOf[s] ?? [] {
                        outcomes.add(group: OutcomeIndex.pairGroup(issue: issue, court: court), date: date,
                                     petitionerWon: won[Int(s)] == 1, node: s)
                    }
                }
            }
        }
        for i in 0..<n where won[i] >= 0 && snapshot.type(ofNode: i) == "SupremeCourtCase" {
            guard let decided = snapshot.validFrom(ofNode: i) else { continue }
            outcomes.add(group: OutcomeIndex.all, date: decided, petitionerWon: won[i] == 1, node: Int32(i))
            if let code = lcDisposition[i] {
                outcomes.add(group: OutcomeIndex.lcDispositionGroup(code), date: decided, petitionerWon: won[i] == 1, node: Int32(i))
            }
        }
        outcomes.finish()
        for key in citedOn.keys { citedOn[key]?.sort() }

        self.names = names
        self.years = years
        self.petitionerWon = won
        self.validTo = validTo
        self.outcomes = outcomes
        self.citesOut = citesOut
        self.citedOn = citedOn
        let grounded = Set(GroundingOptions.walkEdgeTypes).union(GroundingGraph.groupEdgeTypes.values).union(["CITES"])
        self.horizon = try store.dataHorizon(edgeTypes: grounded, touching: ["SupremeCourtCase"])
    }

    /// Stands for an undated citation: counted on every date, as the store's as-of rule does.
    static let openStart = LegalDate(year: 1, month: 1, day: 1)!

    // MARK: Time-safe lookups

    /// Whether the node exists and is valid on the day before `date` (the case's own
    /// decision, on or after `date`, is not).
    public func isVisible(key: String, before date: LegalDate) -> Bool {
        guard let i = snapshot.index(ofKey: key) else { return false }
        let day = date.dayBefore
        if let from = snapshot.validFrom(ofNode: i), from > day { return false }
        if let to = validTo[i], to <= day { return false }
        return true
    }

    /// The precedents `caseKey`'s own opinion cites (its out-CITES, dated at its
    /// decision). Whether each was decided before a date is the caller's test.
    public func ownCitations(of caseKey: String) -> [String] {
        guard let i = snapshot.index(ofKey: caseKey) else { return [] }
        return (citesOut[Int32(i)] ?? []).map { snapshot.keys[Int($0)] }
    }

    /// Citations into `key` from cases decided strictly before `date`.
    public func inCitations(of key: String, before date: LegalDate) -> Int {
        guard let i = snapshot.index(ofKey: key) else { return 0 }
        return citedOn[Int32(i)]?.countBefore(date) ?? 0
    }

    /// Display name: the node's `name`, else its key.
    public func name(of key: String) -> String {
        snapshot.index(ofKey: key).flatMap { names[$0] } ?? key
    }

    func name(ofNode i: Int) -> String { names[i] ?? snapshot.keys[i] }
    func year(ofNode i: Int) -> Int? { years[i] }

    /// The outcome of a case decided strictly before `date` (nil otherwise: a later
    /// case's outcome is never read).
    func petitionerWon(node i: Int, decidedBefore date: LegalDate) -> Bool? {
        guard petitionerWon[i] >= 0, let decided = snapshot.validFrom(ofNode: i), decided < date else { return nil }
        return petitionerWon[i] == 1
    }
}
