import Foundation
import GRDB
import GraphStore
import XCTest

/// The bulk path of a load (a fresh table, over `indexRebuildThreshold` rows: indexes
/// dropped and rebuilt, foreign-key checks off for the transaction): the rows it writes
/// are the ones a row-by-row load writes, a re-load over them changes nothing, and a
/// bad endpoint still fails the whole load with its file:line.
final class BulkLoadTests: XCTestCase {
    typealias S = LoadTestSupport

    static let nodeCount = 1_500, edgeCount = 3_000

    /// Node keys `syn:0`..., names `Case i`, and `edgeCount` distinct edges i -> j (j < i),
    /// plus `extraEdges` rows appended as written.
    private func prepare(extraEdges: [String] = []) throws -> (dir: URL, store: GraphStore, recipe: Recipe, edges: [(String, String)]) {
        let dir = try S.tempFolder(self)
        var nodes = "key,name\n"
        for i in 0..<BulkLoadTests.nodeCount { nodes += "syn:\(i),Case \(i)\n" }
        var pairs: [(String, String)] = []
        var seen = Set<String>()
        var x: UInt64 = 7
        while pairs.count < BulkLoadTests.edgeCount {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let from = 1 + Int(x >> 33) % (BulkLoadTests.nodeCount - 1)
            let to = Int(x >> 13) % from
            if seen.insert("\(from)>\(to)").inserted { pairs.append(("syn:\(from)", "syn:\(to)")) }
        }
        let edges = "from,to\n" + (pairs.map { "\($0.0),\($0.1)" } + extraEdges).joined(separator: "\n") + "\n"
        try S.write(["nodes.csv": nodes, "edges.csv": edges], in: dir)
        let recipe = try S.recipe("""
            recipe: bulk
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
              - file: edges.csv
                edges: [{type: CITES, from: "{from}", to: "{to}"}]
            """, in: dir)
        return (dir, try S.newStore(in: dir), recipe, pairs)
    }

    private func foreignKeysOn(_ store: GraphStore) throws -> Bool? {
        try store.database.writeWithoutTransaction { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
    }

    func testBulkLoadWritesEveryEdgeBetweenTheRightNodesAndReloadsUnchanged() throws {
        let (dir, store, recipe, pairs) = try prepare()
        let loader = GraphLoader(store: store, dataFolder: dir)
        let first = try loader.load([recipe])
        XCTAssertEqual(first.counts.nodesInserted, BulkLoadTests.nodeCount)
        XCTAssertEqual(first.counts.edgesInserted, BulkLoadTests.edgeCount)

        // Each edge joins the nodes its row names, under the conventional key, in file order.
        let stored = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT e.key, a.key AS src, b.key AS dst FROM edge e JOIN node a ON a.id = e.src JOIN node b ON b.id = e.dst ORDER BY e.id")
        }
        XCTAssertEqual(stored.count, pairs.count)
        for (row, pair) in zip(stored, pairs) {
            XCTAssertEqual(row["src"] as String, pair.0)
            XCTAssertEqual(row["dst"] as String, pair.1)
            XCTAssertEqual(row["key"] as String, "CITES|\(pair.0)|\(pair.1)")
        }
        // The dropped indexes are back, the foreign keys hold and are checked again.
        let indexes = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('node', 'node_label', 'edge') ORDER BY name") }
        // (the node_ident_* ones are the ontology's identifier indexes: IdentifierIndexes;
        // edge_dated_by_type, partial, is the data horizon's: DataHorizon)
        XCTAssertEqual(indexes, ["edge_by_type", "edge_dated_by_type", "edge_in", "edge_out", "node_by_type", "node_ident_application_number", "node_ident_ecli",
                                 "node_ident_hudoc_item", "node_ident_scdb_case_id", "node_ident_us_cite", "node_ident_usid", "node_label_by_node"])
        XCTAssertEqual(try store.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.count, 0)
        XCTAssertEqual(try foreignKeysOn(store), true)

        // A re-load takes the upsert path and finds everything as it was.
        let second = try loader.load([recipe])
        XCTAssertEqual(second.counts, {
            var c = WriteCounts(); c.nodesUnchanged = BulkLoadTests.nodeCount; c.edgesUnchanged = BulkLoadTests.edgeCount; return c
        }())
        XCTAssertEqual(try S.count(store, "edge"), BulkLoadTests.edgeCount)
        XCTAssertEqual(try foreignKeysOn(store), true)
    }

    func testDanglingEndpointFailsABulkLoadWithItsLineAndWritesNothing() throws {
        let (dir, store, recipe, pairs) = try prepare(extraEdges: ["syn:5,syn:missing"])
        XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load([recipe])) { error in
            guard let failure = error as? LoadFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.total, 1)
            let message = failure.errors[0].description
            // Header on line 1, then one line per generated edge.
            XCTAssertTrue(message.hasPrefix("edges.csv:\(pairs.count + 2):"), message)
            XCTAssertTrue(message.contains("dangling endpoint: no node 'syn:missing'"), message)
        }
        XCTAssertEqual(try S.count(store, "node"), 0)
        XCTAssertEqual(try S.count(store, "edge"), 0)
        XCTAssertEqual(try foreignKeysOn(store), true)
    }

    func testDryRunOfABulkLoadKeepsNothingAndRestoresForeignKeys() throws {
        let (dir, store, recipe, _) = try prepare()
        let report = try GraphLoader(store: store, dataFolder: dir).load([recipe], dryRun: true)
        XCTAssertEqual(report.counts.edgesInserted, BulkLoadTests.edgeCount)
        XCTAssertEqual(try S.count(store, "node"), 0)
        XCTAssertEqual(try S.count(store, "edge"), 0)
        XCTAssertEqual(try foreignKeysOn(store), true)
    }
}
