import Foundation
import GraphStore
import LexgraphCore
import PostgresStore
import Query
import TestRequirements
import XCTest

/// How many statements (round trips to the server) a query on PostgreSQL costs, counted
/// by the store: a query seen before costs the ontology stamp and one statement per
/// MATCH, and a node it returns one more read (its properties and labels together).
final class PostgresRoundTripTests: XCTestCase {
    /// The seeded legal graph in SQLite and copied to a fresh PostgreSQL database, both
    /// removed after the test.
    func legalGraphOnBothBackends(_ name: String) throws -> (GraphStore, PostgresGraphStore) {
        let url = try PostgresTestServer.freshDatabase(name)
        addTeardownBlock { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let store = try PostgresDifferentialTests.legalGraph(in: dir)
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        addTeardownBlock { server.close() }
        try server.replaceGraph(with: store)
        return (store, server)
    }

    func testAQueryCostsOneStatementPerMatchAfterTheStamp() throws {
        let (store, server) = try legalGraphOnBothBackends("roundtrips")
        let sqlite = QueryEngine(store: store), postgres = RemoteQueryEngine(graph: server)
        func statements(_ text: String, _ parameters: [String: CypherValue] = [:]) throws -> (count: Int, rows: [[CypherValue]]) {
            _ = try postgres.run(text, parameters: parameters)  // parses, binds, loads the ontology
            let before = server.statementsSent
            let result = try postgres.run(text, parameters: parameters)
            XCTAssertEqual(result.rows, try sqlite.run(text, parameters: parameters).rows, text)
            return (server.statementsSent - before, result.rows)
        }
        // The benchmark's one hop, anchored: the stamp and the MATCH.
        let hop = "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
        XCTAssertEqual(try statements(hop, ["start": .int(1)]).count, 2)
        // Unanchored, of a common type: no frequency question on PostgreSQL.
        XCTAssertEqual(try statements("MATCH (a)-[:CITES]->(b) RETURN count(*) AS n").count, 2)
        // Reading nodes: one statement per distinct node (properties and labels together),
        // not two.
        let busiest = try sqlite.run("MATCH (a)-[:CITES]->(b) RETURN id(a) AS id, count(DISTINCT b) AS n ORDER BY n DESC, id LIMIT 1").rows[0]
        let read = try statements("MATCH (a)-[:CITES]->(b) WHERE id(a) = $start WITH DISTINCT b RETURN b.name AS name, labels(b) AS labels, id(b) AS id ORDER BY name, id",
                                  ["start": busiest[0]])
        XCTAssertEqual(.int(Int64(read.rows.count)), busiest[1])
        XCTAssertGreaterThan(read.rows.count, 1)
        XCTAssertEqual(read.count, 2 + read.rows.count)
    }

    /// A query sent again gives the same rows as on SQLite, and a changed ontology between
    /// two runs of the same query is still seen.
    func testARepeatedQuerySeesAnOntologyChange() throws {
        let (store, server) = try legalGraphOnBothBackends("stamp")
        let sqlite = QueryEngine(store: store), postgres = RemoteQueryEngine(graph: server)

        let hop = "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
        for start in [1, 2, 1] {
            XCTAssertEqual(try postgres.run(hop, parameters: ["start": .int(Int64(start))]).rows,
                           try sqlite.run(hop, parameters: ["start": .int(Int64(start))]).rows)
        }

        // The stamp: an unknown label is refused under the ontology, accepted once the
        // graph is schema-free, and refused again after; the same engine, the same text.
        let text = "MATCH (n:NoSuchLabel) RETURN count(n) AS n"
        func setMode(_ mode: String) throws {
            _ = try server.stagedWrite(dryRun: false) { path in
                try GraphStore(path: path, mode: .readWrite, key: .noKey).writeTransaction { db in
                    try db.execute(sql: "INSERT OR REPLACE INTO store_meta(key, value) VALUES ('mode', ?)", arguments: [mode])
                }
            }
        }
        XCTAssertThrowsError(try postgres.run(text)) { XCTAssertTrue("\($0)".contains("unknown label 'NoSuchLabel'"), "\($0)") }
        try setMode("permissive")
        XCTAssertEqual(try postgres.run(text).rows, [[.int(0)]])
        try setMode("ontology")
        XCTAssertThrowsError(try postgres.run(text)) { XCTAssertTrue("\($0)".contains("unknown label 'NoSuchLabel'"), "\($0)") }
    }
}
