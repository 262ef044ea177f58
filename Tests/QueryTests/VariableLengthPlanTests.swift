import GraphStore
import Query
import XCTest

/// How variable-length relationships are compiled (found by tools/diff_query_peers.py on
/// the real graphs, where these shapes ran past the time limit): the recursion starts at
/// the more selective end, and an undirected step is two index-using recursive SELECTs.
/// The answers must not change: expected rows are the trails counted by hand.
final class VariableLengthPlanTests: XCTestCase {
    func run(_ engine: QueryEngine, _ text: String) throws -> [[CypherValue]] {
        try engine.run(text).rows
    }

    /// The SQL plan (the native traversal, which answers some of these patterns on
    /// SQLite, is compared with it in NativeTraversalTests).
    func explain(_ engine: QueryEngine, _ text: String) throws -> String {
        var sqlOnly = QueryOptions()
        sqlOnly.nativeTraversal = false
        return try engine.run("EXPLAIN " + text, options: sqlOnly).explanation?.joined(separator: "\n") ?? ""
    }

    /// q -> p1 -> p2 -> t and p3 -> t.
    func chain() throws -> QueryEngine {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("""
            CREATE (q:N {name: 'q'})-[:R]->(p1:N {name: 'p1'})-[:R]->(p2:N {name: 'p2'})-[:R]->(t:N {name: 't'}),
                   (:N {name: 'p3'})-[:R]->(t)
            """, options: QueryOptions(write: true))
        return engine
    }

    func testRecursionSeededAtTheSelectiveEndGivesTheSameTrails() throws {
        let engine = try chain()
        let query = "MATCH (x)-[:R*1..2]->(t {name: 't'}) RETURN x.name AS x ORDER BY x"
        XCTAssertEqual(try run(engine, query), [[.string("p1")], [.string("p2")], [.string("p3")]])
        // Seeded at t (its property condition is in the seed) and walked backwards.
        let plan = try explain(engine, query)
        let seed = plan.split(separator: "\n").first { $0.contains("FROM node s") } ?? ""
        XCTAssertTrue(seed.contains("json_extract(s"), plan)
        XCTAssertTrue(plan.contains(".dst = v"), plan)
        // The same through WHERE.
        let viaWhere = "MATCH (x)-[:R*1..2]->(t) WHERE t.name = 't' RETURN x.name AS x ORDER BY x"
        XCTAssertEqual(try run(engine, viaWhere), [[.string("p1")], [.string("p2")], [.string("p3")]])
        XCTAssertTrue((try explain(engine, viaWhere)).split(separator: "\n").first { $0.contains("FROM node s") }?.contains("json_extract(s") ?? false)
    }

    func testNamedPathKeepsItsDirectionAndOrder() throws {
        let engine = try chain()
        let rows = try run(engine, "MATCH p = (x)-[:R*1..2]->(t {name: 't'}) RETURN x.name AS x, length(p) AS hops, head(nodes(p)) = x AS starts_at_x ORDER BY x")
        XCTAssertEqual(rows, [[.string("p1"), .int(2), .bool(true)], [.string("p2"), .int(1), .bool(true)], [.string("p3"), .int(1), .bool(true)]])
        let plan = try explain(engine, "MATCH p = (x)-[:R*1..2]->(t {name: 't'}) RETURN x")
        XCTAssertTrue(plan.contains(".src = v"), plan)
    }

    func testUndirectedStepIsTwoBranchesAndWalksASelfLoopOnce() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("""
            CREATE (a:A {name: 'A'}), (b:B {name: 'B'}), (c:C {name: 'C'}),
                   (a)-[:R]->(b), (b)-[:R]->(a), (b)-[:R]->(c), (c)-[:R]->(c)
            """, options: QueryOptions(write: true))
        // Trails from A: length 1: B twice; length 2: A twice, C twice; length 3: the
        // self-loop at C after either of the two ways there (A's edges are used up).
        let query = "MATCH (:A)-[:R*1..3]-(x) RETURN x.name AS x, count(*) AS n ORDER BY x"
        XCTAssertEqual(try run(engine, query), [[.string("A"), .int(2)], [.string("B"), .int(2)], [.string("C"), .int(4)]])
        let plan = try explain(engine, query)
        // The seed, then one recursive SELECT per direction (SQL text, not the plan lines).
        XCTAssertEqual(plan.components(separatedBy: "UNION ALL\n  SELECT").count - 1, 2, plan)
        XCTAssertFalse(plan.contains(".node OR "), plan)
    }
}
