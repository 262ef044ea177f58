import Foundation
import GraphStore
import LexgraphCore
import Prediction
import XCTest
import Server

/// `POST /v1/models/{name}/outcomes` over the trained graph-logistic run of
/// `CaseOutcomeRun`: outcomes recorded with the probability `Predictor` gives each case on
/// the server's graph, the audit entry naming the token; an analyst, an unknown case and a
/// case already recorded are refused with nothing written.
final class OutcomeRouteTests: XCTestCase {
    func post(_ s: ServerHarness, _ outcomes: [[String: Any]], role: Role = .curator) async throws -> ServerHarness.Reply {
        try await s.request("POST", "/v1/models/outcome/outcomes", token: s.tokens[role],
                            body: try JSONSerialization.data(withJSONObject: ["outcomes": outcomes]))
    }

    func testOutcomesAreRecordedWithTheServedProbability() async throws {
        let cases = CaseOutcomeRun.Cases()
        let s = try await startServer(graph: CaseOutcomeRun.graph(into: cases))
        let run = try CaseOutcomeRun.trainAndRegister(s, cases)
        var first = CaseOutcomeRun.pendingJSON(term: 2002, k: 3), second = CaseOutcomeRun.pendingJSON(term: 2003, k: 4)
        first["label_first_party_winner"] = true
        second["label_first_party_winner"] = false

        let analyst = try await post(s, [first], role: .analyst)
        XCTAssertEqual(analyst.status, 403, "\(analyst)")
        var unknown = second
        unknown["usid"] = "1777-1"
        let refused = try await post(s, [first, unknown])
        XCTAssertEqual(refused.status, 400, "\(refused)")
        XCTAssertTrue((refused.error["message"] as? String ?? "").hasPrefix("outcomes[1]: outcome for unknown case 'Case 2003-4' (usid 1777-1)"), "\(refused)")

        let reply = try await post(s, [first, second])
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual(reply.json["recorded"] as? Int, 2)
        XCTAssertEqual(reply.json["model_version"] as? String, "1")
        let store = try GraphStore(path: s.databasePath, mode: .readOnly)
        let stored = try store.modelOutcomes(name: "outcome")
        XCTAssertEqual(stored.map(\.caseKey), ["usid 2002-3", "usid 2003-4"])
        XCTAssertEqual(stored.map(\.firstPartyWon), [true, false])
        let predictor = try Predictor(run: run, store: store, scdb: try Predictor.scdbTable(dataFolder: s.folder.appendingPathComponent("data").path))
        let inputs = try predictor.cases(objects: try ArrivedOutcomes.objects(stored))
        XCTAssertEqual(stored.map(\.probability), try predictor.probabilities(inputs))

        let again = try await post(s, [second])
        XCTAssertEqual(again.status, 409, "\(again)")
        XCTAssertTrue((again.error["message"] as? String ?? "").hasPrefix("case usid 2003-4 already has an outcome for outcome version 1"), "\(again)")
        XCTAssertEqual(try store.modelOutcomes(name: "outcome").count, 2)
        let entries = try store.read { db in try AuditLogTable.all(in: db) }.filter { $0.action == "model.outcomes" }
        XCTAssertEqual(entries.map(\.outcome), ["ok: 2 outcomes for outcome version 1"])
        XCTAssertTrue(entries.first?.principal.hasPrefix("token ") ?? false, "\(entries)")
    }
}
