import Foundation
import GraphStore
import LexgraphCore
import Query
import XCTest

/// The native variable-length operators over the adjacency cache (`NativeTraversal`)
/// must answer exactly as the SQL they replace (`QueryOptions.nativeTraversal = false`),
/// and the cache must never answer from a graph that has changed since it was read.
final class NativeTraversalTests: XCTestCase {
    static let native = QueryOptions()
    static var sql: QueryOptions {
        var o = QueryOptions()
        o.nativeTraversal = false
        return o
    }

    /// A seeded random multigraph written through the store's writer (as a load writes):
    /// 24 nodes, 90 edges of types R and S with self-loops, parallel edges and 2-cycles,
    /// and validity on a third of the edges and a sixth of the nodes, so that trails and
    /// walks differ and AS OF removes steps.
    func randomStore() throws -> (GraphStore, [Int64]) {
        let store = try GraphStore(inMemoryWith: .permissive)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        func date(_ year: Int) -> LegalDate { LegalDate(year: year, month: 1 + next(12), day: 1 + next(28))! }
        try store.write { w in
            for i in 0..<24 {
                let dated = next(6) == 0
                _ = try w.upsert(NodeInput(key: "n\(i)", type: "N", properties: ["k": .int(Int64(i))],
                                           validFrom: dated ? date(1995 + next(10)) : nil, validTo: dated && next(2) == 0 ? date(2008 + next(6)) : nil))
            }
            for j in 0..<90 {
                let a = next(24), b = next(4) == 0 ? next(24) : (a + 1 + next(3)) % 24
                let dated = next(3) == 0
                _ = try w.upsert(EdgeInput(key: "e\(j)", type: next(3) == 0 ? "S" : "R", from: "n\(a)", to: "n\(next(10) == 0 ? a : b)",
                                           validFrom: dated ? date(1990 + next(20)) : nil, validTo: dated && next(2) == 0 ? date(2005 + next(10)) : nil))
            }
        }
        let engine = QueryEngine(store: store)
        let ids = try engine.run("MATCH (n:N) RETURN id(n) ORDER BY n.k").rows.compactMap { row -> Int64? in
            if case .int(let i) = row[0] { return i }
            return nil
        }
        XCTAssertEqual(ids.count, 24)
        return (store, ids)
    }

    func firstInt(_ engine: QueryEngine, _ text: String) throws -> Int64 {
        guard case .int(let i)? = try engine.run(text).rows.first?.first else { XCTFail(text); return -1 }
        return i
    }

    /// Rows as a bag (the operators return them in another order than SQL).
    func bag(_ rows: [[CypherValue]]) -> [String] { rows.map { "\($0)" }.sorted() }

    func explain(_ engine: QueryEngine, _ text: String, _ parameters: [String: CypherValue] = [:]) throws -> String {
        try engine.run("EXPLAIN " + text, parameters: parameters).explanation?.joined(separator: "\n") ?? ""
    }

    /// The PROFILE line of the MATCH: says whether the cache was read by this query.
    func cacheLine(_ engine: QueryEngine, _ text: String) throws -> String {
        try engine.run("PROFILE " + text).profile?.map(\.clause).first { $0.contains("adjacency cache") } ?? "(SQL)"
    }

