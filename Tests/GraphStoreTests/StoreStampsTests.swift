import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Ontology
import XCTest

/// The ontology stamp and the graph generation (`StoreStamps`) are read from their tables
/// again only after a commit, and every kind of commit is seen by the next read: a
/// connection's own writes, another store object's, and a connection that is no store
/// (as another process's would be).
final class StoreStampsTests: XCTestCase {
    func testStampsAreReadAgainOnlyAfterACommit() throws {
        let path = NSTemporaryDirectory() + "lexgraph-stamps-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let writer = try GraphStore(path: path, create: true)
        try writer.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        try writer.write { w in for i in 0..<2 { _ = try w.upsert(NodeInput(key: "k\(i)", type: "K")) } }
        let reader = try GraphStore(path: path, mode: .readOnly)
        func stamps(_ store: GraphStore) throws -> (ontology: String, generation: Int) {
            try store.read { db in (try GraphReads.ontologyStamp(db), try GraphReads.graphGeneration(db)) }
        }

        let first = try stamps(reader)
        let reads = StoreStamps.shared.reads
        for _ in 0..<5 { XCTAssertTrue(try stamps(reader) == first) }
        XCTAssertEqual(StoreStamps.shared.reads, reads, "nothing was committed: the kept stamps answer")

        // The writer's commit: a new generation on the reader's connection and its own.
        try writer.write { w in _ = try w.upsert(EdgeInput(key: "e", type: "E", from: "k0", to: "k1")) }
        let afterEdge = try stamps(reader)
        XCTAssertNotEqual(afterEdge.generation, first.generation)
        XCTAssertTrue(try stamps(writer) == afterEdge)

        // A write on the writer's own connection does not move its `data_version`; its
        // change count does.
        try writer.database.write { db in
            try db.execute(sql: "UPDATE ontology_version SET checksum = 'own' WHERE version = (SELECT max(version) FROM ontology_version)")
        }
        XCTAssertTrue(try stamps(writer).ontology.contains(":own:"))
        XCTAssertTrue(try stamps(reader).ontology.contains(":own:"))

        // Another store object on the same file.
        let other = try GraphStore(path: path)
        try other.database.write { db in
            try db.execute(sql: "UPDATE ontology_version SET checksum = 'other' WHERE version = (SELECT max(version) FROM ontology_version)")
        }
        XCTAssertTrue(try stamps(reader).ontology.contains(":other:"))
        XCTAssertTrue(try stamps(writer).ontology.contains(":other:"))

        // A plain SQLite connection, no store.
        let plain = try DatabaseQueue(path: path)
        try plain.write { db in try db.execute(sql: "UPDATE store_meta SET value = '12345' WHERE key = 'lexgraph_generation'") }
        XCTAssertEqual(try stamps(reader).generation, 12345)
        XCTAssertEqual(try stamps(writer).generation, 12345)
        XCTAssertEqual(try stamps(other).generation, 12345)
    }
}
