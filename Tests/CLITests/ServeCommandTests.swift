import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import TestRequirements
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `lexgraph token create|list|revoke` and `lexgraph serve` as a user runs them: the real
/// binary, a real port, SIGTERM to stop it.
final class ServeCommandTests: XCTestCase {
    func testTokenCreateListRevoke() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let create = try CLI.run(["token", "create", "--name", "alice", "--role", "analyst", "--db", db])
        XCTAssertEqual(create.status, 0, "\(create)")
        let token = create.stdout.trimmingCharacters(in: .newlines)
        XCTAssertNotNil(token.range(of: "^lgx_[0-9a-f]{12}_[0-9a-f]{64}$", options: .regularExpression), "\(create)")
        XCTAssertEqual(create.stdout, token + "\n", "the token alone on stdout")
        let id = String(token.split(separator: "_")[1])
        XCTAssertEqual(create.stderr, "created API token \(id) for 'alice' with the role analyst; this is the only time it is shown\n")
        // Only the hash is stored.
        let stored = try DatabaseQueue(path: db).read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_token") }
        XCTAssertEqual(stored.count, 1)
        XCTAssertFalse(stored.description.contains(String(token.split(separator: "_")[2])), "\(stored)")

        let list = try CLI.run(["token", "list", "--db", db])
        XCTAssertEqual(list.status, 0, "\(list)")
        XCTAssertEqual(list.lines.count, 3, "\(list)")
        XCTAssertEqual(list.lines[0].split(separator: " ").map(String.init), ["ID", "NAME", "ROLE", "CREATED", "EXPIRES", "REVOKED"])
        let row = list.lines[1].split(separator: " ").map(String.init)
        XCTAssertEqual([row[0], row[1], row[2], row[4], row[5]], [id, "alice", "analyst", "-", "-"], "\(list)")
        XCTAssertEqual(list.lines[2], "(1 token, 0 revoked)")
        let json = try CLI.jsonLines(try CLI.run(["token", "list", "--format", "json", "--db", db]).stdout)
        XCTAssertEqual(json.count, 1)
        XCTAssertEqual(Set(json[0].keys), ["id", "name", "role", "created_at", "expires_at", "revoked_at"])

        let revoke = try CLI.run(["token", "revoke", id, "--db", db])
        XCTAssertEqual(revoke.status, 0, "\(revoke)")
        XCTAssertTrue(revoke.stdout.hasPrefix("revoked API token \(id) ('alice', analyst) at "), "\(revoke)")
        let after = try CLI.run(["token", "list", "--db", db])
        XCTAssertEqual(after.lines.last, "(1 token, 1 revoked)", "\(after)")
        XCTAssertFalse(after.lines[1].hasSuffix(" -"), "\(after)")

        let unknown = try CLI.run(["token", "revoke", "nope", "--db", db])
        XCTAssertEqual(unknown.status, 1, "\(unknown)")
        XCTAssertEqual(unknown.stderr, "lexgraph: error: no API token with id 'nope': `lexgraph token list` shows them\n")

