import Foundation
import TestRequirements
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The real `lexgraph` binary, run as a user runs it, and the shared database of the real
/// graphs the CLI tests read (built once per test run by the README's own build command).
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The `lexgraph` binary (`LexgraphBinary`: next to this test bundle, or
    /// `LEXGRAPH_TEST_BINARY`). Missing fails under CI.
    static func binary() throws -> URL { try LexgraphBinary.url() }

    /// What one run printed and how it ended.
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
        var description: String { "exit \(status)\n--- stdout:\n\(stdout.prefix(3000))\n--- stderr:\n\(stderr.prefix(3000))" }
    }

    /// Environment for a child: the caller's, minus Lexgraph's own variables (a test says
    /// which ones it sets), HOME in this run's temporary folder (the shell's history).
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEXGRAPH_") }
        env["HOME"] = SharedGraph.shared.home
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs `lexgraph ARGS` in `directory` (the package root by default) with `input` on
    /// stdin, and waits for it (at most `timeout` seconds; then it is killed and fails).
    static func run(_ arguments: [String], input: String = "", in directory: URL? = nil,
                    environment extra: [String: String] = [:], timeout: TimeInterval = 600) throws -> Result {
        let r = try LexgraphBinary.run(arguments, in: directory ?? root, input: input, environment: environment(extra), timeout: timeout)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// A fresh temporary folder, removed after the test.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A small citation graph's recipe in a fresh folder: `nodes` is a CSV of
    /// `key,name,date` rows (SupremeCourtCase nodes), `edges` of `from,to` rows (CITES).
    /// Returns the folder, which holds `recipe.yaml` and the two files.
    static func citationRecipe(_ test: XCTestCase, nodes: String, edges: String) throws -> URL {
        let dir = try temporaryFolder(test)
        try ("key,name,date\n" + nodes).write(to: dir.appendingPathComponent("nodes.csv"), atomically: true, encoding: .utf8)
        try ("from,to\n" + edges).write(to: dir.appendingPathComponent("edges.csv"), atomically: true, encoding: .utf8)
        try """
            recipe: citations
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, decision_date: date}}]
              - file: edges.csv
                edges: [{type: CITES, from: "{from}", to: "{to}", key: "c{_row}"}]
            """.write(to: dir.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// The graph of `citationRecipe` loaded by `lexgraph load --init` into a SQLite file
    /// in its folder. Returns the database path.
    static func citationGraph(_ test: XCTestCase, nodes: String, edges: String) throws -> String {
        let dir = try citationRecipe(test, nodes: nodes, edges: edges)
        let db = dir.appendingPathComponent("g.sqlite").path
        let load = try run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path])
        guard load.status == 0 else { throw Failure(description: "the test graph did not load: \(load)") }
        return db
    }

    /// One JSON object per line (JSON Lines), or a failure naming the line.
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").enumerated().map { i, line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(description: "line \(i + 1) is not a JSON object: \(line.prefix(200))")
            }
            return object
        }
    }
}

/// The real graphs, built once per test run into a temporary folder by the README's own
/// build command (`lexgraph build scotus echr --db PATH`, its path replaced) and removed
/// when the test bundle finishes.
final class SharedGraph: NSObject, XCTestObservation, @unchecked Sendable {
    static let shared = SharedGraph()

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-cli-graph-\(UUID().uuidString)")
    /// HOME of every child (`lexgraph shell` appends to ~/.lexgraph_history).
    let home: String
    private var built: Result<(path: String, build: CLI.Result), Error>?
    private let lock = NSLock()

    /// The database path; the first call builds it.
    static func database() throws -> String { try shared.build().path }

    /// The build command's own run (its output is checked by the README test).
    static func buildRun() throws -> CLI.Result { try shared.build().build }

    private func build() throws -> (path: String, build: CLI.Result) {
        lock.lock(); defer { lock.unlock() }
        if let built { return try built.get() }
        let outcome = Result { () throws -> (path: String, build: CLI.Result) in
            let path = folder.appendingPathComponent("legal.sqlite").path
            let command = try ReadmeExamples.buildCommand()
            let started = Date()
            let run = try CLI.run(command.replacingDatabase(with: path))
            print("CLI tests: built the shared graph in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            guard run.status == 0 else { throw CLI.Failure(description: "the README's build command failed: \(run)") }
            return (path, run)
        }
        built = outcome
        return try outcome.get()
    }

    override init() {
        home = folder.appendingPathComponent("home").path
        super.init()
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        XCTestObservationCenter.shared.addTestObserver(self)
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        try? FileManager.default.removeItem(at: folder)
    }
}
