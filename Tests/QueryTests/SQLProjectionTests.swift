import GraphStore
import Query
import XCTest

/// A RETURN computed inside the MATCH's SQL (grouped counts, `count(DISTINCT ...)`,
/// DISTINCT, ORDER BY/LIMIT) and reachability matching of a lone directed
/// variable-length relationship must give exactly the rows of the general path, which
/// enumerates every trail and aggregates in Swift (the path the openCypher TCK checks).
/// `MATCH ... WITH a, b RETURN ...` forces the general path: a plain WITH keeps every
/// row, so neither shortcut applies to it.
final class SQLProjectionTests: XCTestCase {
    /// A seeded random multigraph: 30 nodes, 110 edges of types R and S, with
    /// self-loops, parallel edges and 2-cycles, so that trails and walks differ.
    func randomGraph() throws -> (QueryEngine, [Int64]) {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var text = "CREATE " + (0..<30).map { "(n\($0):N {k: \($0)})" }.joined(separator: ", ")
        for _ in 0..<110 {
            let a = next(30), b = next(4) == 0 ? next(30) : (a + 1 + next(4)) % 30
            text += ", (n\(a))-[:\(next(3) == 0 ? "S" : "R")]->(n\(next(10) == 0 ? a : b))"
        }
        _ = try engine.run(text, options: QueryOptions(write: true))
        let ids = try engine.run("MATCH (n:N) RETURN id(n) ORDER BY n.k").rows.compactMap { row -> Int64? in
            if case .int(let i) = row[0] { return i }
            return nil
        }
        XCTAssertEqual(ids.count, 30)
        return (engine, ids)
    }

    /// `pushed` as written and through the general path (`MATCH ... WITH vars RETURN ...`).
    func assertSameAsGeneralPath(_ engine: QueryEngine, match: String, vars: String, returning: String,
                                 _ parameters: [String: CypherValue] = [:], expectOneStatement: Bool = true,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let pushed = "\(match) RETURN \(returning)"
        let general = "\(match) WITH \(vars) RETURN \(returning)"
        // The SQL shortcuts themselves (the native traversal would answer some of these
        // patterns: NativeTraversalTests compares it with SQL); and the native answer too.
        var sqlOnly = QueryOptions()
        sqlOnly.nativeTraversal = false
        let got = try engine.run(pushed, parameters: parameters, options: sqlOnly).rows
        let want = try engine.run(general, parameters: parameters, options: sqlOnly).rows
        XCTAssertEqual(got, want, pushed, file: file, line: line)
        XCTAssertEqual(try engine.run(pushed, parameters: parameters).rows.map { "\($0)" }.sorted(), want.map { "\($0)" }.sorted(),
                       "native: " + pushed, file: file, line: line)
        let plan = try engine.run("EXPLAIN " + pushed, parameters: parameters, options: sqlOnly).explanation?.joined(separator: "\n") ?? ""
        XCTAssertEqual(plan.contains("one SQL statement"), expectOneStatement, plan, file: file, line: line)
    }

    func testGroupedCountsOrderAndLimitMatchTheGeneralPath() throws {
        let (engine, _) = try randomGraph()
        for returning in ["id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 7",
                          "b, count(*) AS n ORDER BY n DESC, b SKIP 3 LIMIT 5",
                          "id(a) AS a, count(DISTINCT b) AS d, count(b) AS c ORDER BY d DESC, c, a",
                          "count(*) AS n, count(DISTINCT a) AS sources",
                          "DISTINCT id(b) AS b ORDER BY b DESC LIMIT 4"] {
            try assertSameAsGeneralPath(engine, match: "MATCH (a)-[:R]->(b)", vars: "a, b", returning: returning)
        }
        // Relationship variables, and a fixed two-hop pattern (edges pairwise distinct in SQL).
        try assertSameAsGeneralPath(engine, match: "MATCH (a)-[r:R|S]->(b)", vars: "a, r, b",
                                    returning: "count(DISTINCT r) AS rels, count(r) AS n, count(DISTINCT b) AS targets")
        try assertSameAsGeneralPath(engine, match: "MATCH (a)-[:R]->()-[:R]->(c)", vars: "a, c",
                                    returning: "id(c) AS c, count(*) AS n ORDER BY n DESC, c LIMIT 5")
        // Sort keys that are not projected items: ordered in Swift over the SQL rows.
        try assertSameAsGeneralPath(engine, match: "MATCH (a)-[:R]->(b)", vars: "a, b",
                                    returning: "id(b) AS b, count(*) AS n ORDER BY n * -1, b LIMIT 6")
    }

