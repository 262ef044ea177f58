import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Ontology
import Prediction
import Server

/// A served case-outcome run made for real: a small SCOTUS-shaped graph in the server's
/// database file (PredictionTests' `SyntheticCaseGraph`, with each case's `usid` on its
/// node so pending cases can name it), a `graph-logistic` run trained on it by
/// `RunTraining` (what `lexgraph train` runs) into the server's folder, an SCDB table in
/// the run's data folder for the test cases' pre-decision columns, and the run
/// registered as `outcome` with the `production` alias.
///
/// 10 cases a term over 1990-2003 on two issues; on issue 1 the petitioner wins 4 of 5
/// times, on issue 2 2 of 5; train <= 2000, dev 2001, test 2002-2003.
enum CaseOutcomeRun {
    /// The training cases, kept from building the graph to training on it.
    final class Cases: @unchecked Sendable { var dataset: CaseDataset? }

    static func won(term: Int, k: Int) -> Bool {
        let issue = k % 2 == 0 ? 1 : 2
        let slot = (k / 2 + term) % 5
        return issue == 1 ? slot != 0 : slot < 2
    }

    static func court(_ k: Int) -> Int { k % 3 == 0 ? 20 : 10 }

    /// The graph builder for `startServer(graph:)`; the dataset lands in `cases`. `planted`:
    /// each case is named after a person (`Canaries`), and its facts and parties hold that
    /// person and the canary identifiers.
    static func graph(into cases: Cases, planted: Bool = false) -> (String) throws -> GraphStore {
        { path in
            let store = try GraphStore(path: path, create: true)
            try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
            var labelled: [LabelledCase] = []
            try store.write { w in
                for code in [1, 2] { _ = try w.upsert(NodeInput(key: "scdb:issue:\(code)", type: "Issue", properties: ["name": .string("issue \(code)")])) }
                for code in [10, 20] { _ = try w.upsert(NodeInput(key: "scdb:court:\(code)", type: "Court", properties: ["name": .string("court \(code)")])) }
                for code in [100, 200] { _ = try w.upsert(NodeInput(key: "scdb:party:\(code)", type: "PartyType", properties: ["name": .string("party \(code)")])) }
                _ = try w.upsert(NodeInput(key: "scdb:lawSupp:1", type: "Provision", properties: ["name": .string("provision 1")]))
                for term in 1990...2003 {
                    for k in 0..<10 {
                        let key = "scotus:\(term)-\(k)"
                        let issue = k % 2 == 0 ? 1 : 2, party = k % 4 == 0 ? 200 : 100
                        let decided = LegalDate(year: term + 1, month: 3, day: 1 + k)!
                        let label = won(term: term, k: k)
                        _ = try w.upsert(NodeInput(key: key, type: "SupremeCourtCase",
                                                   properties: ["name": .string(planted ? Canaries.caseName(k) : "Case \(term)-\(k)"), "year": .int(Int64(term + 1)),
                                                                "usid": .string("\(term)-\(k)"), "party_winning": .int(label ? 1 : 0)],
                                                   validFrom: decided))
                        var edges = [("HAS_ISSUE", "scdb:issue:\(issue)"), ("APPEALED_FROM", "scdb:court:\(court(k))"),
                                     ("ORIGINATED_IN", "scdb:court:\(court(k))"), ("PETITIONER", "scdb:party:\(party)"),
                                     ("RESPONDENT", "scdb:party:\(300 - party)"), ("APPLIES", "scdb:lawSupp:1")]
                        if term > 1990 { edges.append(("CITES", "scotus:\(term - 1)-\(k)")) }
                        if term == 1995 && k == 0 { edges.append(("OVERRULES", "scotus:1991-0")) }
                        for (type, target) in edges {
                            _ = try w.upsert(EdgeInput(key: "\(type)|\(key)", type: type, from: key, to: target, validFrom: decided))
                        }
                        var input = planted ? plantedInput(term: term, k: k) : pendingInput(term: term, k: k)
                        input.scdbCaseID = nil  // the training cases carry their SCDB columns directly
                        var scdb = SCDBPreDecision()
                        scdb.caseSource = court(k)
                        input.scdb = scdb
                        let role: SplitRole = term <= 2000 ? .train : term == 2001 ? .dev : .test
                        labelled.append(LabelledCase(input: input, label: label, decisionDate: decided, splits: [.full: role], line: labelled.count + 1))
                    }
                }
            }
            let records = labelled.compactMap { c in
                c.label.map { OutcomeRecord(attributes: c.input.historicalAttributes, knownFrom: c.outcomeKnownFrom, petitionerWon: $0) }
            }
            cases.dataset = CaseDataset(cases: labelled, pastOutcomes: records)
            return store
        }
    }

