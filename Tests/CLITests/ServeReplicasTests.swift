import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestRequirements
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `lexgraph serve --db postgres://...` (issue 16): two real servers over one PostgreSQL
/// graph, on loopback ports, against a server over the SQLite file loaded from the same
/// files (the reference answers). Both replicas answer as SQLite does; an ontology update
/// through one is seen by the next query of the other; one stopped (SIGTERM) under load,
/// the other answers every request, the load generator retrying on the other replica
/// only a request that could not connect or was reset before any answer, as a load
/// balancer does.
final class ServeReplicasTests: XCTestCase {
    static let query = "MATCH (a:SupremeCourtCase)-[:CITES]->(b:SupremeCourtCase) RETURN a.name AS citing, b.name AS cited ORDER BY citing, cited"

    /// A graph of a few cases loaded into a fresh PostgreSQL database and into a SQLite
    /// file (the service file: API tokens, and the reference graph); a curator token.
    struct Setup {
        var postgres: String
        var sqlite: String
        var token: String
        var folder: URL
    }

    func setUpGraph() throws -> Setup {
        let postgres = try PostgresTestServer.freshDatabase("replicas")
        addTeardownBlock { PostgresTestServer.drop(postgres) }
        let dir = try CLI.citationRecipe(self, nodes: (1...6).map { "c\($0),Case \($0),19\(50 + $0)-01-01" }.joined(separator: "\n") + "\n",
                                         edges: "c2,c1\nc3,c1\nc3,c2\nc5,c4\nc6,c5\n")
        let sqlite = dir.appendingPathComponent("service.sqlite").path
        for db in [sqlite, postgres] {
            let load = try CLI.run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path], timeout: 180)
            XCTAssertEqual(load.status, 0, "\(load)")
        }
        let token = try CLI.run(["token", "create", "--name", "replicas", "--role", "curator", "--db", sqlite])
        XCTAssertEqual(token.status, 0, "\(token)")
        return Setup(postgres: postgres, sqlite: sqlite, token: token.stdout.trimmingCharacters(in: .newlines), folder: dir)
    }

    func testTwoReplicasOverOnePostgreSQLServeAndSurviveOneStopping() throws {
        let setup = try setUpGraph()
        let body = #"{"statements": [{"statement": "\#(Self.query)"}]}"#
        // The reference: the same query through a server over the SQLite file.
        let reference: String
        do {
            let peer = try Replica.start(["--db", setup.sqlite])
            defer { peer.kill() }
            let answer = try Self.send(peer.base + "/db/lexgraph/tx/commit", token: setup.token, body: body)
            XCTAssertEqual(answer.status, 200, answer.text)
            reference = answer.text
            XCTAssertEqual(peer.stop(), 0, peer.stderr.text)
        }
        XCTAssertTrue(reference.contains(#""row":["Case 3","Case 1"]"#), reference)

        // Each replica its own copy of the service file (tokens made before copying), as
        // on separate hosts: SQLite files are not shared between servers.
        var services: [String] = []
        for name in ["a", "b"] {
            let copy = setup.folder.appendingPathComponent("service-\(name).sqlite").path
            try FileManager.default.copyItem(atPath: setup.sqlite, toPath: copy)
            services.append(copy)
        }
        let a = try Replica.start(["--db", setup.postgres, "--service-db", services[0]])
        defer { a.kill() }
        let b = try Replica.start(["--db", setup.postgres, "--service-db", services[1]])
        defer { b.kill() }
        let location = setup.postgres.replacingOccurrences(of: "postgres://", with: "")
        XCTAssertTrue(a.stderr.text.contains("(database postgres://\(location))"), a.stderr.text)
        for replica in [a, b] {
            let ready = try Self.send(replica.base + "/v2/health/ready")
            XCTAssertEqual(ready.status, 200, ready.text)
            let answer = try Self.send(replica.base + "/db/lexgraph/tx/commit", token: setup.token, body: body)
            XCTAssertEqual(answer.status, 200, answer.text + "\n" + replica.stderr.text)
            XCTAssertEqual(answer.text, reference)
        }

        // A write through A (an ontology update, on the PostgreSQL primary) is seen by B's next query.
        let history = try CLI.jsonLines(try CLI.run(["ontology", "history", "--format", "json", "--db", setup.sqlite]).stdout)
        let version = try XCTUnwrap(history.last?["version"] as? Int, "\(history)")
        let linkQuery = #"{"statements": [{"statement": "MATCH (a:Court)-[:TEST_LINK]->(b) RETURN count(*) AS n"}]}"#
        let before = try Self.send(b.base + "/db/lexgraph/tx/commit", token: setup.token, body: linkQuery)
        XCTAssertEqual(before.status, 200, before.text)
        XCTAssertTrue(before.text.contains("TEST_LINK"), "B refuses an edge type the ontology lacks: \(before.text)")
        XCTAssertFalse(before.text.contains(#""errors":[]"#), before.text)
        let update = """
            update: \(version + 1)
            date: 2026-12-07
            base_version: \(version)
            description: A test link between courts.
            changes:
              - op: add_edge_type
                name: TEST_LINK
                definition: {from: Court, to: Court, description: A link for the test.}
            """
        let applied = try Self.send(a.base + "/v1/ontology/apply?file=" + String(format: "%04d-2026-12-07-test-link.yaml", version + 1),
                                    token: setup.token, body: update, contentType: "application/yaml")
        XCTAssertEqual(applied.status, 200, applied.text)
        XCTAssertTrue(applied.text.contains(#""status":"applied""#), applied.text)
        let after = try Self.send(b.base + "/db/lexgraph/tx/commit", token: setup.token, body: linkQuery)
        XCTAssertEqual(after.text, #"{"errors":[],"results":[{"columns":["n"],"data":[{"meta":[null],"row":[0]}]}]}"# + "\n")

        // Load on both; A stops half-way; every request is answered, the later ones by B.
        let load = LoadGenerator(replicas: [a.base, b.base], token: setup.token, body: body, expected: reference)
        load.start(clients: 2)
        while load.answered(by: 0) < 5 || load.answered(by: 1) < 5 {
            XCTAssertTrue(load.failures.isEmpty, load.failures.joined(separator: "\n"))
            if !load.failures.isEmpty { break }
            usleep(20_000)
        }
        XCTAssertEqual(a.stop(), 0, a.stderr.text)
        let answeredByBAtStop = load.answered(by: 1)
        while load.answered(by: 1) < answeredByBAtStop + 20, load.failures.isEmpty { usleep(20_000) }
        load.finish()
        XCTAssertEqual(load.failures, [], "requests that failed")
        XCTAssertGreaterThanOrEqual(load.answered(by: 1), answeredByBAtStop + 20)
        XCTAssertGreaterThan(load.retried, 0, "no request met the stopped replica: the test did not test failover")
        XCTAssertTrue(a.stderr.text.hasSuffix("lexgraph serve: stopped\n"), a.stderr.text)
        XCTAssertEqual(b.stop(), 0, b.stderr.text)
    }

    /// A server that cannot reach its graph does not start, and says why.
    func testServeOverPostgreSQLRefusesToStartWithAClearError() throws {
        let setup = try setUpGraph()
        let down = try CLI.run(["serve", "--db", "postgres://postgres@127.0.0.1:1/lexgraph", "--service-db", setup.sqlite], timeout: 60)
        XCTAssertEqual(down.status, 1, "\(down)")
        XCTAssertTrue(down.stderr.hasPrefix("lexgraph: error: cannot connect to PostgreSQL at 127.0.0.1:1"), down.stderr)
        XCTAssertTrue(down.stderr.contains("is the server running and listening there?"), down.stderr)

        let noServiceFile = try CLI.run(["serve", "--db", setup.postgres], timeout: 60)
        XCTAssertEqual(noServiceFile.status, 1, "\(noServiceFile)")
        XCTAssertTrue(noServiceFile.stderr.contains("name database.service_path too (--service-db, $LEXGRAPH_SERVICE_DB)"), noServiceFile.stderr)

        let port = try PostgresTestServer.port()
        let database = String(setup.postgres.split(separator: "/").last!)
        let user = try CLI.run(["serve", "--db", "postgres://nobody_here@127.0.0.1:\(port)/\(database)", "--service-db", setup.sqlite], timeout: 60)
        XCTAssertEqual(user.status, 1, "\(user)")
        XCTAssertTrue(user.stderr.hasPrefix("lexgraph: error: PostgreSQL at 127.0.0.1:\(port) refused user 'nobody_here' for database '\(database)'"), user.stderr)

        try PostgresTestServer.run(port: port, database: database, "UPDATE store_meta SET value = '99' WHERE key = 'lexgraph_schema'")
        let newer = try CLI.run(["serve", "--db", setup.postgres, "--service-db", setup.sqlite], timeout: 60)
        XCTAssertEqual(newer.status, 1, "\(newer)")
        XCTAssertTrue(newer.stderr.contains("holds a Lexgraph graph of schema version 99; this lexgraph reads and writes version"), newer.stderr)
    }

    // MARK: Servers and requests

    /// A running `lexgraph serve` on a free loopback port.
    final class Replica {
        let process: Process
        let port: Int
        let stderr: LexgraphBinary.Collected
        let pipe: Pipe
        var base: String { "http://127.0.0.1:\(port)" }

        init(process: Process, port: Int, stderr: LexgraphBinary.Collected, pipe: Pipe) {
            self.process = process
            self.port = port
            self.stderr = stderr
            self.pipe = pipe
        }

        static func start(_ arguments: [String]) throws -> Replica {
            let process = Process()
            process.executableURL = try CLI.binary()
            process.arguments = ["serve"] + arguments
            process.environment = CLI.environment(["LEXGRAPH_BIND": "127.0.0.1:0", "LEXGRAPH_LOG_FORMAT": "text", "LEXGRAPH_LOG_LEVEL": "warning"])
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            let stderr = LexgraphBinary.Collected()
            err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
            try process.run()
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, process.isRunning {
                if let match = stderr.text.range(of: "listening on http://127\\.0\\.0\\.1:[0-9]+", options: .regularExpression),
                   let port = Int(stderr.text[match].split(separator: ":").last ?? "") {
                    return Replica(process: process, port: port, stderr: stderr, pipe: err)
                }
                usleep(50_000)
            }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            throw CLI.Failure(description: "lexgraph serve \(arguments) did not start: \(stderr.text)")
        }

        /// SIGKILL when still running (the test's clean-up).
        func kill() {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }

        /// SIGTERM, then its exit status once it has stopped (its log read to the end).
        func stop() -> Int32 {
            Glibc.kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
            stderr.append(pipe.fileHandleForReading.readDataToEndOfFile())
            return process.terminationStatus
        }
    }

    struct Reply {
        var status: Int
        var text: String
        /// Set when no connection could be made (nothing was sent).
        var refused = false
        var error: String?
    }

    /// One request, waited for.
    static func send(_ url: String, token: String? = nil, body: String? = nil, contentType: String = "application/json") throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = body == nil ? "GET" : "POST"
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let box = ReplyBox()
        URLSession.shared.dataTask(with: request) { data, response, error in
            var reply = Reply(status: (response as? HTTPURLResponse)?.statusCode ?? -1, text: String(decoding: data ?? Data(), as: UTF8.self))
            if let error = error as? URLError {
                // Refused, or reset before any answer: a connection still in the stopped
                // replica's accept queue when its listener closed (nothing was processed).
                reply.refused = error.code == .cannotConnectToHost || (error.code == .networkConnectionLost && response == nil && (data ?? Data()).isEmpty)
                reply.error = "\(error.code.rawValue): \(error.localizedDescription)"
            } else if let error {
                reply.error = "\(error)"
            }
            box.set(reply)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 60) == .success else { throw CLI.Failure(description: "\(url): no answer in 60 s") }
        return box.get()!
    }

    final class ReplyBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Reply?
        func set(_ v: Reply) { lock.lock(); value = v; lock.unlock() }
        func get() -> Reply? { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// Clients sending the same query round-robin to the replicas; a request that could
    /// not connect (or was reset with no answer) goes to the next replica (as a load balancer retries a refused
    /// connection); any other failure, or an answer unlike `expected`, is recorded.
    final class LoadGenerator: @unchecked Sendable {
        let replicas: [String]
        let token: String
        let body: String
        let expected: String
        private let lock = NSLock()
        private var counts: [Int]
        private var failed: [String] = []
        private var retries = 0
        private var stopping = false
        private let group = DispatchGroup()

        init(replicas: [String], token: String, body: String, expected: String) {
            self.replicas = replicas
            self.token = token
            self.body = body
            self.expected = expected
            counts = replicas.map { _ in 0 }
        }

        func answered(by replica: Int) -> Int { lock.lock(); defer { lock.unlock() }; return counts[replica] }
        var failures: [String] { lock.lock(); defer { lock.unlock() }; return failed }
        var retried: Int { lock.lock(); defer { lock.unlock() }; return retries }

        func start(clients: Int) {
            for client in 0 ..< clients {
                group.enter()
                Thread.detachNewThread { [self] in
                    var next = client
                    while !isStopping {
                        request(startingAt: next % replicas.count)
                        next += 1
                    }
                    group.leave()
                }
            }
        }

        func finish() {
            lock.lock()
            stopping = true
            lock.unlock()
            group.wait()
        }

        private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

        private func request(startingAt first: Int) {
            for attempt in 0 ..< replicas.count {
                let replica = (first + attempt) % replicas.count
                let reply: Reply
                do {
                    reply = try ServeReplicasTests.send(replicas[replica] + "/db/lexgraph/tx/commit", token: token, body: body)
                } catch {
                    record { $0.failed.append("\(self.replicas[replica]): \(error)") }
                    return
                }
                if reply.refused {
                    record { $0.retries += 1 }
                    continue
                }
                if reply.status == 200, reply.text == expected {
                    record { $0.counts[replica] += 1 }
                } else {
                    record { $0.failed.append("\(self.replicas[replica]): status \(reply.status), \(reply.error ?? ""): \(reply.text.prefix(300))") }
                }
                return
            }
            record { $0.failed.append("no replica accepted a connection") }
        }

        private func record(_ change: (LoadGenerator) -> Void) {
            lock.lock()
            change(self)
            lock.unlock()
        }
    }
}