    func testReachabilityMatchesTrailsForEveryStart() throws {
        let (engine, ids) = try randomGraph()
        for id in ids {
            let start: [String: CypherValue] = ["s": .int(id)]
            for pattern in ["(a)-[:R*1..3]->(b)", "(a)<-[:R|S*..4]-(b)", "(a)-[*0..2]->(b)"] {
                try assertSameAsGeneralPath(engine, match: "MATCH \(pattern) WHERE id(a) = $s", vars: "a, b",
                                            returning: "count(DISTINCT b) AS n", start)
            }
            // Trail counts (every trail is a row) and shapes where walks and trails differ
            // in their ends (two hops at least; undirected) are still matched as trails.
            for (pattern, returning) in [("(a)-[:R*1..3]->(b)", "count(*) AS n"), ("(a)-[:R*2..3]->(b)", "count(DISTINCT b) AS n"),
                                         ("(a)-[:R*1..2]-(b)", "count(DISTINCT b) AS n")] {
                try assertSameAsGeneralPath(engine, match: "MATCH \(pattern) WHERE id(a) = $s", vars: "a, b",
                                            returning: returning, start)
            }
            // Reachability feeding an aggregate SQL does not compute (min): Swift aggregates it.
            try assertSameAsGeneralPath(engine, match: "MATCH (a)-[:R*1..3]->(b) WHERE id(a) = $s", vars: "a, b",
                                        returning: "min(id(b)) AS first, max(b.k) AS top", start, expectOneStatement: false)
        }
        // Grouped over every start at once, ordered and sliced in SQL.
        try assertSameAsGeneralPath(engine, match: "MATCH (a)-[:R*1..2]->(b)", vars: "a, b",
                                    returning: "a, count(DISTINCT b) AS n ORDER BY n DESC, a LIMIT 8")
    }

    func testTrailRulesThatReachabilityMustNotBreak() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("CREATE (a:A {name: 'A'})-[:R]->(b:B {name: 'B'}), (b)-[:R]->(a), (b)-[:R]->(c:C {name: 'C'})",
                           options: QueryOptions(write: true))
        // Directed: A reaches itself through the 2-cycle, a trail of two distinct edges.
        XCTAssertEqual(try engine.run("MATCH (:A)-[:R*1..2]->(x) RETURN DISTINCT x.name AS x ORDER BY x").rows,
                       [[.string("A")], [.string("B")], [.string("C")]])
        // Undirected over the single edge C-B: going back to C reuses that edge, so C is
        // not among its own ends (a walk would reach it).
        XCTAssertEqual(try engine.run("MATCH (:C)-[:R*1..2]-(x) RETURN count(DISTINCT x) AS n").rows, [[.int(2)]])
        XCTAssertEqual(try engine.run("MATCH (:C)-[:R*1..2]-(x) RETURN DISTINCT x.name AS x ORDER BY x").rows,
                       [[.string("A")], [.string("B")]])
        // Exactly two hops from A: B is reached only by walking A->B twice, not a trail.
        XCTAssertEqual(try engine.run("MATCH (:A)-[:R*2..2]->(x) RETURN DISTINCT x.name AS x ORDER BY x").rows,
                       [[.string("A")], [.string("C")]])
        var sqlOnly = QueryOptions()
        sqlOnly.nativeTraversal = false
        let plan = try engine.run("EXPLAIN MATCH (a:A)-[:R*1..3]->(x) RETURN count(DISTINCT x)", options: sqlOnly).explanation?.joined(separator: "\n") ?? ""
        XCTAssertTrue(plan.contains("UNION\n"), plan)
        XCTAssertFalse(plan.contains("instr("), plan)
    }

    func testAnEmptyMatchStillCountsZeroAndOptionalMatchIsNotPushed() throws {
        let (engine, _) = try randomGraph()
        XCTAssertEqual(try engine.run("MATCH (a)-[:T]->(b) RETURN count(*) AS n, count(DISTINCT b) AS d").rows, [[.int(0), .int(0)]])
        XCTAssertEqual(try engine.run("MATCH (a)-[:T]->(b) RETURN b, count(*) AS n").rows, [])
        let plan = try engine.run("EXPLAIN OPTIONAL MATCH (a)-[:T]->(b) RETURN count(*)").explanation?.joined(separator: "\n") ?? ""
        XCTAssertFalse(plan.contains("one SQL statement"), plan)
        XCTAssertEqual(try engine.run("OPTIONAL MATCH (a)-[:T]->(b) RETURN count(*) AS n").rows, [[.int(1)]])
    }
}
