import Compliance
import Foundation
import GraphStore
import Server
import TestRequirements
import XCTest

/// Every request the service answers (health checks aside) is one entry in the audit
/// chain: who (the token's id and name, or anonymous), which route, what status; never
/// the body. A burst of concurrent requests loses none, a graceful shutdown writes what
/// was queued, and `lexgraph audit verify` accepts the chain.
final class RequestAuditTests: XCTestCase {
    func testEveryRequestIsAuditedWithoutItsBodyAndTheChainVerifies() async throws {
        let harness = try await ServerHarness()
        let canary = "Kowalczyk-canary-41"
        let reader = try XCTUnwrap(harness.tokens[.reader])
        let query = try await harness.transaction([("MATCH (c:SupremeCourtCase) WHERE c.name = $name RETURN c.name AS name", ["name": canary])])
        XCTAssertEqual(query.status, 200, "\(query)")
        let anonymous = try await harness.request("GET", "/metrics")
        XCTAssertEqual(anonymous.status, 401)
        let forbidden = try await harness.request("GET", "/v1/tokens", token: reader)
        XCTAssertEqual(forbidden.status, 403)
        let missing = try await harness.request("GET", "/nowhere/\(canary)", token: reader)
        XCTAssertEqual(missing.status, 404)
        let health = try await harness.request("GET", "/v2/health/live")
        XCTAssertEqual(health.status, 200)
        let burst = 80
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<burst {
                group.addTask {
                    try await harness.transaction([("MATCH (c:SupremeCourtCase) WHERE c.name = $name RETURN count(c) AS n", ["name": "\(canary)-\(i)"])]).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: burst))
        try await harness.stop(keepingFiles: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: harness.folder) }

        let store = try GraphStore(path: harness.databasePath, mode: .readOnly, key: .noKey)
        let rows = try store.read { db in try AuditLogTable.all(in: db) }
        XCTAssertEqual(rows.count, 4 + burst, "one entry per request but the health check")
        XCTAssertTrue(AuditChain.verify(rows).isIntact)
        let readerID = try XCTUnwrap(try APITokens(store: store).list().first { $0.name == "test reader" }?.id)
        let first = rows.prefix(4).map { "\($0.principal) | \($0.action) | \($0.subject) | \($0.outcome.prefix { $0 != "," })" }
        XCTAssertEqual(first, [
            "token \(readerID) (test reader) | http.request | POST /db/{name}/tx/commit | status 200",
            "anonymous | http.request | GET /metrics | status 401",
            "token \(readerID) (test reader) | http.request | GET /v1/tokens | status 403",
            // No route, so no token check: the caller is not known.
            "anonymous | http.request | GET NotFound | status 404",
        ])
        XCTAssertEqual(rows[0].outcome, "status 200, request id \(try XCTUnwrap(query.header("X-Request-Id")))")
        XCTAssertEqual(Set(rows.dropFirst(4).map(\.subject)), ["POST /db/{name}/tx/commit"])
        XCTAssertEqual(rows.map(\.at), rows.map(\.at).sorted(), "times follow the chain")
        for row in rows {
            let text = [row.principal, row.action, row.subject, row.outcome].joined(separator: " ")
            XCTAssertFalse(text.contains(canary), "a body or path reached the audit trail: \(text)")
            for token in harness.tokens.values { XCTAssertFalse(text.contains(token) || text.contains(String(token.suffix(16))), "a token secret in \(text)") }
        }

        let verify = try LexgraphBinary.run(["audit", "verify", "--db", harness.databasePath])
        XCTAssertEqual(verify.status, 0, "\(verify)")
        XCTAssertTrue(verify.stdout.hasPrefix("OK: \(4 + burst) audit entries, chain intact; head \(try XCTUnwrap(rows.last?.hash))"), "\(verify)")
    }

    /// Request log lines mask what the caller put in the URL: a person's name or an
    /// e-mail in a path is logged as a placeholder.
    func testRequestLogsMaskPersonalDataInPaths() async throws {
        let harness = try await startServer()
        let reader = try XCTUnwrap(harness.tokens[.reader])
        let email = try await harness.request("GET", "/nowhere/jdoe@mail.example.com", token: reader)
        XCTAssertEqual(email.status, 404)
        let person = try await harness.request("GET", "/v2/models/Mr.%20Kowalczyk/ready", token: reader)
        XCTAssertEqual(person.status, 404)
        let paths = harness.logLines.all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["message"] as? String == "request" }.compactMap { $0["path"] as? String }
        XCTAssertTrue(paths.contains("/nowhere/[EMAIL_1]"), "\(paths)")
        XCTAssertTrue(paths.contains { $0.hasPrefix("/v2/models/") && $0.hasSuffix("[PERSON_1]/ready") }, "\(paths)")
        for line in harness.logLines.all {
            XCTAssertFalse(line.contains("jdoe@mail.example.com") || line.contains("Kowalczyk"), line)
        }
    }

    /// A read-only service cannot write the trail and says so when it starts.
    func testAReadOnlyServiceSaysItDoesNotAudit() async throws {
        let harness = try await startServer { $0.readOnly = true }
        XCTAssertTrue(harness.logLines.all.contains { $0.contains("read-only: requests are not recorded in the audit trail") }, "\(harness.logLines.all)")
    }
}
