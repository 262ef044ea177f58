import Foundation
import GraphStore
import LexgraphCore
import Ontology
import Query
import XCTest

/// A query seen before skips lexing, parsing and binding; its binding is redone when the
/// ontology changes under it, so a cached query never answers with a stale schema.
final class CompiledQueryCacheTests: XCTestCase {
    func legalStore() throws -> GraphStore {
        let text = try String(contentsOfFile: QueryEngineTests.root.appendingPathComponent("ontology/legal-core.yaml").path, encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text)
        try store.write { w in
            try w.upsert(NodeInput(key: "lopez", type: "ECtHRCase", properties: ["name": .string("Lopez Ostra v. Spain")]))
        }
        return store
    }

    /// The shipped update 2 renames `ECtHRCase` to `ECtHRJudgment`. The same engine, the
    /// same query texts: before it the old label binds, after it the old label is an
    /// unknown-label error and the new label finds the migrated node.
    func testAnOntologyUpdateRebindsACachedQuery() throws {
        let store = try legalStore()
        let engine = QueryEngine(store: store)
        let old = "MATCH (c:ECtHRCase) RETURN c.name AS name"
        let new = "MATCH (c:ECtHRJudgment) RETURN c.name AS name"
        for _ in 0..<2 { XCTAssertEqual(try engine.run(old).rows, [[.string("Lopez Ostra v. Spain")]]) }
        XCTAssertEqual(queryError { _ = try engine.run(new) }?.code, "UnknownLabel")

        let path = QueryEngineTests.root.appendingPathComponent("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml").path
        let update = try OntologyUpdate(yaml: try String(contentsOfFile: path, encoding: .utf8), file: path)
        _ = try store.applyOntologyUpdate(update)

        let stale = queryError { _ = try engine.run(old) }
        XCTAssertEqual(stale?.code, "UnknownLabel")
        XCTAssertEqual(stale?.message, "unknown label 'ECtHRCase'")
        for _ in 0..<2 { XCTAssertEqual(try engine.run(new).rows, [[.string("Lopez Ostra v. Spain")]]) }
    }

