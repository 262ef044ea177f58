import Foundation
import GraphStore
import XCTest
import Server

/// `/metrics` in Prometheus' text format with per-route counts and latency histograms,
/// and one JSON log line per request carrying its request id.
final class ObservabilityTests: XCTestCase {
    func testMetricsCountAndTimeEachRoute() async throws {
        let s = try await startServer()
        for _ in 0..<2 { _ = try await s.transaction([("MATCH (c:Case) RETURN count(c)", [:])]) }
        _ = try await s.transaction([("RETURN $missing", [:])])
        _ = try await s.request("GET", "/v1/tokens", token: s.tokens[.reader])  // 403
        // Each request's audit entry is written after its answer (RequestAuditLog): wait
        // for the four, so the file holds still from here to the scrape's measurement.
        let audit = try GraphStore(path: s.databasePath, mode: .readOnly, key: .noKey)
        var waited = 0
        while try audit.read({ try AuditLogTable.all(in: $0) }).count < 4, waited < 1000 {
            try await Task.sleep(nanoseconds: 10_000_000)
            waited += 1
        }
        // The database size is the file and its write-ahead log, as the file system says.
        var size: Int64 = 0
        for file in [s.databasePath, s.databasePath + "-wal"] {
            size += (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)??.int64Value ?? 0
        }
        let reply = try await s.request("GET", "/metrics", token: s.tokens[.reader])
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual(reply.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(reply.text.split(separator: "\n").map(String.init))
        let tx = "method=\"POST\",route=\"/db/{name}/tx/commit\""
        for expected in [
            "lexgraph_http_requests_total{\(tx),status=\"200\"} 3",
            "lexgraph_http_requests_total{method=\"GET\",route=\"/v1/tokens\",status=\"403\"} 1",
            "lexgraph_http_request_duration_seconds_count{\(tx)} 3",
            "lexgraph_query_duration_seconds_count{access=\"read\",outcome=\"ok\"} 2",
            "lexgraph_query_duration_seconds_count{access=\"read\",outcome=\"error\"} 1",
            "lexgraph_build_info{version=\"\(LexgraphServer.version)\"} 1.0",
            "# TYPE lexgraph_http_requests_total counter",
            "# TYPE lexgraph_http_request_duration_seconds histogram",
            "# HELP lexgraph_database_size_bytes Bytes of the graph database on disk (file and write-ahead log), measured at each scrape.",
        ] {
            XCTAssertTrue(lines.contains(expected), "missing line: \(expected)\n\(reply.text)")
        }
        XCTAssertTrue(lines.contains("lexgraph_database_size_bytes \(size)") || lines.contains("lexgraph_database_size_bytes \(size).0"),
                      "size \(size):\n\(reply.text)")
        // Histogram buckets are cumulative and end at +Inf with the count.
        let buckets = reply.text.split(separator: "\n").filter { $0.hasPrefix("lexgraph_http_request_duration_seconds_bucket{\(tx)") }
        let counts = buckets.compactMap { Int($0.split(separator: " ").last ?? "") }
        XCTAssertEqual(counts, counts.sorted(), "\(buckets)")
        XCTAssertTrue(buckets.last?.hasSuffix("le=\"+Inf\"} 3") ?? false, "\(buckets)")
    }

    func testEachRequestLogsOneJSONLineWithItsRequestID() async throws {
        let s = try await startServer()
        let mine = try await s.request("GET", "/metrics", token: s.tokens[.reader], headers: ["X-Request-Id": "trace-42.a_b"])
        XCTAssertEqual(mine.header("X-Request-Id"), "trace-42.a_b")
        let forged = try await s.request("GET", "/v2/health/live", headers: ["X-Request-Id": "bad id\" level=\"critical"])
        let given = try XCTUnwrap(forged.header("X-Request-Id"))
        XCTAssertNotEqual(given, "bad id\" level=\"critical", "a request id that is not a plain token is replaced")
        XCTAssertFalse(given.isEmpty)
        let records = s.logLines.all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let line = try XCTUnwrap(records.first { $0["request_id"] as? String == "trace-42.a_b" }, "\(s.logLines.all)")
        XCTAssertEqual(line["message"] as? String, "request")
        XCTAssertEqual(line["route"] as? String, "/metrics")
        XCTAssertEqual(line["status"] as? String, "200")
        XCTAssertEqual(line["token_id"] as? String, s.tokens[.reader]!.split(separator: "_")[1].description)
        XCTAssertNotNil(line["time"] as? String)
        XCTAssertNotNil(Double(line["duration_ms"] as? String ?? ""))
        XCTAssertTrue(records.contains { $0["request_id"] as? String == given && $0["route"] as? String == "/v2/health/live" }, "\(s.logLines.all)")
        XCTAssertTrue(s.logLines.all.allSatisfy { !$0.contains(s.tokens[.reader]!) }, "no token in the log")
    }

    /// Graceful shutdown lets a request in progress finish with its full answer.
    func testShutdownLetsARequestInProgressFinish() async throws {
        let s = try await ServerHarness { $0.requestTimeLimit = 2 }
        let slow = "UNWIND range(1, 1000000) AS i WITH i, size([x IN range(1, 1000) WHERE x % 7 = 0]) AS s RETURN sum(s)"
        async let inProgress = s.transaction([(slow, [:])])
        try await Task.sleep(nanoseconds: 400_000_000)
        let started = Date()
        try await s.stop()
        let reply = try await inProgress
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual((reply.json["errors"] as? [[String: Any]])?.first?["code"] as? String, "Neo.ClientError.Transaction.TransactionTimedOut", "\(reply)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        // And the port is closed afterwards.
        do {
            let after = try await s.request("GET", "/v2/health/live")
            XCTFail("answered after shutdown: \(after)")
        } catch {}
    }
}
