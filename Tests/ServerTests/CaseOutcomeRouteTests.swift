import Foundation
import GraphStore
import LexgraphCore
import Prediction
import XCTest
import Server

/// A case-outcome run (`lexgraph train`'s graph-logistic model, trained in the test: see
/// `CaseOutcomeRun`) served over real HTTP: `POST /v2/models/{name}/infer` with pending
/// cases and `POST /v1/models/{name}/explain`, against the training run's own test
/// predictions and `Predictor` (what `lexgraph predict` runs); facts dated after a case's
/// as-of date do not reach its prediction; malformed and leaking cases are refused by name.
final class CaseOutcomeRouteTests: XCTestCase {
    func start() async throws -> (ServerHarness, String) {
        let cases = CaseOutcomeRun.Cases()
        let s = try await startServer(graph: CaseOutcomeRun.graph(into: cases))
        return (s, try CaseOutcomeRun.trainAndRegister(s, cases))
    }

    func infer(_ s: ServerHarness, _ cases: [[String: Any]], path: String = "/v2/models/outcome/infer", role: Role = .analyst) async throws -> ServerHarness.Reply {
        let body: [String: Any] = ["id": "c1", "inputs": [["name": "case", "datatype": "BYTES", "shape": [cases.count], "data": cases]]]
        return try await s.request("POST", path, token: s.tokens[role], body: try JSONSerialization.data(withJSONObject: body))
    }

