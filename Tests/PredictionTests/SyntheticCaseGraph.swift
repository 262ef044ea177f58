import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Ontology
import Prediction

/// A small in-memory SCOTUS-shaped graph and the matching dataset, for the run tests:
/// 10 cases a term over 1990-2003 on two issues from two lower courts. On issue 1 the
/// petitioner wins 4 of 5 times, on issue 2 2 of 5 times, so the graph's past win
/// rates carry real signal. Every case is in the graph (decided in March after its term
/// began; each cites the same-numbered case of the term before, one overrules an older
/// one, so every edge type the context walk follows exists) and in the dataset (train <= 2000, dev 2001, test 2002-2003 of `split_full`).
enum SyntheticCaseGraph {
    struct Built {
        let store: GraphStore
        let graph: GroundingGraph
        let dataset: CaseDataset
    }

    static func won(term: Int, k: Int) -> Bool {
        let issue = k % 2 == 0 ? 1 : 2
        let slot = (k / 2 + term) % 5  // 5 cases per issue per term
        return issue == 1 ? slot != 0 : slot < 2  // issue 1: 4 of 5 won; issue 2: 2 of 5
    }

    static func build() throws -> Built {
        let store = try GraphStore(inMemoryWith: .permissive)
        var cases: [LabelledCase] = []
        try store.write { w in
            for code in [1, 2] { _ = try w.upsert(NodeInput(key: "scdb:issue:\(code)", type: "Issue", properties: ["name": .string("issue \(code)")])) }
            for code in [10, 20] { _ = try w.upsert(NodeInput(key: "scdb:court:\(code)", type: "Court", properties: ["name": .string("court \(code)")])) }
            for code in [100, 200] { _ = try w.upsert(NodeInput(key: "scdb:party:\(code)", type: "PartyType", properties: ["name": .string("party \(code)")])) }
            _ = try w.upsert(NodeInput(key: "scdb:lawSupp:1", type: "Provision", properties: ["name": .string("provision 1")]))
            for term in 1990...2003 {
                for k in 0..<10 {
                    let key = "scotus:\(term)-\(k)"
                    let issue = k % 2 == 0 ? 1 : 2, court = k % 3 == 0 ? 20 : 10, party = k % 4 == 0 ? 200 : 100
                    let decided = LegalDate(year: term + 1, month: 3, day: 1 + k)!
                    let label = won(term: term, k: k)
                    _ = try w.upsert(NodeInput(key: key, type: "SupremeCourtCase",
                                               properties: ["name": .string("Case \(term)-\(k)"), "year": .int(Int64(term + 1)),
                                                            "party_winning": .int(label ? 1 : 0)], validFrom: decided))
                    // Every edge type the context walk follows is present (the walk refuses unknown types).
                    var edges = [("HAS_ISSUE", "scdb:issue:\(issue)"), ("APPEALED_FROM", "scdb:court:\(court)"),
                                 ("ORIGINATED_IN", "scdb:court:\(court)"), ("PETITIONER", "scdb:party:\(party)"),
                                 ("RESPONDENT", "scdb:party:\(300 - party)"), ("APPLIES", "scdb:lawSupp:1")]
                    if term > 1990 { edges.append(("CITES", "scotus:\(term - 1)-\(k)")) }
                    if term == 1995 && k == 0 { edges.append(("OVERRULES", "scotus:1991-0")) }
                    for (type, target) in edges {
                        _ = try w.upsert(EdgeInput(key: "\(type)|\(key)", type: type, from: key, to: target, validFrom: decided))
                    }
                    var input = CaseInput(term: term, facts: "facts of case \(term)-\(k)")
                    input.name = "Case \(term)-\(k)"
                    input.usid = "\(term)-\(k)"
                    input.scdbIssue = issue
                    input.scdbPetitioner = party
                    input.scdbRespondent = 300 - party
                    input.scdbLawSupp = 1
                    var scdb = SCDBPreDecision()
                    scdb.caseSource = court
                    input.scdb = scdb
                    let role: SplitRole = term <= 2000 ? .train : term == 2001 ? .dev : .test
                    cases.append(LabelledCase(input: input, label: label, decisionDate: decided, splits: [.full: role], line: cases.count + 1))
                }
            }
        }
        let records = cases.compactMap { c in
            c.label.map { OutcomeRecord(attributes: c.input.historicalAttributes, knownFrom: c.outcomeKnownFrom, petitionerWon: $0) }
        }
        return Built(store: store, graph: try GroundingGraph(store: store), dataset: CaseDataset(cases: cases, pastOutcomes: records))
    }

    static func temporaryFolder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
