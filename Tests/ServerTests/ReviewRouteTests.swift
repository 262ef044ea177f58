import Compliance
import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import XCTest
import Server

/// `POST /v1/review` over real HTTP with the serving fixture's clause-type classifier
/// (Tests/Fixtures/serving/run-a, registered): the report is `ContractReviewer`'s for the
/// same contract, model and graph, rendered by the same `ReviewReport.json` (timings
/// aside); refusals name the field; the request is in the audit trail without its text.
final class ReviewRouteTests: XCTestCase {
    static let labels = ["arbitration", "governing law", "termination"]
    static let contract = """
        # Services Agreement

        1. Disputes. Disputes shall be governed by arbitration.

        2. Law. This agreement is governed by the law of England.

        3. Ending. Either party may terminate upon thirty days written notice.
        """

    /// legal-core's test graph with the run's labels as clause-corpus clause types, two
    /// standard clauses each.
    static func graph(_ path: String) throws -> GraphStore {
        let store = try ServerHarness.legalStore(at: path)
        try store.write { w in
            for (i, label) in labels.enumerated() {
                let type = "clausetype:clause-corpus:\(label.replacingOccurrences(of: " ", with: "-"))"
                _ = try w.upsert(NodeInput(key: type, type: "ClauseType", properties: ["name": .string(label), "source": .string("clause-corpus")]))
                for k in 0..<2 {
                    let key = "clause:test:\(i)-\(k)"
                    _ = try w.upsert(NodeInput(key: key, type: "Clause", properties: [
                        "text": .string("\(label.capitalized). Standard \(label) clause number \(k)."), "source": .string("clause-corpus")]))
                    _ = try w.upsert(EdgeInput(key: "INSTANCE_OF|\(key)", type: "INSTANCE_OF", from: key, to: type))
                }
            }
        }
        return store
    }

