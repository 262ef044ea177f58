import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GraphStore
import LexgraphCore
import Logging
import Ontology
import Query
import ServiceLifecycle
import XCTest
import Server

/// A real `LexgraphServer` on a loopback port over a small legal graph in a temporary
/// file, spoken to over TCP, with one API token per role.
final class ServerHarness: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let folder: URL
    let databasePath: String
    let server: LexgraphServer
    let group: ServiceGroup
    let running: Task<Void, Error>
    let port: Int
    /// A token per role, and one revoked (it was a reader).
    var tokens: [Role: String] = [:]
    var revokedToken = ""
    let logLines = Lines()

    var base: String { "http://127.0.0.1:\(port)" }

    /// Lines a test's log handler received.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    /// Builds the graph, makes the tokens and starts the server with `configure`'s
    /// changes to the default configuration (port 0: any free port).
    /// `graph` makes the database at a path (default: `legalStore`).
    init(_ configure: (inout ServerConfig) -> Void = { _ in }, graph: (String) throws -> GraphStore = ServerHarness.legalStore(at:)) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appendingPathComponent("graph.sqlite").path
        let store = try graph(databasePath)
        let issuer = APITokens(store: store)
        var tokens: [Role: String] = [:]
        for role in Role.allCases { tokens[role] = try issuer.create(name: "test \(role.rawValue)", role: role).token }
        let revoked = try issuer.create(name: "former reader", role: .reader)
        _ = try issuer.revoke(revoked.stored.id)
        self.tokens = tokens
        revokedToken = revoked.token

        var config = ServerConfig()
        config.databasePath = databasePath
        config.port = 0
        configure(&config)
        let lines = logLines
        var logger = Logger(label: "test") { label in JSONLogHandler(label: label) { lines.append($0) } }
        logger.logLevel = .info
        server = try LexgraphServer(config: config, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        group = server.serviceGroup(signals: []) { _, port in continuation.yield(port); continuation.finish() }
        let group = self.group
        running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw Failure("the server did not start") }
        self.port = port
    }

    /// Stops the server gracefully and removes the folder (unless `keepingFiles`).
    func stop(keepingFiles: Bool = false) async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        if !keepingFiles { try? FileManager.default.removeItem(at: folder) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// legal-core with three cases and two citations (as QueryEngineTests' store), in a file.
    static func legalStore(at path: String) throws -> GraphStore {
        let ontologyPath = root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: ontologyPath, encoding: .utf8)
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(try Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text, source: "test", summary: "initial")
        try store.write { w in
            try w.upsert(NodeInput(key: "old", type: "SupremeCourtCase", properties: [
                "name": .string("Old v. Landlord"), "decision_date": .string("1960-03-01")]))
            try w.upsert(NodeInput(key: "new", type: "SupremeCourtCase", properties: [
                "name": .string("New v. City"), "decision_date": .string("1990-05-02")]))
            try w.upsert(NodeInput(key: "echr", type: "ECtHRCase", properties: [
                "name": .string("Tenant v. State"), "decision_date": .string("2005-07-07")]))
            try w.upsert(EdgeInput(key: "c1", type: "CITES", from: "new", to: "old"))
            try w.upsert(EdgeInput(key: "c2", type: "CITES", from: "echr", to: "new"))
        }
        return store
    }

    // MARK: HTTP

    struct Reply: CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// `{"error": {...}}`'s fields.
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        var description: String { "HTTP \(status) \(headers)\n\(text.prefix(2000))" }
    }

    func request(_ method: String, _ path: String, token: String? = nil, body: Data? = nil,
                 contentType: String? = "application/json", headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                guard let http = response as? HTTPURLResponse else { continuation.resume(throwing: Failure("no HTTP response")); return }
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
                continuation.resume(returning: Reply(status: http.statusCode, headers: headers, body: data ?? Data()))
            }.resume()
        }
    }

    /// `POST /db/lexgraph/tx/commit` with these statements (each a text and parameters).
    func transaction(_ statements: [(String, [String: Any])], role: Role = .reader, database: String = "lexgraph") async throws -> Reply {
        let body: [String: Any] = ["statements": statements.map { ["statement": $0.0, "parameters": $0.1] }]
        return try await request("POST", "/db/\(database)/tx/commit", token: tokens[role], body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Sends `bytes` over a plain TCP connection, then reads until the server closes it or
    /// `timeout` passes; returns what came back (for requests URLSession will not make).
    func raw(_ bytes: [UInt8], thenWait seconds: Double = 0, timeout: Double = 30, hangUp: Bool = false) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("connect() failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may close early (413): read what it said
            sent += n
        }
        if seconds > 0 { usleep(UInt32(seconds * 1e6)) }
        if hangUp { return "" }  // a client that goes away mid-request
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
            // One response is enough: stop once its body (Content-Length) is in.
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n"),
               let lengthLine = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
               let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
               text.utf8.count - text[..<end.upperBound].utf8.count >= length { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

extension XCTestCase {
    /// A started harness, stopped after the test.
    func startServer(_ configure: (inout ServerConfig) -> Void = { _ in },
                     graph: (String) throws -> GraphStore = ServerHarness.legalStore(at:)) async throws -> ServerHarness {
        let harness = try await ServerHarness(configure, graph: graph)
        addTeardownBlock { try await harness.stop() }
        return harness
    }
}
