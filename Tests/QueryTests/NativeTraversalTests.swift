import Foundation
import GRDB
import GraphAlgorithms
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

    /// Grouped counts of one fixed relationship (the most-cited nodes) from the cache's
    /// rows against SQL's GROUP BY: in order wherever there is an ORDER BY, ties included
    /// (`ORDER BY n DESC` alone leaves many), with SKIP and LIMIT, on three dates.
    func testRandomizedDegreeCountsMatchSQL() throws {
        let (store, _) = try randomStore()
        let engine = QueryEngine(store: store)
        let patterns = ["()-[:R]->(b)", "(b)<-[:R|S]-(a)", "(a)-->(b)", "(b)-[r:S]->()", "(a)<-[:R]-(b)", "()-[:T]->(b)"]
        let returns = ["id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 5", "b, count(*) AS n ORDER BY n DESC LIMIT 3",
                       "b, count(*) AS n ORDER BY n DESC", "id(b) AS b, count(*) AS n ORDER BY n, b DESC SKIP 2 LIMIT 4",
                       "count(*) AS n, id(b) AS b ORDER BY b DESC LIMIT 7", "id(b) AS b, count(*) AS n", "count(*) AS n",
                       "b AS x, count(b) AS n, id(b) AS i ORDER BY x SKIP 20", "b, count(*) AS n ORDER BY b.k DESC LIMIT 4",
                       "id(b) AS b, count(*) AS n ORDER BY n DESC, b SKIP 30 LIMIT 5", "b, count(*) AS n ORDER BY n LIMIT 0",
                       "count(*) AS n SKIP 1"]
        var ordered = 0
        for asOf in ["", " AS OF '2001-06-15'", " AS OF '2012-02-29'"] {
            for pattern in patterns {
                for returning in returns {
                    let text = "MATCH \(pattern) RETURN \(returning)" + asOf
                    let native = try engine.run(text, options: Self.native).rows
                    let sql = try engine.run(text, options: Self.sql).rows
                    if returning.hasSuffix("ORDER BY n DESC") || returning.hasSuffix("ORDER BY n DESC LIMIT 3") {
                        // Ties are unspecified (openCypher), and SQLite's own order of them
                        // follows its plan (ascending id here, descending under AS OF, which
                        // joins the node rows): the counts in order, and without LIMIT the rows.
                        XCTAssertEqual(native.map { $0[1] }, sql.map { $0[1] }, text)
                        if !returning.contains("LIMIT") { XCTAssertEqual(bag(native), bag(sql), text) }
                        if asOf.isEmpty { XCTAssertEqual(native, sql, text) }
                    } else if returning.contains("ORDER BY") {
                        XCTAssertEqual(native, sql, text)
                        ordered += 1
                    } else {
                        XCTAssertEqual(bag(native), bag(sql), text)
                    }
                    XCTAssertTrue(try explain(engine, text).contains("native degree count"), text)
                }
                let with = "MATCH \(pattern) WITH b, count(*) AS n WHERE n > 3 RETURN id(b) AS b, n ORDER BY b" + asOf
                XCTAssertEqual(try engine.run(with, options: Self.native).rows, try engine.run(with, options: Self.sql).rows, with)
            }
        }
        XCTAssertGreaterThan(ordered, 80)
        XCTAssertEqual(try engine.run("MATCH ()-[:R]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 3",
                                      options: Self.native).rows.count, 3)
        // What the operator does not cover stays with SQL: labels, a WHERE, an
        // undirected pattern, two grouping keys, DISTINCT counts, a later MATCH.
        for text in ["MATCH (:N)-[:R]->(b) RETURN b, count(*) AS n", "MATCH ()-[:R]->(b) WHERE b.k > 3 RETURN b, count(*) AS n",
                     "MATCH ()-[:R]-(b) RETURN b, count(*) AS n", "MATCH (a)-[:R]->(b) RETURN a, b, count(*) AS n",
                     "MATCH (a)-[:R]->(b) RETURN b, count(DISTINCT a) AS n", "MATCH ()-[:R {w: 1}]->(b) RETURN b, count(*) AS n",
                     "MATCH (x:N {k: 1}) MATCH ()-[:R]->(x) RETURN x, count(*) AS n"] {
            XCTAssertFalse(try explain(engine, text).contains("native degree"), text)
            XCTAssertEqual(bag(try engine.run(text, options: Self.native).rows), bag(try engine.run(text, options: Self.sql).rows), text)
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

    /// CREATE through the same engine, then the same query: the cache is brought forward
    /// by the one new edge (the writer's change log names it) and the new trail counts.
    func testACreateIsSeenByTheNextQuery() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("CREATE (:K {i: 1})-[:E]->(:K {i: 2})-[:E]->(:K {i: 3})", options: QueryOptions(write: true))
        let start = try firstInt(engine, "MATCH (k:K {i: 1}) RETURN id(k)")
        let text = "MATCH (a)-[:E*1..3]->(b) WHERE id(a) = \(start) RETURN count(*) AS n"
        XCTAssertEqual(try engine.run(text).rows, [[.int(2)]])
        XCTAssertTrue(try cacheLine(engine, text).contains("kept"))
        _ = try engine.run("MATCH (a:K {i: 3}), (b:K {i: 1}) CREATE (a)-[:E]->(b)", options: QueryOptions(write: true))
        XCTAssertTrue(try cacheLine(engine, text).contains("updated with 1 changed rows"))
        XCTAssertEqual(try engine.run(text).rows, [[.int(3)]])
        XCTAssertEqual(try engine.run(text, options: Self.sql).rows, [[.int(3)]])
    }

    /// A file store: writes by another engine on the same store, and by another store
    /// object on the same file, are seen.
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

    // MARK: The cache across writes, readers and stores

    func temporaryPath() -> String { NSTemporaryDirectory() + "lexgraph-native-\(UUID().uuidString).sqlite" }

    func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Random writes through every path that changes a graph (a load's upserts, a
    /// query's CREATE, a validity change, edges re-pointed, deleted edges and nodes with
    /// their cascade, another store object on the file, and a commit the cache has no list
    /// of, as another process's), each followed by the native-against-SQL comparison on
    /// the writer's engine and on a read-only store's pool, and by a check that the cached
    /// arrays are a fresh read's. Only the commits without a list are read in full.
    func testRandomWritesKeepNativeEqualToSQL() throws {
        let path = temporaryPath()
        defer { remove(path) }
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        func date(_ year: Int) -> LegalDate { LegalDate(year: year, month: 1 + next(12), day: 1 + next(28))! }
        var edges: [String: (type: String, a: Int, b: Int)] = [:]
        func edge(_ key: String, _ a: Int, _ b: Int, type: String? = nil) -> EdgeInput {
            let dated = next(3) == 0
            let type = type ?? (next(3) == 0 ? "S" : "R")
            edges[key] = (type, a, b)
            return EdgeInput(key: key, type: type, from: "n\(a)", to: "n\(b)",
                             validFrom: dated ? date(1990 + next(20)) : nil, validTo: dated && next(2) == 0 ? date(2005 + next(10)) : nil)
        }
        func node(_ i: Int) -> NodeInput {
            let dated = next(5) == 0
            return NodeInput(key: "n\(i)", type: "N", properties: ["k": .int(Int64(i))],
                             validFrom: dated ? date(1995 + next(10)) : nil, validTo: dated && next(2) == 0 ? date(2008 + next(6)) : nil)
        }
        var alive = Array(0..<30), edgeCount = 80
        func anyNode() -> Int { alive[next(alive.count)] }
        try store.write { w in
            for i in alive { _ = try w.upsert(node(i)) }
            for j in 0..<edgeCount { _ = try w.upsert(edge("e\(j)", anyNode(), next(4) == 0 ? anyNode() : (j + 1) % 30)) }
        }
        let engine = QueryEngine(store: store)
        let readStore = try GraphStore(path: path, mode: .readOnly)
        let reader = QueryEngine(store: readStore)
        XCTAssertTrue(engine.adjacency === reader.adjacency, "one cache per database")
        let other = QueryEngine(store: try GraphStore(path: path))
        // Another process's writer as the cache sees it: the generation moves, no rows listed.
        let foreign = try DatabaseQueue(path: path)

        func compare(_ step: String) throws {
            let ids = try engine.run("MATCH (n:N) RETURN id(n) ORDER BY id(n)").rows.compactMap { row -> Int64? in
                if case .int(let i) = row[0] { return i }
                return nil
            }
            for asOf in ["", " AS OF '2003-06-15'"] {
                for id in ids.enumerated().filter({ $0.offset % 5 == step.count % 5 }).map(\.element) {
                    for pattern in ["(a)-[:R*1..3]->(b)", "(a)<-[:R|S*..3]-(b)", "(a)-[*1..2]-(b)"] {
                        for returning in ["count(*) AS n", "count(DISTINCT b) AS n"] {
                            let text = "MATCH \(pattern) WHERE id(a) = $s RETURN \(returning)" + asOf
                            let parameters: [String: CypherValue] = ["s": .int(id)]
                            let sql = bag(try engine.run(text, parameters: parameters, options: Self.sql).rows)
                            XCTAssertEqual(bag(try engine.run(text, parameters: parameters, options: Self.native).rows), sql, "\(step): \(text) with s = \(id)")
                            XCTAssertEqual(bag(try reader.run(text, parameters: parameters, options: Self.native).rows), sql, "\(step) (reader): \(text) with s = \(id)")
                        }
                    }
                }
            }
            for asOf in ["", " AS OF '2003-06-15'"] {
                let text = "MATCH ()-[:R]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 5" + asOf
                let sql = try engine.run(text, options: Self.sql).rows
                XCTAssertEqual(try engine.run(text, options: Self.native).rows, sql, "\(step): \(text)")
                XCTAssertEqual(try reader.run(text, options: Self.native).rows, sql, "\(step) (reader): \(text)")
            }
            try readStore.read { db in
                for types in [["R"], ["R", "S"], []] {
                    let cached = try XCTUnwrap(try reader.adjacency.graph(db, types: types, asOf: false)?.graph)
                    let fresh = try XCTUnwrap(try TraversalGraph.read(db, types: types))
                    XCTAssertEqual(cached.edgeIDs, fresh.edgeIDs, step)
                    for (mine, theirs) in [(cached.outgoing, fresh.outgoing), (cached.incoming, fresh.incoming)] {
                        XCTAssertEqual(mine.offsets, theirs.offsets, step)
                        XCTAssertEqual(mine.neighbor, theirs.neighbor, step)
                        XCTAssertEqual(mine.edge, theirs.edge, step)
                    }
                }
            }
        }
        try compare("initial")
        let before = engine.adjacency.statistics
        var foreignCommits = 0, changedSteps = 0
        for step in 0..<24 {
            let generation = try store.read(GraphReads.graphGeneration)
            switch step % 8 {
            case 0:
                try store.write { w in
                    let i = 30 + step
                    _ = try w.upsert(node(i))
                    alive.append(i)
                    for _ in 0..<(1 + next(3)) {
                        _ = try w.upsert(edge("e\(edgeCount)", anyNode(), anyNode()))
                        edgeCount += 1
                    }
                }
            case 1:
                // Validity changes: a re-load of existing edges with other dates.
                let live = edges.filter { alive.contains($0.value.a) && alive.contains($0.value.b) }.keys.sorted()
                try store.write { w in
                    for _ in 0..<3 {
                        let key = live[next(live.count)], old = edges[key]!
                        _ = try w.upsert(edge(key, old.a, old.b, type: old.type))
                    }
                }
            case 2:
                _ = try engine.run("MATCH (a:N {k: \(anyNode())}), (b:N {k: \(anyNode())}) CREATE (a)-[:R]->(b)", options: QueryOptions(write: true))
            case 3:
                // An edge re-pointed (and maybe re-typed) by a re-load.
                try store.write { w in _ = try w.upsert(edge("e\(next(edgeCount))", anyNode(), anyNode())) }
            case 4:
                try store.database.write { db in
                    try db.execute(sql: "DELETE FROM edge WHERE id IN (SELECT id FROM edge ORDER BY id LIMIT 2 OFFSET ?)", arguments: [next(40)])
                }
            case 5:
                // A node deleted (its edges go by the foreign keys' cascade), another re-dated.
                let victim = alive.remove(at: next(alive.count))
                try store.database.write { db in try db.execute(sql: "DELETE FROM node WHERE key = ?", arguments: ["n\(victim)"]) }
                try store.write { w in _ = try w.upsert(node(anyNode())) }
            case 6:
                _ = try other.run("MATCH (a:N {k: \(anyNode())}), (b:N {k: \(anyNode())}) CREATE (a)-[:S]->(b)", options: QueryOptions(write: true))
            default:
                let (a, b) = try store.read { db in
                    (try XCTUnwrap(GraphReads.nodeID(db, key: "n\(anyNode())")), try XCTUnwrap(GraphReads.nodeID(db, key: "n\(anyNode())")))
                }
                try foreign.write { db in
                    try db.execute(sql: "INSERT INTO edge(type, src, dst) VALUES ('R', ?, ?)", arguments: [a, b])
                    try db.execute(sql: "UPDATE store_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lexgraph_generation'")
                }
                foreignCommits += 1
            }
            if try store.read(GraphReads.graphGeneration) != generation { changedSteps += 1 }
            try compare("step \(step)")
        }
        let after = engine.adjacency.statistics
        // Three type sets are cached; each foreign commit reads them again.
        XCTAssertEqual(after.fullReads - before.fullReads, 3 * foreignCommits)
        XCTAssertEqual(after.incrementalUpdates - before.incrementalUpdates, changedSteps - foreignCommits)
        XCTAssertGreaterThan(changedSteps - foreignCommits, 15)
    }

    /// A file store with a chain k0 -> k1 of E edges, its writer and a read-only store.
    func chainStore(_ path: String) throws -> (writer: GraphStore, readStore: GraphStore, reader: QueryEngine, start: Int64) {
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        try store.write { w in
            for i in 0..<4 { _ = try w.upsert(NodeInput(key: "k\(i)", type: "K")) }
            _ = try w.upsert(EdgeInput(key: "e01", type: "E", from: "k0", to: "k1"))
        }
        let readStore = try GraphStore(path: path, mode: .readOnly)
        let reader = QueryEngine(store: readStore)
        return (store, readStore, reader, try firstInt(reader, "MATCH (k:K) RETURN min(id(k))"))
    }

    final class Box<T>: @unchecked Sendable {
        var value: T
        init(_ value: T) { self.value = value }
    }

    /// A reader in a transaction that began before a write keeps its copy of the graph
    /// while another reader's query brings the shared cache forward.
    func testAReaderKeepsItsSnapshotWhileAWriteCommits() throws {
        let path = temporaryPath()
        defer { remove(path) }
        let (store, readStore, reader, start) = try chainStore(path)
        let text = "MATCH (a)-[:E*1..3]->(b) WHERE id(a) = \(start) RETURN count(DISTINCT b) AS n"
        XCTAssertEqual(try reader.run(text).rows, [[.int(1)]])
        try readStore.read { db in
            let held = try XCTUnwrap(try reader.adjacency.graph(db, types: ["E"], asOf: false))
            try store.write { w in _ = try w.upsert(EdgeInput(key: "e12", type: "E", from: "k1", to: "k2")) }
            // Another reader, on another connection of the pool, sees the write.
            let seen = Box<Result<[[CypherValue]], Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread {
                seen.value = Result { try reader.run(text).rows }
                done.signal()
            }.start()
            done.wait()
            XCTAssertEqual(try seen.value?.get(), [[.int(2)]])
            XCTAssertEqual(reader.adjacency.statistics.incrementalUpdates, 1)
            // This transaction still gets the graph it sees: one edge, as SQL says here.
            let again = try XCTUnwrap(try reader.adjacency.graph(db, types: ["E"], asOf: false))
            XCTAssertEqual(again.snapshot.generation, held.snapshot.generation)
            XCTAssertEqual(again.graph.edgeIDs, try XCTUnwrap(try TraversalGraph.read(db, types: ["E"])).edgeIDs)
            XCTAssertEqual(again.graph.edgeCount, 1)
        }
        XCTAssertEqual(try reader.run(text).rows, [[.int(2)]])
        XCTAssertEqual(reader.adjacency.statistics.fullReads, 1)
    }

    /// Readers on four connections at once share one copy; the writer's engine and the
    /// read-only store's share the cache; another database file has its own.
    func testOneCopyForManyReaders() throws {
        let path = temporaryPath(), elsewhere = temporaryPath()
        defer { remove(path); remove(elsewhere) }
        let (store, _, reader, start) = try chainStore(path)
        try store.write { w in
            for i in 4..<400 { _ = try w.upsert(NodeInput(key: "k\(i)", type: "K")) }
            for i in 0..<1200 { _ = try w.upsert(EdgeInput(key: "f\(i)", type: "E", from: "k\(i % 400)", to: "k\((i * 7 + 1) % 400)")) }
        }
        XCTAssertTrue(QueryEngine(store: store).adjacency === reader.adjacency)
        let (_, _, separate, _) = try chainStore(elsewhere)
        XCTAssertFalse(separate.adjacency === reader.adjacency)

        let text = "MATCH (a)-[:E*1..3]->(b) WHERE id(a) = \(start) RETURN count(*) AS n"
        let expected = try reader.run(text, options: Self.sql).rows
        XCTAssertEqual(try reader.run(text).rows, expected)
        let one = reader.adjacency.statistics
        XCTAssertEqual(one.snapshots, 1)
        let answers = Box<[[[CypherValue]]]>([])
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<5 {
                let rows = (try? reader.run(text).rows) ?? []
                lock.lock()
                answers.value.append(rows)
                lock.unlock()
            }
        }
        XCTAssertEqual(answers.value.count, 20)
        for rows in answers.value { XCTAssertEqual(rows, expected) }
        let four = reader.adjacency.statistics
        XCTAssertEqual(four.fullReads, 1)
        XCTAssertEqual(four.snapshots, 1)
        XCTAssertEqual(four.bytes, one.bytes)
        XCTAssertGreaterThan(one.bytes, 1200 * 4 * 8)
    }
}
