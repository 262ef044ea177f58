import Foundation
import GRDB
import GraphAlgorithms
import GraphStore
import LexgraphCore
import Ontology
import Query
import XCTest

/// The engine's own guarantees beyond the TCK: positioned errors against the legal
/// ontology, bound parameters, read-only default, limits, AS OF, full text, EXPLAIN.
final class QueryEngineTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A legal-core store with two Supreme Court cases (1960, 1990), one ECtHR case
    /// (2005) and citations between them.
    func legalStore() throws -> GraphStore {
        let path = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ontology = try Ontology(yaml: text, file: "ontology/legal-core.yaml")
        let store = try GraphStore(inMemoryWith: ontology, documentText: text)
        try store.write { w in
            try w.upsert(NodeInput(key: "old", type: "SupremeCourtCase", properties: [
                "name": .string("Old v. Landlord"), "decision_date": .string("1960-03-01"),
                "facts": .string("An eviction of a tenant; the eviction notice and the eviction itself were contested.")]))
            try w.upsert(NodeInput(key: "new", type: "SupremeCourtCase", properties: [
                "name": .string("New v. City"), "decision_date": .string("1990-05-02"),
                "facts": .string("A zoning dispute that mentions an eviction once, among many other matters of land use and permits.")]))
            try w.upsert(NodeInput(key: "echr", type: "ECtHRCase", properties: [
                "name": .string("Tenant v. State"), "decision_date": .string("2005-07-07"),
                "facts": .string("Housing and home under Article 8.")]))
            try w.upsert(EdgeInput(key: "c1", type: "CITES", from: "new", to: "old"))
            try w.upsert(EdgeInput(key: "c2", type: "CITES", from: "echr", to: "new"))
        }
        return store
    }

    // MARK: Positioned errors with did-you-mean

    func testUnknownLabelIsPositionedWithCaretAndSuggestion() throws {
        let engine = QueryEngine(store: try legalStore())
        let e = queryError { _ = try engine.run("MATCH (c:SupremeCourtCas)\nRETURN c") }
        XCTAssertEqual(e?.kind, .syntax)
        XCTAssertEqual(e?.code, "UnknownLabel")
        XCTAssertEqual(e?.location, SourceLocation(line: 1, column: 10))
        XCTAssertEqual(e?.description, """
            1:10: unknown label 'SupremeCourtCas' (did you mean 'SupremeCourtCase'?)
              MATCH (c:SupremeCourtCas)
                       ^
            """)
    }

    func testUnknownPropertyAndTypeOnLaterLines() throws {
        let engine = QueryEngine(store: try legalStore())
        let p = queryError { _ = try engine.run("MATCH (c:Case)\nWHERE c.decison_date > '1970-01-01'\nRETURN c") }
        XCTAssertEqual(p?.code, "UnknownProperty")
        XCTAssertEqual(p?.location, SourceLocation(line: 2, column: 8))
        XCTAssertTrue(p?.message.contains("did you mean 'decision_date'?") ?? false, p?.message ?? "")
        XCTAssertTrue(p?.description.hasSuffix("  WHERE c.decison_date > '1970-01-01'\n         ^") ?? false, p?.description ?? "")
        let t = queryError { _ = try engine.run("MATCH (a)-[:CITE]->(b) RETURN a") }
        XCTAssertEqual(t?.code, "UnknownRelationshipType")
        XCTAssertEqual(t?.location, SourceLocation(line: 1, column: 13))
        XCTAssertTrue(t?.message.contains("did you mean 'CITES'?") ?? false, t?.message ?? "")
    }

    func testSyntaxErrorsAreNotCrashes() throws {
        let engine = QueryEngine(store: try legalStore())
        let e = queryError { _ = try engine.run("MATCH (a RETURN a") }
        XCTAssertEqual(e?.kind, .syntax)
        XCTAssertEqual(e?.location, SourceLocation(line: 1, column: 10))
        let u = queryError { _ = try engine.run("MATCH (a) RETURN b") }
        XCTAssertEqual(u?.code, "UndefinedVariable")
        XCTAssertEqual(u?.location, SourceLocation(line: 1, column: 18))
    }

    // MARK: Ontology semantics

    func testLabelMatchesSubtypesInOntologyMode() throws {
        let engine = QueryEngine(store: try legalStore())
        let r = try engine.run("MATCH (c:Case) RETURN c.name AS name ORDER BY name")
        XCTAssertEqual(r.rows, [[.string("New v. City")], [.string("Old v. Landlord")], [.string("Tenant v. State")]])
        let s = try engine.run("MATCH (c:SupremeCourtCase)<-[:CITES*1..2]-(x:ECtHRCase) RETURN c.name AS name ORDER BY name")
        XCTAssertEqual(s.rows, [[.string("New v. City")], [.string("Old v. Landlord")]])
    }

    // MARK: Parameters, read-only, limits

    func testParametersAreBoundNeverSpliced() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        let evil = "'); DROP TABLE node; --"
        let none = try engine.run("MATCH (n) WHERE n.name = $p RETURN count(*) AS c", parameters: ["p": .string(evil)])
        XCTAssertEqual(none.rows, [[.int(0)]])
        _ = try engine.run("CREATE (:X {name: $p})", parameters: ["p": .string(evil)], options: QueryOptions(write: true))
        let back = try engine.run("MATCH (n:X {name: $p}) RETURN n.name AS name", parameters: ["p": .string(evil)])
        XCTAssertEqual(back.rows, [[.string(evil)]])
        let tables = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'node'") }
        XCTAssertEqual(tables, ["node"])
        // Labels and property keys are bound too.
        let label = try engine.run("MATCH (n:`X') OR 1=1 --`) RETURN count(*) AS c")
        XCTAssertEqual(label.rows, [[.int(0)]])
    }

    func testReadOnlyByDefaultRefusesCreate() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        let e = queryError { _ = try engine.run("CREATE (:A {x: 1})") }
        XCTAssertEqual(e?.kind, .readOnly)
        XCTAssertEqual(try engine.run("MATCH (n) RETURN count(n) AS c").rows, [[.int(0)]])
        _ = try engine.run("CREATE (:A {x: 1})", options: QueryOptions(write: true))
        XCTAssertEqual(try engine.run("MATCH (n:A) RETURN n.x AS x").rows, [[.int(1)]])
    }

    func testRowLimit() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        let e = queryError { _ = try engine.run("UNWIND range(1, 100) AS x RETURN x", options: QueryOptions(rowLimit: 10)) }
        XCTAssertEqual(e?.kind, .rowLimit)
        XCTAssertEqual(try engine.run("UNWIND range(1, 100) AS x RETURN x LIMIT 10", options: QueryOptions(rowLimit: 10)).rows.count, 10)
    }

    func testTimeLimitInterruptsTheStatement() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        // A complete directed graph on 9 nodes: trails of up to 10 edges are countless.
        _ = try engine.run("UNWIND range(1, 9) AS i CREATE (:K {i: i})", options: QueryOptions(write: true))
        _ = try engine.run("MATCH (a:K), (b:K) WHERE a.i <> b.i CREATE (a)-[:E]->(b)", options: QueryOptions(write: true))
        let started = Date()
        let e = queryError { _ = try engine.run("MATCH (a:K {i: 1})-[*]->(b) RETURN count(*) AS c", options: QueryOptions(timeLimit: 0.5)) }
        XCTAssertEqual(e?.kind, .timeout)
        XCTAssertTrue(e?.message.contains("time limit of 0.5 s") ?? false)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    /// A query that reaches its time limit stops only its own statement: another query
    /// running at the same time on the same store (a shell, a server) goes on.
    func testTimeLimitInterruptsOnlyTheQueryThatReachedIt() throws {
        let path = NSTemporaryDirectory() + "lexgraph-interrupt-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try GraphStore(path: path, create: true)
        try store.installOntology(.permissive, documentText: "", source: "test", summary: "schema-free")
        let engine = QueryEngine(store: store)
        _ = try engine.run("UNWIND range(1, 9) AS i CREATE (:K {i: i})", options: QueryOptions(write: true))
        _ = try engine.run("MATCH (a:K), (b:K) WHERE a.i <> b.i CREATE (a)-[:E]->(b)", options: QueryOptions(write: true))
        let endless = "MATCH (a:K {i: 1})-[*]->(b) RETURN count(*) AS c"
        let started = Date()
        final class Seconds: @unchecked Sendable { var value: TimeInterval = 0 }
        let longerEnded = Seconds()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = try? engine.run(endless, options: QueryOptions(timeLimit: 2))
            longerEnded.value = Date().timeIntervalSince(started)
        }
        let e = queryError { _ = try engine.run(endless, options: QueryOptions(timeLimit: 0.5)) }
        XCTAssertEqual(e?.kind, .timeout)
        group.wait()
        XCTAssertGreaterThan(longerEnded.value, 1.9, "the 2 s query was stopped by the other query's 0.5 s limit")
    }

    // MARK: Extensions

    func testAsOfKeepsOnlyNodesAndEdgesValidOnTheDate() throws {
        let engine = QueryEngine(store: try legalStore())
        XCTAssertEqual(try engine.run("AS OF '1970-01-01' MATCH (c:Case) RETURN c.name AS name").rows, [[.string("Old v. Landlord")]])
        XCTAssertEqual(try engine.run("MATCH (a:Case)-[:CITES]->(b) RETURN a.name AS a AS OF '1995-01-01'").rows, [[.string("New v. City")]])
        XCTAssertEqual(try engine.run("MATCH (a:Case)-[:CITES*]->(b) RETURN count(*) AS n AS OF '1980-01-01'").rows, [[.int(0)]])
        XCTAssertEqual(try engine.run("MATCH (a:Case)-[:CITES*]->(b) RETURN count(*) AS n AS OF '2010-01-01'").rows, [[.int(3)]])
        let bad = queryError { _ = try engine.run("AS OF '1970-13-01' MATCH (c) RETURN c") }
        XCTAssertEqual(bad?.kind, .syntax)
    }

    /// Every AS OF form the README documents: before the query, after it (also right after
    /// an unaliased RETURN item, where `AS OF 'date'` is the query's date and not an alias
    /// named OF), after ORDER BY / LIMIT, with EXPLAIN and PROFILE, and before a final `;`.
    /// The README's own example queries, on cases with their usids.
    func testAsOfInEveryDocumentedForm() throws {
        let store = try legalStore()
        try store.write { w in
            try w.upsert(NodeInput(key: "mapp", type: "SupremeCourtCase", properties: [
                "name": .string("Mapp v. Ohio"), "usid": .string("367US643"), "decision_date": .string("1961-06-19")]))
            try w.upsert(NodeInput(key: "wolf", type: "SupremeCourtCase", properties: [
                "name": .string("Wolf v. Colorado"), "usid": .string("332US46"), "decision_date": .string("1949-06-27")]))
            try w.upsert(NodeInput(key: "citer", type: "SupremeCourtCase", properties: [
                "name": .string("Ker v. California"), "decision_date": .string("1963-06-10")]))
            try w.upsert(NodeInput(key: "late", type: "SupremeCourtCase", properties: [
                "name": .string("Later v. State"), "decision_date": .string("1984-01-01")]))
            try w.upsert(EdgeInput(key: "k1", type: "CITES", from: "citer", to: "mapp"))
            try w.upsert(EdgeInput(key: "k2", type: "CITES", from: "late", to: "citer"))
            try w.upsert(EdgeInput(key: "k3", type: "CITES", from: "late", to: "mapp"))
        }
        let engine = QueryEngine(store: store)
        // README: `lexgraph query "MATCH (a)-[:CITES*1..2]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS OF '1970-01-01'"`
        let reach = try engine.run("MATCH (a)-[:CITES*1..2]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS OF '1970-01-01'")
        XCTAssertEqual(reach.columns, ["count(DISTINCT a)"])
        XCTAssertEqual(reach.rows, [[.int(1)]])
        XCTAssertEqual(try engine.run("MATCH (a)-[:CITES*1..2]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS OF '1990-01-01'").rows, [[.int(2)]])
        // README: `MATCH (c:SupremeCourtCase) WHERE c.usid = '332US46' RETURN citator(c).level AS OF '1960-01-01'`
        let level = try engine.run("MATCH (c:SupremeCourtCase) WHERE c.usid = '332US46' RETURN citator(c).level AS OF '1960-01-01'")
        XCTAssertEqual(level.columns, ["citator(c).level"])
        XCTAssertEqual(level.rows, [[.string("good law")]])
        let names = "MATCH (c:SupremeCourtCase)-[:CITES]->(m {usid: '367US643'}) RETURN c.name"
        let asOf1970: [[CypherValue]] = [[.string("Ker v. California")]]
        for query in [names + " AS OF '1970-01-01'", "AS OF '1970-01-01' " + names, "AS OF '1970-01-01'\n" + names + ";",
                      names + " AS OF '1970-01-01';", names + " ORDER BY c.name LIMIT 5 AS OF '1970-01-01'",
                      names + " AS n ORDER BY n DESC AS OF '1970-01-01'", "PROFILE " + names + " AS OF '1970-01-01'",
                      "PROFILE AS OF '1970-01-01' " + names, names + "\nAS\nOF\n'1970-01-01'"] {
            XCTAssertEqual(try engine.run(query).rows, asOf1970, query)
        }
        XCTAssertEqual(try engine.run(names + " ORDER BY c.name").rows.count, 2)
        for query in ["EXPLAIN " + names + " AS OF '1970-01-01'", "EXPLAIN AS OF '1970-01-01' " + names] {
            let plan = try engine.run(query).explanation?.joined(separator: "\n") ?? ""
            XCTAssertTrue(plan.contains("valid_from"), query)
        }
        // Without a date after it, OF is an alias as before.
        XCTAssertEqual(try engine.run("RETURN 1 AS OF").columns, ["OF"])
        XCTAssertEqual(try engine.run("WITH 1 AS of RETURN of AS OF").columns, ["OF"])
        // Two dates, or a date where an alias belongs, are errors at the second AS.
        let twice = queryError { _ = try engine.run("AS OF '1970-01-01' " + names + " AS OF '1980-01-01'") }
        XCTAssertEqual(twice?.location, SourceLocation(line: 1, column: 19 + names.count + 2))
        let bad = queryError { _ = try engine.run(names + " AS OF 'yesterday'") }
        XCTAssertEqual(bad?.location, SourceLocation(line: 1, column: names.count + 8))
    }

    /// `citator()` answers what `lexgraph status` (GraphAlgorithms' citator over the full
    /// snapshot) answers, as of the query's AS OF date.
    func testCitatorFunctionMatchesTheGraphCitatorAsOfTheQueryDate() throws {
        let store = try legalStore()
        try store.write { w in
            try w.upsert(NodeInput(key: "overruler", type: "SupremeCourtCase", properties: [
                "name": .string("Later v. Court"), "decision_date": .string("2000-01-10")]))
            try w.upsert(EdgeInput(key: "o1", type: "OVERRULES", from: "overruler", to: "old"))
        }
        let engine = QueryEngine(store: store)
        let query = "MATCH (c:SupremeCourtCase) RETURN c.name AS name, citator(c).level AS level, citator(c, 2).relies_on AS relies ORDER BY name"
        let snapshot = try GraphSnapshot.load(store)
        for date in ["1995-01-01", "2010-01-01"] {
            let rows = try engine.run(query + " AS OF '\(date)'").rows
            var expected: [[CypherValue]] = []
            for (key, name) in [("new", "New v. City"), ("old", "Old v. Landlord"), ("overruler", "Later v. Court")].sorted(by: { $0.1 < $1.1 }) {
                guard try store.read({ db in try Bool.fetchOne(db, sql: "SELECT json_extract(props, '$.decision_date') <= ? FROM node WHERE key = ?", arguments: [date, key]) }) == true else { continue }
                let status = try snapshot.citatorStatus(of: key, asOf: LegalDate(iso: date)!, hops: 1)
                let deep = try snapshot.citatorStatus(of: key, asOf: LegalDate(iso: date)!, hops: 2)
                expected.append([.string(name), .string(status.level.rawValue), .list(deep.reliances.map { .string($0.authority) })])
            }
            XCTAssertEqual(rows, expected, date)
        }
        XCTAssertEqual(try engine.run("MATCH (c {name: 'Old v. Landlord'}) RETURN citator(c).level AS l AS OF '2010-01-01'").rows, [[.string("overruled")]])
        XCTAssertEqual(try engine.run("MATCH (c {name: 'New v. City'}) RETURN citator(c).level AS l AS OF '2010-01-01'").rows, [[.string("relies on overruled authority")]])
        let bad = queryError { _ = try engine.run("RETURN\n  citator('old')") }
        XCTAssertEqual(bad?.location, SourceLocation(line: 2, column: 3))
    }

    /// The ranking must be SQLite FTS5's own BM25 order (the reference), and a text
    /// that repeats the term ranks above one that mentions it once.
    func testFullTextPredicateAndBM25Order() throws {
        let store = try legalStore()
        let engine = QueryEngine(store: store)
        let r = try engine.run("MATCH (c:Case) WHERE fts(c, 'eviction') IS NOT NULL RETURN c.name AS name, fts(c, 'eviction') AS score ORDER BY score DESC")
        let reference = try store.read { db in
            try String.fetchAll(db, sql: "SELECT json_extract(node.props, '$.name') FROM node_fts JOIN node ON node.id = node_fts.rowid WHERE node_fts MATCH 'eviction' ORDER BY bm25(node_fts)")
        }
        XCTAssertEqual(r.rows.map { $0[0] }, reference.map(CypherValue.string))
        XCTAssertEqual(r.rows.map { $0[0] }, [.string("Old v. Landlord"), .string("New v. City")])
        let explain = try engine.run("EXPLAIN MATCH (c:Case) WHERE fts(c, 'eviction') IS NOT NULL RETURN c")
        XCTAssertTrue(explain.explanation?.contains { $0.contains("node_fts MATCH ?") } ?? false)
    }

    func testExplainShowsRecursiveCTEAndPlanAndProfileCountsRows() throws {
        let engine = QueryEngine(store: try legalStore())
        // The SQL (by default the native traversal answers these: NativeTraversalTests).
        var sqlOnly = QueryOptions()
        sqlOnly.nativeTraversal = false
        let e = try engine.run("EXPLAIN MATCH (a:Case)-[:CITES*1..3]->(b) RETURN b", options: sqlOnly)
        let text = e.explanation?.joined(separator: "\n") ?? ""
        XCTAssertTrue(text.contains("WITH RECURSIVE"), text)
        XCTAssertTrue(text.contains("-- plan:"), text)
        // A WHERE condition on the start node also narrows the recursive CTE's seed.
        let seeded = try engine.run("EXPLAIN MATCH (a:Case)-[:CITES*]->(b) WHERE a.year < 2000 RETURN b", options: sqlOnly)
        let seedLine = seeded.explanation?.first { $0.contains("SELECT s") && $0.contains("FROM node s") } ?? ""
        XCTAssertTrue(seedLine.contains("json_extract(s"), seeded.explanation?.joined(separator: "\n") ?? "")
        let p = try engine.run("PROFILE MATCH (a:Case)-[:CITES]->(b) RETURN a.name AS a")
        XCTAssertEqual(p.profile?.map(\.clause), ["MATCH", "RETURN"])
        XCTAssertEqual(p.profile?.first?.rows, 2)
    }

    func testTrailSemanticsNeverReuseARelationship() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("CREATE (a:A)-[:R]->(b:B), (b)-[:R]->(a)", options: QueryOptions(write: true))
        // From a: a->b, a->b->a; the cycle cannot be walked twice.
        XCTAssertEqual(try engine.run("MATCH (a:A)-[:R*]->(x) RETURN count(*) AS n").rows, [[.int(2)]])
        XCTAssertEqual(try engine.run("MATCH (a:A)-[r1:R]-(b)-[r2:R]-(c) RETURN count(*) AS n").rows, [[.int(2)]])
    }
}

extension XCTestCase {
    /// The `QueryError` that `body` throws (a failure when it throws anything else).
    func queryError(_ body: () throws -> Void) -> QueryError? {
        do { try body() } catch let e as QueryError { return e } catch { XCTFail("not a QueryError: \(error)") }
        return nil
    }
}
