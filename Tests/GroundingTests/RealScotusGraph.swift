import Foundation
import GRDB
import GraphStore
import Grounding
import LexgraphCore
import XCTest
import TestRequirements

/// The real SCOTUS graph (graphs/scotus.yaml over the shared data), built once per test
/// run into a temporary file with the loader, plus helpers to make dated variants of it.
enum RealScotusGraph {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var dataFolder: URL? {
        let path = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"] ?? root.appendingPathComponent("../shared/data").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }

    static let folder: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-grounding-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Removes the temporary folder (the tests' class tear-down calls it).
    static func removeFolder() {
        cached = nil
        try? FileManager.default.removeItem(at: folder)
    }

    /// (store, grounding graph) of the unmodified build; nil without the shared data.
    nonisolated(unsafe) private static var cached: (GraphStore, GroundingGraph)?

    static func shared() throws -> (GraphStore, GroundingGraph) {
        if let cached { return cached }
        guard let data = dataFolder else { throw TestRequirements.missing("shared data folder not found (set LEXGRAPH_DATA)") }
        let store = try BuildCatalog.openForBuild(path: folder.appendingPathComponent("scotus.sqlite").path, root: root)
        let recipes = try BuildCatalog.recipes(at: root.appendingPathComponent("graphs/scotus.yaml").path)
        let start = Date()
        _ = try GraphLoader(store: store, dataFolder: data).load(recipes)
        print("grounding tests: built the SCOTUS graph in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        let graph = try GroundingGraph(store: store)
        cached = (store, graph)
        return (store, graph)
    }

    /// A copy of the shared build with `sql` applied (statements separated by `;`),
    /// loaded as a grounding graph.
    static func variant(_ name: String, sql: [String], arguments: [StatementArguments]) throws -> GroundingGraph {
        let (store, _) = try shared()
        let path = folder.appendingPathComponent("\(name).sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        try store.database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        let copy = try GraphStore(path: path, create: false)
        try copy.write { writer in
            for (statement, args) in zip(sql, arguments) { try writer.db.execute(sql: statement, arguments: args) }
        }
        return try GroundingGraph(store: copy)
    }
}