    func register(_ s: ServerHarness) throws {
        _ = try ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite))
            .register(run: ModelRouteTests.run("run-a"), name: "clause-types", alias: "production")
    }

    func review(_ s: ServerHarness, _ body: [String: Any], role: Role = .analyst) async throws -> ServerHarness.Reply {
        try await s.request("POST", "/v1/review", token: s.tokens[role], body: try JSONSerialization.data(withJSONObject: body))
    }

    /// A report's JSON without its timings (they differ run to run).
    static func untimed(_ object: Any) -> NSDictionary {
        var fields = object as? [String: Any] ?? [:]
        fields["timing_seconds"] = nil
        return fields as NSDictionary
    }

    func testTheReviewIsTheReviewersReport() async throws {
        // Stopped by hand (to read its audit trail), so not through startServer.
        let s = try await ServerHarness(graph: Self.graph)
        try register(s)
        let reply = try await review(s, ["text": Self.contract, "name": "services.md", "types_model": "clause-types", "top": 2, "suggestions": 1])
        XCTAssertEqual(reply.status, 200, "\(reply)")

        var options = ReviewOptions()
        options.topTypes = 2
        options.suggestions = 1
        let reviewer = try ContractReviewer(typesModel: try ClauseModel(run: ModelRouteTests.run("run-a")), unfairModel: nil,
                                            store: try GraphStore(path: s.databasePath, mode: .readOnly))
        let report = try reviewer.review(try ContractDocument(text: Self.contract, name: "services.md", format: .markdown), options: options)
        let expected = try JSONSerialization.jsonObject(with: Data(report.json.jsonText.utf8))
        XCTAssertEqual(Self.untimed(reply.json), Self.untimed(expected))
        XCTAssertNotNil(reply.json["timing_seconds"] as? [String: Any])
        // What the report holds, read directly: three clauses, each typed with two labels.
        let clauses = reply.json["clauses"] as? [[String: Any]] ?? []
        XCTAssertEqual(clauses.count, report.clauses.count)
        XCTAssertEqual(report.clauses.filter { !$0.types.isEmpty }.count, 3)
        XCTAssertTrue(report.clauses.allSatisfy { $0.types.isEmpty || $0.types.count == 2 })
        XCTAssertEqual(reply.json["contract_type_note"] as? String, "the graph has no contract types, so no expected clauses are checked: rebuild it with `lexgraph build contracts`")

        // The version can be named; the same model gives the same report.
        let pinned = try await review(s, ["text": Self.contract, "name": "services.md", "types_model": "clause-types", "types_model_version": 1,
                                          "top": 2, "suggestions": 1])
        XCTAssertEqual(Self.untimed(pinned.json), Self.untimed(expected))

        // Audited, without the contract's text.
        try await s.stop(keepingFiles: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: s.folder) }
        let rows = try GraphStore(path: s.databasePath, mode: .readOnly).read { db in try AuditLogTable.all(in: db) }
        XCTAssertEqual(rows.filter { $0.subject == "POST /v1/review" }.map { $0.outcome.prefix { $0 != "," } }, ["status 200", "status 200"])
        XCTAssertFalse(rows.contains { $0.outcome.contains("arbitration") || $0.subject.contains("arbitration") })
    }

    func testRefusalsNameTheField() async throws {
        let s = try await startServer(graph: Self.graph)
        try register(s)
        let refusals: [(Any, Role, Int, String)] = [
            (["types_model": "clause-types"], .analyst, 400, "the body has no \"text\" (the contract)"),
            (["text": "x"], .analyst, 400, "the body has no \"types_model\" (a registered clause-type model)"),
            (["text": 7, "types_model": "clause-types"], .analyst, 400, "\"text\" must be a string, got a number"),
            (["text": "x", "types_model": "clause-types", "model": "y"], .analyst, 400, "unknown field \"model\" in the body"),
            (["text": "x", "types_model": "clause-types", "top": 0], .analyst, 400, "\"top\" must be an integer from 1 to 100, got 0"),
            (["text": "x", "types_model": "nope"], .analyst, 404, "types_model: no model named 'nope' is registered (registered: clause-types)"),
            (["text": "x", "types_model": "clause-types", "types_model_version": 4], .analyst, 404, "types_model: model 'clause-types' has no version '4' (versions: 1)"),
            (["text": "x", "types_model": "clause-types", "unfair_model": "nope"], .analyst, 404, "unfair_model: no model named 'nope'"),
            (["text": " \n ", "types_model": "clause-types"], .analyst, 422, "text: contract.txt: contract holds only whitespace"),
            (["text": "x", "types_model": "clause-types", "contract_type": "lease"], .analyst, 422, "\(s.databasePath): the graph has no contract types"),
            (["text": "x", "types_model": "clause-types"], .reader, 403, ""),
            ([1, 2], .analyst, 400, "the body must be a JSON object"),
        ]
        for (body, role, status, message) in refusals {
            let reply = try await s.request("POST", "/v1/review", token: s.tokens[role], body: try JSONSerialization.data(withJSONObject: body))
            XCTAssertEqual(reply.status, status, "\(body): \(reply)")
            XCTAssertEqual(reply.error["status"] as? Int, status, "\(reply)")
            XCTAssertTrue((reply.error["message"] as? String ?? "").hasPrefix(message), "\(message)\n\(reply)")
        }
        let plain = try await s.request("POST", "/v1/review", token: s.tokens[.analyst], body: Data(Self.contract.utf8), contentType: "text/plain")
        XCTAssertEqual(plain.status, 415, "\(plain)")
    }

    func testAGraphWithoutClauseTypesCannotReview() async throws {
        let s = try await startServer()
        try register(s)
        let reply = try await review(s, ["text": Self.contract, "types_model": "clause-types"])
        XCTAssertEqual(reply.status, 503, "\(reply)")
        XCTAssertTrue((reply.error["message"] as? String ?? "").hasPrefix("this server cannot review contracts: "), "\(reply)")
        XCTAssertTrue((reply.error["message"] as? String ?? "").contains("the graph has no clause-corpus clause types"), "\(reply)")
    }
}
