import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Ontology
import Query
import XCTest

/// Queries that start from an identifier (`{usid: '367US643'}`) are answered through an
/// expression index on that property, which the store keeps for every property the
/// ontology declares with an identifier format, and start there rather than at every
/// edge of the relationship type.
final class IdentifierIndexTests: XCTestCase {
    func store() throws -> GraphStore {
        let text = try String(contentsOfFile: QueryEngineTests.root.appendingPathComponent("ontology/legal-core.yaml").path, encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text)
        try store.write { w in
            for (key, usid, year) in [("mapp", "367US643", 1961), ("weeks", "232US383", 1914), ("terry", "392US1", 1968), ("katz", "389US347", 1967)] {
                try w.upsert(NodeInput(key: key, type: "SupremeCourtCase", properties: [
                    "name": .string(key.capitalized), "usid": .string(usid), "decision_date": .string("\(year)-06-01")]))
            }
            for (from, to) in [("mapp", "weeks"), ("terry", "mapp"), ("terry", "weeks"), ("katz", "mapp")] {
                try w.upsert(EdgeInput(key: "\(from)>\(to)", type: "CITES", from: from, to: to))
            }
        }
        return store
    }

    func indexes(_ store: GraphStore) throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'node_ident_%' ORDER BY name")
        }
    }

    func plan(_ engine: QueryEngine, _ text: String, _ parameters: [String: CypherValue] = [:]) throws -> String {
        try engine.run("EXPLAIN " + text, parameters: parameters).explanation?.joined(separator: "\n") ?? ""
    }

    func testEveryIdentifierPropertyOfTheOntologyIsIndexed() throws {
        XCTAssertEqual(try indexes(try store()), ["node_ident_application_number", "node_ident_ecli", "node_ident_hudoc_item",
                                                  "node_ident_scdb_case_id", "node_ident_us_cite", "node_ident_usid"])
    }

    func testAQueryFromAnIdentifierStartsAtItsIndex() throws {
        let engine = QueryEngine(store: try store())
        for text in ["MATCH (m:SupremeCourtCase {usid: '367US643'})<-[:CITES]-(c) RETURN c.name AS name ORDER BY name",
                     "MATCH (c)-[:CITES]->(m:SupremeCourtCase) WHERE m.usid = $u RETURN c.name AS name ORDER BY name"] {
            XCTAssertEqual(try engine.run(text, parameters: ["u": .string("367US643")]).rows, [[.string("Katz")], [.string("Terry")]])
            let explained = try plan(engine, text, ["u": .string("367US643")])
            let steps = explained.split(separator: "\n").filter { $0.hasPrefix("-- plan:") }
            XCTAssertTrue(steps.first?.contains("node_ident_usid") ?? false, explained)
            XCTAssertFalse(explained.contains("edge_by_type"), explained)
        }
        // Both ends pinned: the co-citing cases.
        let both = "MATCH (w:SupremeCourtCase {usid: '232US383'})<-[:CITES]-(c)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'}) RETURN c.name AS name"
        XCTAssertEqual(try engine.run(both).rows, [[.string("Terry")]])
        XCTAssertFalse(try plan(engine, both).contains("edge_by_type"))
        // Unpinned, the relationship type's index is still the way in.
        XCTAssertTrue(try plan(engine, "MATCH (a)-[:OVERRULES]->(b) RETURN a, b").contains("edge_by_type"))
    }

    func testAnUpdateAddingAnIdentifierPropertyAddsItsIndexInTheSameTransaction() throws {
        let store = try store()
        let update = try OntologyUpdate(yaml: """
            update: 2
            date: 2026-11-29
            base_version: 1
            description: docket numbers
            changes:
              - op: add_property
                node_type: SupremeCourtCase
                name: docket_case_id
                definition: {type: string, format: scdb_case_id}
            """, file: "u.yaml")
        _ = try store.applyOntologyUpdate(update)
        XCTAssertTrue(try indexes(store).contains("node_ident_docket_case_id"))
        // A rejected update leaves no index behind.
        let bad = try OntologyUpdate(yaml: """
            update: 3
            date: 2026-11-29
            base_version: 2
            description: not applicable
            changes:
              - op: add_property
                node_type: SupremeCourtCase
                name: other_id
                definition: {type: string, format: scdb_case_id, required: true}
            """, file: "bad.yaml")
        XCTAssertThrowsError(try store.applyOntologyUpdate(bad))
        XCTAssertFalse(try indexes(store).contains("node_ident_other_id"))
    }

    func testKeysThatAreNotPlainIdentifiersAreStillBound() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("CREATE (:X {`odd key`: 1, plain: 2})", options: QueryOptions(write: true))
        XCTAssertEqual(try engine.run("MATCH (n:X {`odd key`: 1}) RETURN n.plain AS p").rows, [[.int(2)]])
        let explained = try plan(engine, "MATCH (n:X {`odd key`: 1, plain: 2}) RETURN n")
        let sql = explained.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        XCTAssertTrue(sql.contains("'$.\"plain\"'"), explained)
        XCTAssertFalse(sql.contains("odd key"), explained)
        XCTAssertEqual(try engine.run("MATCH (n) WHERE n.`x') OR 1=1 --` = 1 RETURN count(*) AS c").rows, [[.int(0)]])
    }
}
