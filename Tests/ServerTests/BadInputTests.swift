import Foundation
import XCTest
import Server

/// Bad requests get a clear status and a JSON body naming the problem, and the server
/// keeps answering afterwards.
final class BadInputTests: XCTestCase {
    func testMalformedJSONAndWrongShapesAre400() async throws {
        let s = try await startServer()
        let cases: [(String, String)] = [
            ("{\"statements\": [", "the body is not valid JSON"),
            ("[1, 2]", "the body must be a JSON object"),
            ("{}", "the body has no 'statements' list"),
            ("{\"statements\": [{\"statement\": 42}]}", "statements[0].statement must be a string, got a number"),
            ("{\"statements\": [{\"statement\": \"RETURN 1\", \"parameters\": [1]}]}", "statements[0].parameters must be an object, got a list"),
        ]
        for (body, expected) in cases {
            let reply = try await s.request("POST", "/db/lexgraph/tx/commit", token: s.tokens[.reader], body: Data(body.utf8))
            XCTAssertEqual(reply.status, 400, "\(body): \(reply)")
            let error = (reply.json["errors"] as? [[String: Any]])?.first ?? [:]
            XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Request.InvalidFormat", "\(reply)")
            XCTAssertTrue((error["message"] as? String ?? "").contains(expected), "\(body): \(reply)")
        }
        let live = try await s.request("GET", "/v2/health/live")
        XCTAssertEqual(live.status, 200)
    }

    func testWrongContentTypeIs415() async throws {
        let s = try await startServer()
        let reply = try await s.request("POST", "/db/lexgraph/tx/commit", token: s.tokens[.reader],
                                        body: Data("statement=RETURN 1".utf8), contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(reply.status, 415, "\(reply)")
        XCTAssertEqual(reply.error["code"] as? String, "UnsupportedMediaType", "\(reply)")
        XCTAssertTrue((reply.error["message"] as? String ?? "").contains("got Content-Type: application/x-www-form-urlencoded"), "\(reply)")
        let charset = try await s.request("POST", "/db/lexgraph/tx/commit", token: s.tokens[.reader],
                                          body: Data("{\"statements\": []}".utf8), contentType: "application/json; charset=utf-8")
        XCTAssertEqual(charset.status, 200, "a charset parameter is fine: \(charset)")
    }

    func testBodiesOverTheLimitAre413WithOrWithoutContentLength() async throws {
        let s = try await startServer { $0.maxBodyBytes = 4096 }
        let big = "{\"statements\": [{\"statement\": \"RETURN '" + String(repeating: "x", count: 10_000) + "'\"}]}"
        let declared = try await s.request("POST", "/db/lexgraph/tx/commit", token: s.tokens[.reader], body: Data(big.utf8))
        XCTAssertEqual(declared.status, 413, "\(declared)")
        XCTAssertEqual(declared.error["code"] as? String, "ContentTooLarge", "\(declared)")
        XCTAssertTrue((declared.error["message"] as? String ?? "").contains("limit of 4 KiB (limits.max_body_size)"), "\(declared)")
        // Chunked: no length up front, so the limit applies while the body arrives.
        var chunked = "POST /db/lexgraph/tx/commit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.tokens[.reader]!)\r\n" +
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        for piece in stride(from: 0, to: big.utf8.count, by: 1000) {
            let part = String(big.dropFirst(piece).prefix(1000))
            chunked += String(part.utf8.count, radix: 16) + "\r\n" + part + "\r\n"
        }
        chunked += "0\r\n\r\n"
        let answer = try s.raw(Array(chunked.utf8))
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
        XCTAssertTrue(answer.contains("\"code\":\"ContentTooLarge\""), answer)
    }

    func testUnknownRoutesAre404WithTheRouteList() async throws {
        let s = try await startServer()
        for (method, path) in [("GET", "/nope"), ("GET", "/db/lexgraph/tx/commit"), ("DELETE", "/metrics")] {
            let reply = try await s.request(method, path, token: s.tokens[.admin])
            XCTAssertEqual(reply.status, 404, "\(method) \(path): \(reply)")
            XCTAssertEqual(reply.error["code"] as? String, "NotFound", "\(reply)")
            XCTAssertTrue((reply.error["message"] as? String ?? "").hasPrefix("no route \(method) \(path)"), "\(reply)")
        }
    }

    func testBeyondTheConcurrencyLimitIs429AndASlowQueryTimesOut() async throws {
        let s = try await startServer { $0.maxConcurrentRequests = 1; $0.requestTimeLimit = 2 }
        // Minutes of work in Swift: only the time limit ends it.
        let slow = "UNWIND range(1, 1000000) AS i WITH i, size([x IN range(1, 1000) WHERE x % 7 = 0]) AS s RETURN sum(s)"
        async let first = s.transaction([(slow, [:])])
        try await Task.sleep(nanoseconds: 500_000_000)
        let second = try await s.transaction([("RETURN 1", [:])])
        XCTAssertEqual(second.status, 429, "\(second)")
        XCTAssertEqual(second.error["code"] as? String, "TooManyRequests", "\(second)")
        XCTAssertEqual(second.header("Retry-After"), "1", "\(second)")
        XCTAssertTrue((second.error["message"] as? String ?? "").contains("limit of 1 requests at once"), "\(second)")
        let health = try await s.request("GET", "/v2/health/live")
        XCTAssertEqual(health.status, 200, "health checks are never turned away: \(health)")
        let scrape = try await s.request("GET", "/metrics", token: s.tokens[.reader])
        XCTAssertEqual(scrape.status, 200, "nor are metric scrapes: \(scrape)")
        XCTAssertTrue(scrape.text.contains("lexgraph_http_requests_total{method=\"POST\",route=\"/db/{name}/tx/commit\",status=\"429\"} 1"), scrape.text)
        let timedOut = try await first
        XCTAssertEqual(timedOut.status, 200, "\(timedOut)")
        let error = (timedOut.json["errors"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Transaction.TransactionTimedOut", "\(timedOut)")
        let after = try await s.transaction([("RETURN 1 AS one", [:])])
        XCTAssertEqual(after.status, 200, "the place is free again: \(after)")
    }

    func testASlowClientIsCutOffAtTheTimeLimit() async throws {
        let s = try await startServer { $0.requestTimeLimit = 1 }
        let started = Date()
        // Promises 100 bytes of body, sends 10, then waits.
        let head = "POST /db/lexgraph/tx/commit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.tokens[.reader]!)\r\n" +
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"stateme"
        let answer = try s.raw(Array(head.utf8), timeout: 20)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 503"), answer)
        XCTAssertTrue(answer.contains("\"code\":\"RequestTimeout\""), answer)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, answer)
    }

    func testAClientThatHangsUpMidRequestFreesItsPlace() async throws {
        let s = try await startServer { $0.maxConcurrentRequests = 1 }
        let head = "POST /db/lexgraph/tx/commit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.tokens[.reader]!)\r\n" +
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"stateme"
        _ = try s.raw(Array(head.utf8), thenWait: 0.2, hangUp: true)
        // The one place comes back as soon as the server sees the connection gone.
        var reply = try await s.transaction([("RETURN 1 AS one", [:])])
        let deadline = Date().addingTimeInterval(10)
        while reply.status == 429, Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            reply = try await s.transaction([("RETURN 1 AS one", [:])])
        }
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual((reply.json["errors"] as? [Any])?.count, 0, "\(reply)")
    }
}