    /// Case `term`-`k` as a pending case names it (its SCDB columns come by `scdb_caseId`).
    static func pendingInput(term: Int, k: Int) -> CaseInput {
        var input = CaseInput(term: term, facts: "facts of case \(term)-\(k)")
        input.name = "Case \(term)-\(k)"
        input.usid = "\(term)-\(k)"
        input.scdbCaseID = "\(term)-\(k)"
        input.scdbIssue = k % 2 == 0 ? 1 : 2
        input.scdbPetitioner = k % 4 == 0 ? 200 : 100
        input.scdbRespondent = 300 - (k % 4 == 0 ? 200 : 100)
        input.scdbLawSupp = 1
        return input
    }

    /// Case `term`-`k` named after a canary person, who is its first party and is named in
    /// its facts with the canary identifiers.
    static func plantedInput(term: Int, k: Int) -> CaseInput {
        var input = pendingInput(term: term, k: k)
        input.name = Canaries.caseName(k)
        input.firstParty = Canaries.person(k)
        input.secondParty = "Oregon"
        input.facts = Canaries.facts(k) + " " + input.facts
        return input
    }

    /// The same case as a request's JSON object (`cases.jsonl` field names).
    static func pendingJSON(term: Int, k: Int) -> [String: Any] {
        let input = pendingInput(term: term, k: k)
        return ["name": input.name!, "term_for_split": term, "facts": input.facts, "usid": input.usid!, "scdb_caseId": input.scdbCaseID!,
                "scdb_issue": input.scdbIssue!, "scdb_petitioner": input.scdbPetitioner!, "scdb_respondent": input.scdbRespondent!,
                "scdb_lawSupp": 1]
    }

    /// The SCDB columns the reader needs; the test cases' rows carry only their source court
    /// (no decision date or winner: nothing after the decision is needed to predict).
    static func writeSCDB(dataFolder: URL) throws {
        let folder = dataFolder.appendingPathComponent("scdb")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "caseId,term,dateDecision,partyWinning,petitioner,respondent,issue,issueArea,petitionerState,respondentState,jurisdiction,"
            + "caseOrigin,caseSource,lcDispositionDirection,lcDisagreement,adminAction,threeJudgeFdc,dateArgument,naturalCourt\n"
        for term in 2002...2004 {
            for k in 0..<10 { csv += "\(term)-\(k),\(term),,,,,,,,,,,\(court(k)),,,,,,\n" }
        }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("SCDB_2020_01_caseCentered_Citation.csv"))
    }

    /// Trains the run into `s.folder/runs/glr`, registers it as `outcome` (production).
    /// `encoder`: train the fused transformer over that encoder folder instead (segment
    /// fusion, no graph head, room for the whole context, one epoch); `masking`: record it in the config, as
    /// `lexgraph train --mask` does.
    static func trainAndRegister(_ s: ServerHarness, _ cases: Cases, encoder: String? = nil, masking: CaseMasking? = nil) throws -> String {
        let data = s.folder.appendingPathComponent("data")
        try writeSCDB(dataFolder: data)
        let run = s.folder.appendingPathComponent("runs/glr").path
        try FileManager.default.createDirectory(atPath: s.folder.appendingPathComponent("runs").path, withIntermediateDirectories: true)
        let store = try GraphStore(path: s.databasePath, mode: .readOnly)
        var options: [String: Value] = [:]
        if encoder != nil {
            options = ["fusion": .string("segment"), "graph_head": .bool(false), "epochs": .int(1), "max_length": .int(512),
                       "context_tokens": .int(400), "batch_size": .int(16), "threads": .int(1)]
        }
        if let masking { options[CaseMasking.configKey] = masking.configValue }
        let config = RunConfig(modelKind: encoder == nil ? "graph-logistic" : "fused-transformer", plan: .splitFull, options: options,
                               dataPath: data.path, databasePath: s.databasePath, encoderPath: encoder, seed: 7)
        _ = try RunTraining(config: config, evaluator: Evaluator(bootstrap: Bootstrap(resamples: 20)))
            .run(dataset: cases.dataset!, grounder: try RunModels.grounder(config: config, graph: try GroundingGraph(store: store)),
                 writer: try RunFolderWriter(path: run, overwrite: false))
        _ = try ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite)).register(run: run, name: "outcome", alias: "production")
        return run
    }

    /// The training run's stored test probability of case `usid` (predictions-test.csv).
    static func storedTestProbability(run: String, usid: String) throws -> Double? {
        let stored = try RunFolder(existing: run).predictions(.test)
        return stored.first { $0.model == "graph-logistic" }?.predictions.first { $0.usid == usid }?.probability
    }
}
