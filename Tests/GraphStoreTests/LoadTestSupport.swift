import Foundation
import GRDB
import GraphStore
import XCTest

/// Paths and small builders shared by the loader tests.
enum LoadTestSupport {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared data folder: `$LEXGRAPH_DATA` or `<root>/../shared/data`; nil when absent.
    static var dataFolder: URL? {
        let path = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"] ?? root.appendingPathComponent("../shared/data").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }

    /// A fresh temporary folder, removed when the test ends.
    static func tempFolder(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A new database file in `dir` with ontology/legal-core.yaml installed.
    static func newStore(in dir: URL, name: String = "graph.sqlite") throws -> GraphStore {
        try BuildCatalog.openForBuild(path: dir.appendingPathComponent(name).path, root: root)
    }

    /// The ontology version `newStore` ends at: legal-core (1) plus each shipped update
    /// (`ontology/updates/NNNN-...yaml`), so tests follow new updates without edits.
    static var shippedOntologyVersion: Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("ontology/updates").path)) ?? []
        return 1 + names.filter { $0.hasSuffix(".yaml") && $0.prefix(4).allSatisfy(\.isNumber) }.count
    }

    /// Writes `files` (name -> content) into `dir`.
    static func write(_ files: [String: String], in dir: URL) throws {
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    static func recipe(_ yaml: String, in dir: URL, name: String = "recipe.yaml") throws -> Recipe {
        let url = dir.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe(contentsOf: url.path, displayName: name)
    }

    static func count(_ store: GraphStore, _ table: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    /// A generic recipe: nodes from a JSONL file (`key`, `type`, `props`) and edges from a
    /// CSV file (`type`, `from`, `to`).
    static let genericRecipe = """
        recipe: generic
        sources:
          - file: nodes.jsonl
            nodes:
              - {key: "{key}", type: "{type}", properties_from: props}
          - file: edges.csv
            edges:
              - {type: "{type}", from: "{from}", to: "{to}"}
        """

    /// Runs the generic recipe over the given node lines and edge rows; returns the
    /// failure it must produce.
    static func expectFailure(_ test: XCTestCase, nodes: [String], edges: [String] = [],
                              file: StaticString = #filePath, line: UInt = #line) throws -> (LoadFailure, GraphStore) {
        let dir = try tempFolder(test)
        try write(["nodes.jsonl": nodes.joined(separator: "\n") + "\n",
                   "edges.csv": (["type,from,to"] + edges).joined(separator: "\n") + "\n"], in: dir)
        let store = try newStore(in: dir)
        let loader = GraphLoader(store: store, dataFolder: dir)
        do {
            try loader.load([try recipe(genericRecipe, in: dir)])
        } catch let failure as LoadFailure {
            XCTAssertEqual(try count(store, "node"), 0, "nothing may be written", file: file, line: line)
            XCTAssertEqual(try count(store, "edge"), 0, "nothing may be written", file: file, line: line)
            return (failure, store)
        }
        XCTFail("the load should have failed", file: file, line: line)
        throw LoadDidNotFail()
    }
}

/// Thrown after `XCTFail` when a load that had to fail succeeded: the caller cannot go on.
struct LoadDidNotFail: Error {}