    /// The cache keeps the parse, never the parameters or the plan: one text run with
    /// different parameters, of different types, answers each as a fresh engine would.
    func testOneTextWithChangingParametersAnswersLikeAFreshEngine() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        let writer = QueryEngine(store: store)
        _ = try writer.run("UNWIND range(1, 6) AS i CREATE (:N {i: i, s: toString(i)})", options: QueryOptions(write: true))
        _ = try writer.run("MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)", options: QueryOptions(write: true))
        let text = "MATCH (a:N)-[:NEXT*1..2]->(b) WHERE a.i = $v OR a.s = $v RETURN b.i AS i ORDER BY i"
        let cached = QueryEngine(store: store)
        for value: CypherValue in [.int(1), .string("4"), .null, .int(3), .float(2.0), .list([.int(1)]), .int(1)] {
            let expected = try QueryEngine(store: store).run(text, parameters: ["v": value]).rows
            XCTAssertEqual(try cached.run(text, parameters: ["v": value]).rows, expected, "\(value)")
        }
        XCTAssertEqual(try cached.run(text, parameters: ["v": .int(1)]).rows, [[.int(2)], [.int(3)]])
        XCTAssertEqual(try cached.run(text, parameters: ["v": .string("5")]).rows, [[.int(6)]])
    }

    /// A six-node chain N(i: 1...6) -[:NEXT]-> with string copies `s` of `i`.
    func chainStore() throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: .permissive)
        let writer = QueryEngine(store: store)
        _ = try writer.run("UNWIND range(1, 6) AS i CREATE (:N {i: i, s: toString(i), f: i * 0.5})", options: QueryOptions(write: true))
        _ = try writer.run("MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)", options: QueryOptions(write: true))
        return store
    }

    /// MATCH plans are kept and reused with each run's own parameter values: the same
    /// text with other values, and with values of other types (planned again under their
    /// own signature), answers as a fresh engine does; only the first run of a signature
    /// plans, later runs reuse.
    func testKeptPlansTakeEachRunsParameters() throws {
        let store = try chainStore()
        let engine = QueryEngine(store: store)
        let ids = try engine.run("MATCH (n:N) RETURN id(n) AS id ORDER BY n.i").rows.map { $0[0] }
        let hop = "MATCH (a)-[:NEXT]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
        let before = engine.planStatistics
        for (k, id) in ids.enumerated() {
            XCTAssertEqual(try engine.run(hop, parameters: ["start": id]).rows, [[.int(k < 5 ? 1 : 0)]], "start \(id)")
        }
        var after = engine.planStatistics
        XCTAssertEqual(after.planned - before.planned, 1)
        XCTAssertEqual(after.kept - before.kept, 1)
        XCTAssertEqual(after.reused - before.reused, ids.count - 1)

        let texts = ["MATCH (a:N)-[:NEXT]->(b) WHERE a.i = $v OR a.s = $v RETURN b.i AS i ORDER BY i",
                     "MATCH (a:N {s: $v})-[:NEXT]->(b) RETURN b.i AS i",
                     "MATCH (a:N)-[:NEXT]->(b:N) WHERE a.i >= $v AND b.f < $w RETURN a.i AS a, b.i AS b ORDER BY a",
                     "MATCH (a:N)-[:NEXT]->(b) WHERE $v <= a.i RETURN count(*) AS n, count(DISTINCT b) AS d",
                     "MATCH (a:N) WHERE a.i = $v OR a.i = $w RETURN a.i AS i ORDER BY i",
                     "MATCH (a)-[:NEXT]->(b) WHERE id(a) = $v RETURN id(b) AS b"]
        let values: [CypherValue] = [.int(1), .string("4"), .int(3), .null, .float(2.0), .float(.infinity), .bool(true),
                                     .list([.int(1)]), .int(-2), .string("2"), .float(2.5), .int(4), ids[2], ids[4]]
        for text in texts {
            for (n, value) in Array(values.enumerated()) + Array(values.enumerated()) {
                let parameters: [String: CypherValue] = ["v": value, "w": values[(n * 5 + 3) % values.count]]
                let fresh = Result { try QueryEngine(store: store).run(text, parameters: parameters).rows }
                let kept = Result { try engine.run(text, parameters: parameters).rows }
                switch (fresh, kept) {
                case (.success(let f), .success(let k)): XCTAssertEqual(k, f, "\(text) with \(parameters)")
                case (.failure(let f as QueryError), .failure(let k as QueryError)): XCTAssertEqual(k.code, f.code, "\(text) with \(parameters)")
                default: XCTFail("\(text) with \(parameters): \(kept) against a fresh engine's \(fresh)")
                }
            }
        }
        after = engine.planStatistics
        // The second pass over the values finds every plan kept.
        XCTAssertGreaterThanOrEqual(after.reused - before.reused, texts.count * values.count)
        // The same value in two parameters, and one parameter twice: each argument is filled from its own.
        let two = "MATCH (a:N)-[:NEXT]->(b:N) WHERE a.i = $x AND b.i = $y AND a.s <> $x RETURN a.i AS a, b.i AS b"
        for (x, y) in [(2, 3), (3, 3), (4, 5), (5, 5), (1, 2)] {
            let expected: [[CypherValue]] = y == x + 1 ? [[.int(Int64(x)), .int(Int64(y))]] : []
            XCTAssertEqual(try engine.run(two, parameters: ["x": .int(Int64(x)), "y": .int(Int64(y))]).rows, expected, "\(x), \(y)")
        }
    }

    /// SKIP and LIMIT in the MATCH's own statement: a parameter's value is bound per run,
    /// a negative one is an error every time, and a computed one is planned every run.
    func testSkipAndLimitParametersAreNeverKept() throws {
        let engine = QueryEngine(store: try chainStore())
        let text = "MATCH (a:N)-[:NEXT]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY b SKIP $s LIMIT $l"
        let all = try engine.run("MATCH (a:N)-[:NEXT]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY b").rows
        XCTAssertEqual(all.count, 5)
        for (s, l) in [(0, 2), (1, 3), (4, 9), (0, 0), (2, 1)] {
            XCTAssertEqual(try engine.run(text, parameters: ["s": .int(Int64(s)), "l": .int(Int64(l))]).rows,
                           Array(all.dropFirst(s).prefix(l)), "SKIP \(s) LIMIT \(l)")
        }
        for _ in 0..<2 {
            XCTAssertEqual(queryError { _ = try engine.run(text, parameters: ["s": .int(0), "l": .int(-1)]) }?.code, "NegativeIntegerArgument")
        }
        let computed = "MATCH (a:N)-[:NEXT]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY b LIMIT $l + 1"
        let before = engine.planStatistics
        for l in [0, 2, 1, 3] {
            XCTAssertEqual(try engine.run(computed, parameters: ["l": .int(Int64(l))]).rows, Array(all.prefix(l + 1)), "LIMIT \(l) + 1")
        }
        let after = engine.planStatistics
        XCTAssertEqual(after.reused, before.reused, "a computed LIMIT is planned every run")
        XCTAssertEqual(after.planned - before.planned, 4)
    }

    /// A kept plan names the ontology's types for a label; after an update the same text
    /// is planned again under the new ontology, and its answers follow it.
    func testAnOntologyUpdateDropsKeptPlans() throws {
        let store = try legalStore()
        let engine = QueryEngine(store: store)
        let text = "MATCH (c:Case) WHERE c.name = $n RETURN count(*) AS n"
        for _ in 0..<3 { XCTAssertEqual(try engine.run(text, parameters: ["n": .string("Lopez Ostra v. Spain")]).rows, [[.int(1)]]) }
        let before = engine.planStatistics
        XCTAssertEqual(before.kept, 1)
        let path = QueryEngineTests.root.appendingPathComponent("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml").path
        _ = try store.applyOntologyUpdate(try OntologyUpdate(yaml: try String(contentsOfFile: path, encoding: .utf8), file: path))
        for _ in 0..<2 { XCTAssertEqual(try engine.run(text, parameters: ["n": .string("Lopez Ostra v. Spain")]).rows, [[.int(1)]]) }
        let after = engine.planStatistics
        XCTAssertEqual(after.planned - before.planned, 1, "planned again after the update")
        XCTAssertEqual(after.kept - before.kept, 1)
        XCTAssertEqual(try engine.run("EXPLAIN " + text, parameters: ["n": .string("x")]).explanation?.joined().contains("ECtHRJudgment"), true)
    }

    /// A plan whose planner asked the store about a value (the full-text terms' syntax)
    /// is planned every run: bad terms are an error each time, good ones answer.
    func testFullTextTermsAreCheckedEveryRun() throws {
        let engine = QueryEngine(store: try QueryEngineTests(name: "legalStore", testClosure: { _ in }).legalStore())
        let text = "MATCH (c:Case) WHERE fts(c, $t) IS NOT NULL RETURN count(*) AS n"
        for _ in 0..<2 {
            XCTAssertEqual(try engine.run(text, parameters: ["t": .string("eviction")]).rows, [[.int(2)]])
            XCTAssertEqual(try engine.run(text, parameters: ["t": .string("zoning")]).rows, [[.int(1)]])
            XCTAssertEqual(queryError { _ = try engine.run(text, parameters: ["t": .string("\"unbalanced")]) }?.code, "InvalidFullTextQuery")
            XCTAssertEqual(try engine.run(text, parameters: ["t": .string("Nobody")]).rows, [[.int(0)]])
        }
        XCTAssertEqual(engine.planStatistics.reused, 0)
    }

    /// A syntax error is reported every time, with its position, never remembered as a query.
    func testASyntaxErrorIsReportedEveryTime() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        for _ in 0..<2 {
            let e = queryError { _ = try engine.run("MATCH (n RETURN n") }
            XCTAssertEqual(e?.kind, .syntax)
            XCTAssertEqual(e?.location?.line, 1)
        }
    }

    /// A read-only engine (a pool's readers, as in `lexgraph query --repeat`, the shell
    /// and the server) keeps its plans and the stamps it checks them by across runs, and
    /// the next run after another connection's commit sees it: a new edge (in the one-hop
    /// count run by a kept plan and in a native traversal) and an ontology update's
    /// rename (the binding redone).
    func testAReadOnlyEngineSeesAnotherConnectionsCommits() throws {
        let path = NSTemporaryDirectory() + "lexgraph-kept-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let file = QueryEngineTests.root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let writer = try GraphStore(path: path, create: true)
        try writer.installOntology(try Ontology(yaml: text, file: file), documentText: text, source: file, summary: "initial")
        try writer.write { w in
            for key in ["a", "b", "c"] { _ = try w.upsert(NodeInput(key: key, type: "ECtHRCase", properties: ["name": .string(key)])) }
            _ = try w.upsert(EdgeInput(key: "ab", type: "CITES", from: "a", to: "b"))
        }
        let engine = QueryEngine(store: try GraphStore(path: path, mode: .readOnly))
        guard case .int(let start)? = try engine.run("MATCH (c:ECtHRCase {name: 'a'}) RETURN id(c) AS id").rows.first?.first else {
            return XCTFail("no start node")
        }
        let hop = "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
        let reach = "MATCH (a)-[:CITES*1..2]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
        let old = "MATCH (c:ECtHRCase) RETURN count(*) AS n"
        for _ in 0..<3 {
            XCTAssertEqual(try engine.run(hop, parameters: ["start": .int(start)]).rows, [[.int(1)]])
            XCTAssertEqual(try engine.run(reach, parameters: ["start": .int(start)]).rows, [[.int(1)]])
            XCTAssertEqual(try engine.run(old).rows, [[.int(3)]])
        }
        let reused = engine.planStatistics.reused
        XCTAssertGreaterThan(reused, 0)

        try writer.write { w in _ = try w.upsert(EdgeInput(key: "ac", type: "CITES", from: "a", to: "c")) }
        XCTAssertEqual(try engine.run(hop, parameters: ["start": .int(start)]).rows, [[.int(2)]])
        XCTAssertEqual(try engine.run(reach, parameters: ["start": .int(start)]).rows, [[.int(2)]])
        XCTAssertGreaterThan(engine.planStatistics.reused, reused, "the same ontology: the plan is still kept")

        let update = QueryEngineTests.root.appendingPathComponent("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml").path
        _ = try writer.applyOntologyUpdate(try OntologyUpdate(yaml: try String(contentsOfFile: update, encoding: .utf8), file: update))
        XCTAssertEqual(queryError { _ = try engine.run(old) }?.code, "UnknownLabel")
        XCTAssertEqual(try engine.run("MATCH (c:ECtHRJudgment) RETURN count(*) AS n").rows, [[.int(3)]])
        XCTAssertEqual(try engine.run(hop, parameters: ["start": .int(start)]).rows, [[.int(2)]])
    }
}