    func testRandomizedNativeMatchesSQL() throws {
        let (store, ids) = try randomStore()
        let engine = QueryEngine(store: store)
        let patterns = ["(a)-[:R*1..3]->(b)", "(a)<-[:R|S*..4]-(b)", "(a)-[*0..2]->(b)", "(a)-[:R*2..3]->(b)",
                        "(a)-[:R*1..2]-(b)", "(b)-[:S|R*1..3]->(a)", "(a)-[:R*0..0]->(b)", "(a)-[*1..4]-(b)"]
        let returns = ["count(*) AS n", "count(DISTINCT b) AS n, count(b) AS c, count(DISTINCT a) AS s",
                       "id(b) AS b, count(*) AS n ORDER BY n DESC, b", "b", "DISTINCT b"]
        var checked = 0
        for asOf in ["", " AS OF '2001-06-15'", " AS OF '2012-02-29'"] {
            for (i, id) in ids.enumerated() where i % 3 == 0 || asOf.isEmpty {
                for pattern in patterns {
                    for returning in returns {
                        let text = "MATCH \(pattern) WHERE id(a) = $s RETURN \(returning)" + asOf
                        let parameters: [String: CypherValue] = ["s": .int(id)]
                        let native = try engine.run(text, parameters: parameters, options: Self.native).rows
                        let sql = try engine.run(text, parameters: parameters, options: Self.sql).rows
                        XCTAssertEqual(bag(native), bag(sql), text + " with s = \(id)")
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 500)
        // Seeds that SQL selects (labels, properties, other conditions), and an end pinned by id.
        for asOf in ["", " AS OF '2004-04-04'"] {
            for text in ["MATCH (a:N {k: 3})-[:R*1..3]->(b)", "MATCH (a:N)-[:S*1..2]-(b) WHERE a.k < 5",
                         "MATCH (a:N)<-[:R|S*..3]-(b) WHERE a.k % 4 = 1 AND id(b) = $s", "MATCH (b)<-[*2..3]-(a:N {k: 7})"] {
                for returning in returns {
                    let query = text + " RETURN " + returning + asOf
                    let parameters: [String: CypherValue] = ["s": .int(ids[5])]
                    XCTAssertEqual(bag(try engine.run(query, parameters: parameters, options: Self.native).rows),
                                   bag(try engine.run(query, parameters: parameters, options: Self.sql).rows), query)
                    XCTAssertTrue(try explain(engine, query, parameters).contains("native"), query)
                }
            }
        }
        // A seed bound by an earlier clause (per row), an OPTIONAL MATCH, and both ends pinned.
        for text in ["MATCH (a:N) WHERE a.k < 12 MATCH (a)-[:R*1..2]->(b) RETURN id(a) AS a, id(b) AS b",
                     "MATCH (a:N) OPTIONAL MATCH (a)<-[:S*1..2]-(b) RETURN id(a) AS a, id(b) AS b",
                     "MATCH (a:N), (c:N) WHERE a.k = 3 AND c.k < 9 MATCH (a)-[:R*1..3]->(c) RETURN id(c) AS c, count(*) AS n",
                     "MATCH (a:N) WHERE a.k % 5 = 0 MATCH (a)-[*1..2]-(b) RETURN DISTINCT id(b) AS b AS OF '2003-03-03'"] {
            XCTAssertEqual(bag(try engine.run(text, options: Self.native).rows), bag(try engine.run(text, options: Self.sql).rows), text)
            XCTAssertTrue(try explain(engine, text).contains("native"), text)
        }
    }

    func testExplainNamesTheOperatorAndSQLRemainsTheFallback() throws {
        let (store, ids) = try randomStore()
        let engine = QueryEngine(store: store)
        let s: [String: CypherValue] = ["s": .int(ids[0])]
        let trails = try explain(engine, "MATCH (a)-[:R*1..3]->(b) WHERE id(a) = $s RETURN count(*) AS n", s)
        XCTAssertTrue(trails.contains("native trails"), trails)
        XCTAssertTrue(trails.contains("the counts come from the traversal"), trails)
        let reach = try explain(engine, "MATCH (a)-[:R*1..3]->(b) WHERE id(a) = $s RETURN count(DISTINCT b) AS n", s)
        XCTAssertTrue(reach.contains("native reachability"), reach)
        // What the operators do not cover is SQL: a relationship variable, a label on the
        // far end, a property predicate, no pinned end; and with the switch off.
        // far end as well as the seed, a property predicate on both, a second relationship,
        // no constrained end at all.
        for text in ["MATCH (a)-[r:R*1..3]->(b) WHERE id(a) = $s RETURN count(*) AS n",
                     "MATCH (a:N)-[:R*1..3]->(b:N) WHERE id(a) = $s RETURN count(*) AS n",
                     "MATCH (a)-[:R*1..3]->(b) WHERE a.k = 1 AND b.k > 3 RETURN count(*) AS n",
                     "MATCH (a)-[:R*1..3 {w: 1}]->(b) WHERE id(a) = $s RETURN count(*) AS n",
                     "MATCH p = (a)-[:R*1..3]->(b) WHERE id(a) = $s RETURN count(*) AS n",
                     "MATCH (a)-[:R*1..2]->()-[:S]->(b) WHERE id(a) = $s RETURN count(*) AS n",
                     "MATCH (a)-[:R*1..3]->(b) RETURN count(*) AS n"] {
            let plan = try explain(engine, text, s)
            XCTAssertFalse(plan.contains("native"), text + "\n" + plan)
            XCTAssertTrue(plan.contains("WITH RECURSIVE"), text + "\n" + plan)
        }
        let off = try engine.run("EXPLAIN MATCH (a)-[:R*1..3]->(b) WHERE id(a) = $s RETURN count(*) AS n", parameters: s, options: Self.sql)
        XCTAssertTrue(off.explanation?.joined().contains("WITH RECURSIVE") ?? false)
    }

    /// CREATE through the same engine, then the same query: the cache is read again and
    /// the new trail counts. (An in-memory store is one connection: `PRAGMA data_version`
    /// does not move for its own commits, the writer's observer does.)
    func testACreateIsSeenByTheNextQuery() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("CREATE (:K {i: 1})-[:E]->(:K {i: 2})-[:E]->(:K {i: 3})", options: QueryOptions(write: true))
        let start = try firstInt(engine, "MATCH (k:K {i: 1}) RETURN id(k)")
        let text = "MATCH (a)-[:E*1..3]->(b) WHERE id(a) = \(start) RETURN count(*) AS n"
        XCTAssertEqual(try engine.run(text).rows, [[.int(2)]])
        XCTAssertTrue(try cacheLine(engine, text).contains("kept"))
        _ = try engine.run("MATCH (a:K {i: 3}), (b:K {i: 1}) CREATE (a)-[:E]->(b)", options: QueryOptions(write: true))
        XCTAssertTrue(try cacheLine(engine, text).contains("read now"))
        XCTAssertEqual(try engine.run(text).rows, [[.int(3)]])
        XCTAssertEqual(try engine.run(text, options: Self.sql).rows, [[.int(3)]])
    }

    /// A file store (a pool of reader connections): writes by another engine on the same
    /// store, and by another store object (as another process would), are seen.
    func testWritesOfOtherConnectionsAreSeen() throws {
        let path = NSTemporaryDirectory() + "lexgraph-native-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        try store.write { w in
            for i in 0..<4 { _ = try w.upsert(NodeInput(key: "k\(i)", type: "K")) }
            _ = try w.upsert(EdgeInput(key: "e01", type: "E", from: "k0", to: "k1"))
        }
        let reader = QueryEngine(store: store)
        let start = try firstInt(reader, "MATCH (k:K) RETURN min(id(k))")
        let text = "MATCH (a)-[:E*1..3]->(b) WHERE id(a) = \(start) RETURN count(DISTINCT b) AS n"
        XCTAssertEqual(try reader.run(text).rows, [[.int(1)]])
        try store.write { w in _ = try w.upsert(EdgeInput(key: "e12", type: "E", from: "k1", to: "k2")) }
        XCTAssertEqual(try reader.run(text).rows, [[.int(2)]])
        let other = try GraphStore(path: path)
        try other.write { w in _ = try w.upsert(EdgeInput(key: "e23", type: "E", from: "k2", to: "k3")) }
        XCTAssertEqual(try reader.run(text).rows, [[.int(3)]])
        XCTAssertEqual(try reader.run(text, options: Self.sql).rows, [[.int(3)]])
    }

    /// AS OF before and after an edge's start, and after a load changes its validity.
    func testAsOfBeforeAndAfterAndAValidityChange() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        func load(_ validFrom: LegalDate?) throws {
            try store.write { w in
                for k in ["a", "b", "c"] { _ = try w.upsert(NodeInput(key: k, type: "K")) }
                _ = try w.upsert(EdgeInput(key: "ab", type: "E", from: "a", to: "b"))
                _ = try w.upsert(EdgeInput(key: "bc", type: "E", from: "b", to: "c", validFrom: validFrom))
            }
        }
        try load(LegalDate(year: 2000, month: 1, day: 1))
        let engine = QueryEngine(store: store)
        let a = try firstInt(engine, "MATCH (k:K) RETURN min(id(k))")
        let text = "MATCH (x)-[:E*1..2]->(y) WHERE id(x) = \(a) RETURN count(*) AS n"
        XCTAssertEqual(try engine.run(text + " AS OF '1999-12-31'").rows, [[.int(1)]])
        XCTAssertEqual(try engine.run(text + " AS OF '2000-01-01'").rows, [[.int(2)]])
        try load(LegalDate(year: 2010, month: 1, day: 1))
        XCTAssertEqual(try engine.run(text + " AS OF '2005-06-01'").rows, [[.int(1)]])
        XCTAssertEqual(try engine.run(text + " AS OF '2010-01-01'").rows, [[.int(2)]])
        XCTAssertEqual(try engine.run(text).rows, [[.int(2)]])
    }
}