        // Each change is in the audit trail (never the secret); the refused revoke is not.
        let audit = try DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT action, subject, outcome FROM audit_log WHERE action LIKE 'token.%' ORDER BY seq")
        }
        XCTAssertEqual(audit.map { $0["action"] as String }, ["token.create", "token.revoke"])
        XCTAssertEqual(audit.map { $0["subject"] as String }, ["alice", id])
        XCTAssertEqual(audit[0]["outcome"] as String, "ok: token \(id) for 'alice' with the role analyst")
        XCTAssertEqual(audit[1]["outcome"] as String, "ok: token \(id) ('alice', analyst) revoked")
        XCTAssertFalse(audit.description.contains(String(token.split(separator: "_")[2])), "\(audit)")
        let verify = try CLI.run(["audit", "verify", "--db", db])
        XCTAssertEqual(verify.status, 0, "\(verify)")
        // A token that expires: its time in the note and the list.
        let expiring = try CLI.run(["token", "create", "--name", "temp", "--role", "reader", "--expires-in-days", "30", "--db", db])
        XCTAssertEqual(expiring.status, 0, "\(expiring)")
        let until = try XCTUnwrap(expiring.stderr.range(of: "expiring at [0-9T:Z-]+", options: .regularExpression).map { String(expiring.stderr[$0].dropFirst(12)) },
                                  "\(expiring)")
        let days = (ISO8601DateFormatter().date(from: until)?.timeIntervalSinceNow ?? 0) / 86_400
        XCTAssertEqual(days, 30, accuracy: 0.01, until)
        XCTAssertTrue(try CLI.run(["token", "list", "--db", db]).lines.contains { $0.contains(" temp ") && $0.contains(until) })
        let never = try CLI.run(["token", "create", "--name", "x", "--role", "reader", "--expires-in-days", "0", "--db", db])
        XCTAssertEqual(never.status, 64, "\(never)")
        XCTAssertTrue(never.stderr.contains("--expires-in-days must be a number of days greater than 0, got 0.0"), "\(never)")
        let badRole = try CLI.run(["token", "create", "--name", "bob", "--role", "boss", "--db", db])
        XCTAssertEqual(badRole.status, 1, "\(badRole)")
        XCTAssertEqual(badRole.stderr, "lexgraph: error: unknown role 'boss': use one of reader, analyst, curator, admin\n")
    }

    func testServeAnswersOverHTTPAndStopsCleanlyOnSIGTERM() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let token = try CLI.run(["token", "create", "--name", "cli test", "--role", "reader", "--db", db]).stdout
            .trimmingCharacters(in: .newlines)
        let folder = try CLI.temporaryFolder(self)
        let config = folder.appendingPathComponent("serve.yaml")
        try "database:\n  path: \(db)\nhttp:\n  bind: 127.0.0.1:0\nlog:\n  format: json\n".write(to: config, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = try CLI.binary()
        process.arguments = ["serve", "--config", config.path]
        process.environment = CLI.environment([:])
        let err = Pipe(), out = Pipe()
        process.standardError = err
        process.standardOutput = out
        let stderr = LexgraphBinary.Collected()
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        let deadline = Date().addingTimeInterval(120)
        var port: Int?
        while port == nil, Date() < deadline, process.isRunning {
            if let match = stderr.text.range(of: "listening on http://127\\.0\\.0\\.1:[0-9]+", options: .regularExpression) {
                port = Int(stderr.text[match].split(separator: ":").last ?? "")
            } else { usleep(50_000) }
        }
        let base = "http://127.0.0.1:\(try XCTUnwrap(port, "no 'listening on' line: \(stderr.text)"))"

        let live = try Self.http("GET", base + "/v2/health/live")
        XCTAssertEqual(live.status, 200, live.text)
        XCTAssertEqual(live.text, "{\"live\":true}\n")
        let body = "{\"statements\": [{\"statement\": \"MATCH (c:SupremeCourtCase) RETURN c.name AS name\"}]}"
        let query = try Self.http("POST", base + "/db/lexgraph/tx/commit", token: token, body: body)
        XCTAssertEqual(query.status, 200, query.text)
        XCTAssertEqual(query.text, "{\"errors\":[],\"results\":[{\"columns\":[\"name\"],\"data\":[{\"meta\":[null],\"row\":[\"One v. Two\"]}]}]}\n")
        let refused = try Self.http("POST", base + "/db/lexgraph/tx/commit", body: body)
        XCTAssertEqual(refused.status, 401, refused.text)

        // A second server whose log reader goes away keeps answering (its log lines fail
        // with EPIPE and are dropped) and still stops cleanly.
        let orphan = Process()
        orphan.executableURL = try CLI.binary()
        orphan.arguments = ["serve", "--config", config.path]
        orphan.environment = CLI.environment([:])
        let orphanErr = Pipe()
        orphan.standardError = orphanErr
        orphan.standardOutput = FileHandle.nullDevice
        try orphan.run()
        defer { if orphan.isRunning { kill(orphan.processIdentifier, SIGKILL); orphan.waitUntilExit() } }
        var orphanText = ""
        while !orphanText.contains("listening on"), Date() < deadline, orphan.isRunning {
            orphanText += String(decoding: orphanErr.fileHandleForReading.availableData, as: UTF8.self)
        }
        let orphanPort = try XCTUnwrap(orphanText.range(of: "127\\.0\\.0\\.1:[0-9]+", options: .regularExpression)
            .flatMap { Int(orphanText[$0].split(separator: ":").last ?? "") }, orphanText)
        try orphanErr.fileHandleForReading.close()
        for _ in 0 ..< 3 {
            let again = try Self.http("GET", "http://127.0.0.1:\(orphanPort)/v2/health/live")
            XCTAssertEqual(again.status, 200, again.text)
        }
        kill(orphan.processIdentifier, SIGTERM)
        orphan.waitUntilExit()
        XCTAssertEqual(orphan.terminationStatus, 0, "the server ended by SIGPIPE or a failed write, not by SIGTERM")

        kill(process.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(30)
        while process.isRunning, Date() < stopBy { usleep(50_000) }
        XCTAssertFalse(process.isRunning, "still running 30 s after SIGTERM")
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        stderr.append(err.fileHandleForReading.readDataToEndOfFile())
        XCTAssertEqual(process.terminationStatus, 0, stderr.text)
        XCTAssertTrue(stderr.text.hasSuffix("lexgraph serve: stopped\n"), stderr.text)
        // JSON log lines, one per request, each with its request id.
        let requests = stderr.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["message"] as? String == "request" }
        XCTAssertEqual(requests.map { $0["status"] as? String }, ["200", "200", "401"], stderr.text)
        XCTAssertTrue(requests.allSatisfy { ($0["request_id"] as? String)?.isEmpty == false }, stderr.text)
    }

    func testServeRefusesABadConfigurationNamingTheLine() throws {
        let folder = try CLI.temporaryFolder(self)
        let config = folder.appendingPathComponent("serve.yaml")
        try "http:\n  bind: 127.0.0.1:0\n  port: 80\n".write(to: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["serve", "--config", config.path], timeout: 60)
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.hasPrefix("lexgraph: error: \(config.path):3: unknown setting 'http.port' (known: "), "\(r)")
        let missing = try CLI.run(["serve", "--db", folder.appendingPathComponent("none.sqlite").path], timeout: 60)
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("no graph database at"), "\(missing)")
    }

    struct Reply { var status: Int; var text: String }

    /// One HTTP request, waited for.
    static func http(_ method: String, _ url: String, token: String? = nil, body: String? = nil) throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let result = LexgraphBinary.Collected()
        let status = StatusBox()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            status.set((response as? HTTPURLResponse)?.statusCode ?? -1)
            result.append(data ?? Data())
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 60) == .success else { throw CLI.Failure(description: "\(method) \(url): no answer in 60 s") }
        return Reply(status: status.get(), text: result.text)
    }

    final class StatusBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value = -1
        func set(_ v: Int) { lock.lock(); value = v; lock.unlock() }
        func get() -> Int { lock.lock(); defer { lock.unlock() }; return value }
    }
}
