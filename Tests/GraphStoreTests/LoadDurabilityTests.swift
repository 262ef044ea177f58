import Foundation
import GRDB
import GraphStore
import XCTest
import TestRequirements

/// The real process, for real: a load killed with SIGKILL half-way leaves the database
/// exactly as it was, and readers keep reading (the old state) while a load runs.
final class LoadDurabilityTests: XCTestCase {
    typealias S = LoadTestSupport


    /// Collects a child's stderr as it arrives.
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ data: Data) { lock.lock(); text += String(decoding: data, as: UTF8.self); lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    /// A database holding a small baseline graph, and a big synthetic load (nodes and
    /// CITES edges) ready to run against it.
    private func prepare(nodes: Int, edges: Int) throws -> (dir: URL, db: String, recipe: URL, baseline: (Int, Int)) {
        let dir = try S.tempFolder(self)
        var small = "key,name\n"
        for i in 0..<10 { small += "base:\(i),Base \(i)\n" }
        var bigNodes = "key,name,date\n"
        bigNodes.reserveCapacity(nodes * 40)
        for i in 0..<nodes { bigNodes += "syn:\(i),Case \(i),\(1800 + i % 200)-0\(1 + i % 9)-1\(i % 9)\n" }
        var bigEdges = "from,to\n"
        bigEdges.reserveCapacity(edges * 24)
        var x: UInt64 = 42
        for i in 0..<edges {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let from = 1 + i % (nodes - 1)
            bigEdges += "syn:\(from),syn:\(Int(x >> 33) % from)\n"
        }
        try S.write(["small.csv": small, "nodes.csv": bigNodes, "edges.csv": bigEdges], in: dir)
        let smallRecipe = try S.recipe("""
            recipe: small
            sources:
              - file: small.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
            """, in: dir, name: "small.yaml")
        _ = try S.recipe("""
            recipe: big
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, decision_date: date}}]
              - file: edges.csv
                edges: [{type: CITES, from: "{from}", to: "{to}", key: "c{_row}"}]
            """, in: dir, name: "big.yaml")
        let store = try S.newStore(in: dir)
        try GraphLoader(store: store, dataFolder: dir).load([smallRecipe])
        return (dir, dir.appendingPathComponent("graph.sqlite").path, dir.appendingPathComponent("big.yaml"), (try S.count(store, "node"), try S.count(store, "edge")))
    }

    private func spawnLoad(_ recipe: URL, db: String, data: URL) throws -> (Process, Output) {
        let process = Process()
        process.executableURL = try LexgraphBinary.url()
        process.arguments = ["load", recipe.path, "--db", db, "--data", data.path]
        process.currentDirectoryURL = S.root
        let err = Pipe(), output = Output()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        return (process, output)
    }

    private func waitFor(_ text: String, in output: Output, process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.value.contains(text) { return true }
            if !process.isRunning { return output.value.contains(text) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    func testSIGKILLHalfwayLeavesTheDatabaseAsBefore() throws {
        let (dir, db, recipe, baseline) = try prepare(nodes: 20_000, edges: 200_000)
        let (process, output) = try spawnLoad(recipe, db: db, data: dir)
        // Kill once edges are being written: the transaction is open and has pages in the WAL.
        XCTAssertTrue(waitFor("50000 edges written", in: output, process: process, seconds: 120), "stderr: \(output.value)")
        XCTAssertTrue(process.isRunning, "the load finished before it could be killed; stderr: \(output.value)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGKILL)

        let store = try GraphStore(path: db)
        let check = try store.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        XCTAssertEqual(check, ["ok"])
        XCTAssertEqual(try S.count(store, "node"), baseline.0)
        XCTAssertEqual(try S.count(store, "edge"), baseline.1)
        XCTAssertEqual(try S.count(store, "node_fts"), 0)
        XCTAssertEqual(try store.read { db in try String.fetchAll(db, sql: "SELECT status FROM load_log") }, ["ok"], "only the baseline load is logged")
    }

    func testReadersKeepReadingTheOldStateWhileALoadRuns() throws {
        let (dir, db, recipe, baseline) = try prepare(nodes: 10_000, edges: 100_000)
        let reader = try GraphStore(path: db)
        let (process, output) = try spawnLoad(recipe, db: db, data: dir)
        XCTAssertTrue(waitFor("writing", in: output, process: process, seconds: 120), "stderr: \(output.value)")
        var readsDuringLoad = 0
        while process.isRunning {
            let n = try S.count(reader, "node")   // must neither block nor fail with SQLITE_BUSY
            // All or nothing: the old state until the commit, then the whole load.
            XCTAssertTrue(n == baseline.0 || n == baseline.0 + 10_000, "a reader saw a partial load: \(n) nodes")
            if n == baseline.0 { readsDuringLoad += 1 }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(process.terminationStatus, 0, "stderr: \(output.value)")
        XCTAssertGreaterThan(readsDuringLoad, 5)
        XCTAssertEqual(try S.count(reader, "node"), baseline.0 + 10_000)
        XCTAssertEqual(try S.count(reader, "edge"), baseline.1 + 100_000)
    }
}
