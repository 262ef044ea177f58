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

    /// A syntax error is reported every time, with its position, never remembered as a query.
    func testASyntaxErrorIsReportedEveryTime() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        for _ in 0..<2 {
            let e = queryError { _ = try engine.run("MATCH (n RETURN n") }
            XCTAssertEqual(e?.kind, .syntax)
            XCTAssertEqual(e?.location?.line, 1)
        }
    }
}