    func output(_ reply: ServerHarness.Reply, _ name: String) -> [String: Any] {
        (reply.json["outputs"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name } ?? [:]
    }

    /// An output's numbers read with Lexgraph's own JSON reader, which parses a number
    /// exactly (the server writes the shortest text that reads back as the same Double;
    /// Foundation's JSONSerialization on Linux can read it one unit in the last place off).
    func exactNumbers(_ reply: ServerHarness.Reply, _ name: String) -> [Double] {
        guard case .map(let body)? = try? Value.parseJSON(bytes: [UInt8](reply.body)), case .list(let outputs)? = body["outputs"] else { return [] }
        for case .map(let tensor) in outputs where tensor["name"]?.stringValue == name {
            if case .list(let data)? = tensor["data"] { return data.compactMap(\.doubleValue) }
        }
        return []
    }

    /// The façade `lexgraph predict` uses, over the server's database as it is now.
    func facade(_ s: ServerHarness, _ run: String) throws -> Predictor {
        try Predictor(run: run, store: try GraphStore(path: s.databasePath, mode: .readOnly),
                      scdb: try Predictor.scdbTable(dataFolder: s.folder.appendingPathComponent("data").path))
    }

    func testInferServesTheTrainedRunWithoutLaterFacts() async throws {
        let (s, run) = try await start()
        let pending: [[String: Any]] = [CaseOutcomeRun.pendingJSON(term: 2002, k: 3), ["name": "Later v. Issue One", "term_for_split": 2004, "facts": "x", "scdb_issue": 1,
                                                                       "scdb_petitioner": 100, "scdb_respondent": 200, "scdb_lawSupp": 1]]
        let inputs = try facade(s, run).cases(objects: try pending.enumerated().map { i, object -> ([String: Value], SourceLocation) in
            guard case .map(let fields) = try Value.parseJSON(bytes: [UInt8](try JSONSerialization.data(withJSONObject: object))) else { throw ServerHarness.Failure("not an object") }
            return (fields, SourceLocation(file: "case \(i)"))
        })
        let before = try facade(s, run).probabilities(inputs)

        // Five issue-1 cases the respondent won, decided after case 2002-3's as-of date
        // (2002-10-01) and before case 2004's (2004-10-01).
        try GraphStore(path: s.databasePath, mode: .readWrite).write { w in
            for k in 0..<5 {
                let key = "scotus:late-\(k)", decided = LegalDate(year: 2002, month: 12, day: 1 + k)!
                _ = try w.upsert(NodeInput(key: key, type: "SupremeCourtCase", properties: ["name": .string("Late \(k)"), "year": .int(2002), "party_winning": .int(0)],
                                           validFrom: decided))
                _ = try w.upsert(EdgeInput(key: "HAS_ISSUE|\(key)", type: "HAS_ISSUE", from: key, to: "scdb:issue:1", validFrom: decided))
            }
        }

        let reply = try await infer(s, pending)
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual(reply.json["model_name"] as? String, "outcome")
        XCTAssertEqual(reply.json["model_version"] as? String, "1")
        XCTAssertEqual(reply.json["id"] as? String, "c1")
        XCTAssertEqual((reply.json["outputs"] as? [[String: Any]] ?? []).map { $0["name"] as? String }, ["p_first_party_wins", "label", "as_of"])
        let p = output(reply, "p_first_party_wins")
        XCTAssertEqual(p["datatype"] as? String, "FP32")
        XCTAssertEqual(p["shape"] as? [Int], [2])
        let served = exactNumbers(reply, "p_first_party_wins")
        XCTAssertEqual(served.count, 2, "\(reply)")
        guard served.count == 2 else { return }
        XCTAssertEqual(output(reply, "as_of")["data"] as? [String], ["2002-10-01", "2004-10-01"])
        XCTAssertEqual(output(reply, "label")["data"] as? [String], served.map { $0 >= 0.5 ? "first party" : "second party" })

        // Case 2002-3 is one of the run's test cases: served as the training run predicted
        // it, to the bit, although the graph now holds later facts about its issue.
        let stored = try XCTUnwrap(try CaseOutcomeRun.storedTestProbability(run: run, usid: "2002-3"))
        XCTAssertEqual(served[0], stored)
        XCTAssertEqual(served[0], before[0])
        // The later facts are there for a case argued after them: they move case 2004.
        XCTAssertLessThan(served[1], before[1] - 1e-6, "five respondent wins on issue 1 before 2004-10-01 lower P(first party wins)")
        // And the server answers what `lexgraph predict`'s façade answers on this graph.
        XCTAssertEqual(served, try facade(s, run).probabilities(inputs))
        print("CaseOutcomeRouteTests: served \(served), stored test probability \(stored), 2004 before the later facts \(before[1])")

        // Cases as JSON text, [n, 1], and one output asked for.
        let text = String(decoding: try JSONSerialization.data(withJSONObject: pending[0]), as: UTF8.self)
        let body = #"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1,1],"data":[["# + Value.string(text).jsonText + #"]]}],"outputs":[{"name":"p_first_party_wins"}]}"#
        let nested = try await s.request("POST", "/v2/models/outcome/versions/1/infer", token: s.tokens[.analyst], body: Data(body.utf8))
        XCTAssertEqual(nested.status, 200, "\(nested)")
        XCTAssertEqual((nested.json["outputs"] as? [[String: Any]] ?? []).count, 1)
        XCTAssertEqual(exactNumbers(nested, "p_first_party_wins"), [stored])

        // Metadata names the case input and the outputs.
        let meta = try await s.request("GET", "/v2/models/outcome", token: s.tokens[.reader])
        XCTAssertEqual((meta.json["inputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["case"])
        XCTAssertEqual((meta.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["p_first_party_wins", "label", "as_of"])
        let ready = try await s.request("GET", "/v2/models/outcome/ready", token: s.tokens[.reader])
        XCTAssertEqual(ready.json["ready"] as? Bool, true, "\(ready)")
    }

    func testBadCasesAreRefusedByName() async throws {
        let (s, _) = try await start()
        var leaking = CaseOutcomeRun.pendingJSON(term: 2002, k: 3)
        leaking["decision_date"] = "2003-03-04"
        var wrongType = CaseOutcomeRun.pendingJSON(term: 2002, k: 3)
        wrongType["term_for_split"] = "2002"
        var unknownUsid = CaseOutcomeRun.pendingJSON(term: 2002, k: 3)
        unknownUsid["usid"] = "1777-1"
        var unknownSCDB = CaseOutcomeRun.pendingJSON(term: 2002, k: 3)
        unknownSCDB["scdb_caseId"] = "1777-001"
        let good = CaseOutcomeRun.pendingJSON(term: 2002, k: 3)
        let cases: [([[String: Any]], String)] = [
            ([good, leaking], "inputs[0] (\"case\") data[1]: field 'decision_date' is not allowed in a pending case: it is an outcome or only known after the decision"),
            ([wrongType], "inputs[0] (\"case\") data[0]: field 'term_for_split' should be an integer, found \"2002\""),
            ([unknownUsid], "inputs[0] (\"case\") data[0]: usid \"1777-1\" is not in the graph"),
            ([unknownSCDB], "inputs[0] (\"case\") data[0]: scdb_caseId '1777-001' is not in the SCDB table"),
            ([["name": "no term"]], "inputs[0] (\"case\") data[0]: case has no 'term_for_split'"),
        ]
        for (body, message) in cases {
            let reply = try await infer(s, body)
            XCTAssertEqual(reply.status, 400, "\(reply)")
            XCTAssertTrue((reply.json["error"] as? String ?? "").hasPrefix(message), "\(message)\n\(reply)")
        }
        let shapes: [(String, String)] = [
            (#"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["a"]}]}"#, "inputs[0] is named \"text\"; this model takes one input, \"case\" (BYTES)"),
            (#"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1],"data":[7]}]}"#, "inputs[0] (\"case\") data[0] must be a string or an object, got a number"),
            (#"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1],"data":["{not json"]}]}"#, "inputs[0] (\"case\") data[0] is not a JSON object"),
            (#"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1],"data":["[1]"]}]}"#, "inputs[0] (\"case\") data[0] must be a JSON object (a case), got a list"),
            (#"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1],"data":[{"term_for_split":2002}]}],"outputs":[{"name":"probabilities"}]}"#,
             "outputs[0] asks for \"probabilities\"; this model's outputs are \"p_first_party_wins\", \"label\", \"as_of\""),
        ]
        for (body, message) in shapes {
            let reply = try await s.request("POST", "/v2/models/outcome/infer", token: s.tokens[.analyst], body: Data(body.utf8))
            XCTAssertEqual(reply.status, 400, "\(reply)")
            XCTAssertTrue((reply.json["error"] as? String ?? "").hasPrefix(message), "\(message)\n\(reply)")
        }
        let reader = try await infer(s, [good], role: .reader)
        XCTAssertEqual(reader.status, 403, "\(reader)")
        // After all that, it still answers.
        let fine = try await infer(s, [good])
        XCTAssertEqual(fine.status, 200, "\(fine)")
    }

    func testExplainGivesPredictsExplanations() async throws {
        let (s, run) = try await start()
        let pending = [CaseOutcomeRun.pendingJSON(term: 2002, k: 3), CaseOutcomeRun.pendingJSON(term: 2003, k: 4)]
        let body: [String: Any] = ["cases": pending, "top": 3]
        let reply = try await s.request("POST", "/v1/models/outcome/explain", token: s.tokens[.analyst], body: try JSONSerialization.data(withJSONObject: body))
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual(reply.json["model_name"] as? String, "outcome")
        XCTAssertEqual(reply.json["model_version"] as? String, "1")
        let predictions = reply.json["predictions"] as? [[String: Any]] ?? []
        XCTAssertEqual(predictions.count, 2, "\(reply)")
        // Each is `lexgraph predict --format json`'s line for the case, from the same façade.
        let predictor = try facade(s, run)
        let inputs = [CaseOutcomeRun.pendingInput(term: 2002, k: 3), CaseOutcomeRun.pendingInput(term: 2003, k: 4)].map { input -> CaseInput in
            var input = input
            input.scdb = predictor.scdb?.byCaseID[input.scdbCaseID!]?.preDecision
            return input
        }
        let expected = try predictor.explain(inputs, top: 3).map { p in
            try JSONSerialization.jsonObject(with: Data(p.json.jsonText.utf8)) as! NSDictionary
        }
        XCTAssertEqual(predictions.map { $0 as NSDictionary }, expected)
        guard case .map(let exact)? = try? Value.parseJSON(bytes: [UInt8](reply.body)), case .list(let exactPredictions)? = exact["predictions"],
              case .map(let first)? = exactPredictions.first else { return XCTFail("\(reply)") }
        XCTAssertEqual(first["p_first_party_wins"]?.doubleValue, try CaseOutcomeRun.storedTestProbability(run: run, usid: "2002-3"))
        XCTAssertEqual(predictions.map { $0["as_of"] as? String }, ["2002-10-01", "2003-10-01"])
        for p in predictions {
            let contributions = p["contributions"] as? [[String: Any]] ?? []
            XCTAssertEqual(contributions.count, 3, "\(p)")
            XCTAssertTrue(contributions.allSatisfy { $0["source"] as? String == "graph_feature" && $0["effect"] is Double }, "\(p)")
            XCTAssertTrue(contributions.contains { $0["path"] is String }, "graph paths: \(p)")
        }

        // Refusals in the /v1 shape.
        let refusals: [(String, String, Role, Int, String)] = [
            ("/v1/models/outcome/explain", #"{"cases":[]}"#, .analyst, 400, "\"cases\" holds no cases"),
            ("/v1/models/outcome/explain", #"{"case":[{}]}"#, .analyst, 400, "unknown field \"case\" in the body (fields: \"cases\", \"top\")"),
            ("/v1/models/outcome/explain", #"{"cases":[{"term_for_split":2002}],"top":-1}"#, .analyst, 400, "\"top\" must be an integer from 0 to 100, got -1"),
            ("/v1/models/outcome/explain", #"{"cases":[{"term_for_split":2002},{"term_for_split":2002,"label_first_party_winner":true}]}"#, .analyst, 400,
             "cases[1]: field 'label_first_party_winner' is not allowed in a pending case"),
            ("/v1/models/outcome/explain", #"{"cases":[7]}"#, .analyst, 400, "cases[0] must be an object (a case), got a number"),
            ("/v1/models/nope/explain", #"{"cases":[{"term_for_split":2002}]}"#, .analyst, 404, "no model named 'nope' is registered (registered: outcome)"),
            ("/v1/models/outcome/versions/2/explain", #"{"cases":[{"term_for_split":2002}]}"#, .analyst, 404, "model 'outcome' has no version '2' (versions: 1)"),
            ("/v1/models/outcome/explain", #"{"cases":[{"term_for_split":2002}]}"#, .reader, 403, ""),
        ]
        for (path, body, role, status, message) in refusals {
            let refused = try await s.request("POST", path, token: s.tokens[role], body: Data(body.utf8))
            XCTAssertEqual(refused.status, status, "\(path) \(body): \(refused)")
            XCTAssertEqual(refused.error["status"] as? Int, status, "\(refused)")
            XCTAssertTrue((refused.error["message"] as? String ?? "").hasPrefix(message), "\(message)\n\(refused)")
        }
    }
}
