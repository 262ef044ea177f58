import Foundation
import GraphStore
import LexgraphCore
import Ontology
import PostgresStore
import Query
import TestRequirements
import XCTest

/// The legal queries (graphs/queries/legal.cypher) on both backends: the same graph in a
/// SQLite file and, copied by the PostgreSQL store's load path, on the test server; every
/// query must give the same answer on both (the same rows, in the same order where the
/// query's ORDER BY is total; the same error otherwise). SQLite is the peer: the engine's
/// SQLite answers are checked against Kùzu, GraphQLite and FalkorDB elsewhere
/// (tools/diff_query_peers.py).
///
/// The graph is synthetic and seeded (`legalGraph`), shaped like the real one where the
/// queries look: Supreme Court cases with the five named ones (Plessy, Weeks, Mapp,
/// Gideon, Miranda), citations, overrulings, ECtHR judgments applying Convention
/// articles and citing each other.
final class PostgresDifferentialTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct LegalQuery {
        var name: String
        var text: String
        var ordered: Bool
    }

    /// The queries of graphs/queries/legal.cypher: `// name:` starts one, `// flags:
    /// ordered` marks a total order, the text runs to the `;` that ends a line.
    static func legalQueries() throws -> [LegalQuery] {
        let text = try String(contentsOf: root.appendingPathComponent("graphs/queries/legal.cypher"), encoding: .utf8)
        var out: [LegalQuery] = []
        var current: LegalQuery?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("// name:") {
                current = LegalQuery(name: line.dropFirst(8).trimmingCharacters(in: .whitespaces), text: "", ordered: false)
            } else if line.hasPrefix("// flags:") {
                current?.ordered = line.contains("ordered")
            } else if !line.hasPrefix("//"), current != nil, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                current!.text += (current!.text.isEmpty ? "" : "\n") + line
                if line.hasSuffix(";") {
                    current!.text.removeLast()
                    out.append(current!)
                    current = nil
                }
            }
        }
        return out
    }

    /// A deterministic legal graph in a new SQLite file (legal-core with every shipped
    /// update): 300 Supreme Court cases, 40 ECtHR judgments, 4 articles.
    static func legalGraph(in dir: URL) throws -> GraphStore {
        let store = try BuildCatalog.openForBuild(path: dir.appendingPathComponent("legal.sqlite").path, root: root, key: .noKey)
        let named = [13: "163US537", 82: "232US383", 217: "367US643", 222: "372US335", 234: "384US436"]
        func usid(_ i: Int) -> String { named[i] ?? "\(150 + i)US\(1 + (i * 37) % 900)" }
        try store.write { w in
            for i in 0..<300 {
                let year = 1850 + i / 2
                var props: [String: Value] = [
                    "usid": .string(usid(i)), "name": .string("Party \(i) v. State \(i % 13)"), "year": .int(Int64(year)),
                    "decision_date": .string(String(format: "%04d-%02d-%02d", year, 1 + i % 12, 1 + i % 28)), "term": .int(Int64(year)),
                    "majority_votes": .int(Int64(5 + i % 5)), "minority_votes": .int(Int64(4 - i % 5)),
                ]
                if i % 3 != 2 { props["first_party_won"] = .bool(i % 3 == 0) }
                try w.upsert(NodeInput(key: "scotus:\(usid(i))", type: "SupremeCourtCase", properties: props))
            }
            for i in 1..<300 {
                var cited = Set<Int>()
                for m in 1...(1 + i % 6) { cited.insert((i * 7919 + m * 104_729) % i) }
                if i > 217 && i % 4 == 0 { cited.insert(217) }
                if i > 217 && i % 8 == 0 { cited.insert(82) }
                if i == 217 { cited.formUnion([82, 13, 40, 41]) }
                for j in cited.sorted() {
                    try w.upsert(EdgeInput(key: "cites:\(i):\(j)", type: "CITES", from: "scotus:\(usid(i))", to: "scotus:\(usid(j))"))
                }
                if i > 50 && i % 25 == 0 {
                    try w.upsert(EdgeInput(key: "overrules:\(i)", type: "OVERRULES", from: "scotus:\(usid(i))", to: "scotus:\(usid(i - 40))"))
                }
            }
            try w.upsert(EdgeInput(key: "overrules:plessy", type: "OVERRULES", from: "scotus:\(usid(200))", to: "scotus:163US537"))
            let articles = ["6", "8", "13", "P1-1"]
            for number in articles {
                try w.upsert(NodeInput(key: "echr:article:\(number)", type: "Article", properties: ["number": .string(number), "instrument": .string("ECHR")]))
            }
            let states = ["United Kingdom", "France", "Turkey", "Poland", "Italy"]
            for k in 0..<40 {
                let ecli = k == 7 ? "ECLI:CE:ECHR:2004:0527JUD006674601" : String(format: "ECLI:CE:ECHR:%04d:%04dJUD%09d", 2000 + k % 20, 101 + k, 10_000 + k)
                try w.upsert(NodeInput(key: "echr:\(ecli)", type: "ECtHRJudgment", properties: [
                    "ecli": .string(ecli), "name": .string("Applicant \(k) v. \(states[k % 5])"), "respondent_state": .string(states[k % 5]),
                    "violation": .string(["violation", "non-violation", "mixed"][k % 3]),
                    "decision_date": .string(String(format: "%04d-06-%02d", 2000 + k % 20, 1 + k % 28))]))
                for a in Set([k % 4, (k * 3) % 4]).sorted() {
                    try w.upsert(EdgeInput(key: "applies:\(k):\(a)", type: "APPLIES", from: "echr:\(ecli)", to: "echr:article:\(articles[a])"))
                }
            }
            for k in 1..<40 {
                for j in Set([(k * 13) % k, (k * 29 + 3) % k, k == 20 ? 7 : (k * 5) % k]).sorted() {
                    let from = k == 7 ? "ECLI:CE:ECHR:2004:0527JUD006674601" : String(format: "ECLI:CE:ECHR:%04d:%04dJUD%09d", 2000 + k % 20, 101 + k, 10_000 + k)
                    let to = j == 7 ? "ECLI:CE:ECHR:2004:0527JUD006674601" : String(format: "ECLI:CE:ECHR:%04d:%04dJUD%09d", 2000 + j % 20, 101 + j, 10_000 + j)
                    try w.upsert(EdgeInput(key: "echr-cites:\(k):\(j)", type: "CITES", from: "echr:\(from)", to: "echr:\(to)"))
                }
            }
        }
        return store
    }

    /// A result in a form that compares across backends: the columns and each row's
    /// values (node and relationship ids are the same on both: the copy keeps them).
    static func answer(_ run: () throws -> QueryResult, ordered: Bool) -> (text: String, rows: Int) {
        do {
            let result = try run()
            var rows = result.rows.map { "\($0)" }
            if !ordered { rows.sort() }
            return ("\(result.columns)\n" + rows.joined(separator: "\n"), result.rows.count)
        } catch let error as QueryError {
            return ("error \(error.kind.rawValue) \(error.code)", -1)
        } catch {
            return ("error \(error)", -1)
        }
    }

    /// The error `run` throws, for a failure message.
    static func message(_ run: () throws -> QueryResult) -> String {
        do { _ = try run(); return "no error" } catch { return "\(error)" }
    }

    func testLegalQueriesAnswerAlikeOnBothBackends() throws {
        let url = try PostgresTestServer.freshDatabase("differential")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.legalGraph(in: dir)
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: store)
        let sqlite = QueryEngine(store: store), postgres = RemoteQueryEngine(graph: server)
        let queries = try Self.legalQueries()
        XCTAssertEqual(queries.count, 38, "the queries of graphs/queries/legal.cypher")
        var answered = 0, withRows = 0
        for q in queries {
            let mine = Self.answer({ try sqlite.run(q.text) }, ordered: q.ordered)
            let theirs = Self.answer({ try postgres.run(q.text) }, ordered: q.ordered)
            XCTAssertEqual(theirs.text, mine.text, "\(q.name): PostgreSQL answers differently from SQLite\(theirs.rows < 0 ? ": \((try? postgres.run(q.text)).map { "\($0.rows.count)" } ?? Self.message { try postgres.run(q.text) })" : "")")
            if mine.rows >= 0 { answered += 1 }
            if mine.rows > 0 { withRows += 1 }
        }
        print("legal queries on both backends: \(queries.count) compared, \(answered) answered, \(withRows) with rows")
        // Every query runs (none is a CREATE, fts() or citator()), and the graph gives
        // most of them something to return.
        XCTAssertEqual(answered, queries.count)
        XCTAssertGreaterThanOrEqual(withRows, 28)
    }

    /// `citator()` on both backends: every Supreme Court case's status at several dates
    /// and hop bounds, on the legal graph plus dated citations with treatments (overruled,
    /// negative ones, reliance), which the neighbourhood reads select by their JSON
    /// `treatment` on each backend in its own SQL.
    func testCitatorAnswersAlikeOnBothBackends() throws {
        let url = try PostgresTestServer.freshDatabase("citator")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-citator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.legalGraph(in: dir)
        let keys = try store.read { db in try String.fetchAll(db, sql: "SELECT key FROM node WHERE type = 'SupremeCourtCase' ORDER BY id") }
        let treatments = ["overruled", "questioned", "criticised", "limited", "distinguished", "reversed", "followed", "cited"]
        try store.write { w in
            for i in stride(from: 10, to: keys.count, by: 7) {
                let j = (i * 37 + 11) % i
                let year = 1900 + i / 3
                try w.upsert(EdgeInput(key: "treated:\(i):\(j)", type: "CITES", from: keys[i], to: keys[j],
                                       properties: ["treatment": .string(treatments[i % treatments.count])],
                                       validFrom: LegalDate(year: year, month: 1 + i % 12, day: 1 + i % 28)))
            }
        }
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: store)
        let sqlite = QueryEngine(store: store), postgres = RemoteQueryEngine(graph: server)
        var levels = Set<String>()
        for hops in [0, 1, 3] {
            for asOf in ["", " AS OF '1950-01-01'", " AS OF '2020-06-30'"] {
                let text = "MATCH (c:SupremeCourtCase) RETURN c.usid AS usid, citator(c, \(hops)) AS status ORDER BY usid\(asOf)"
                // Values compared as values: a map's printed key order is not stable.
                let mine = try sqlite.run(text), theirs = try postgres.run(text)
                XCTAssertEqual(theirs.columns, mine.columns)
                XCTAssertEqual(theirs.rows.count, mine.rows.count, text)
                XCTAssertGreaterThan(mine.rows.count, 0, text)
                for (a, b) in zip(mine.rows, theirs.rows) where a != b {
                    XCTFail("\(text): PostgreSQL answers \(b) where SQLite answers \(a)")
                    break
                }
                for row in mine.rows { if case .map(let m) = row[1], case .string(let level)? = m["level"] { levels.insert(level) } }
            }
        }
        // The graph exercises every level, so every read of the neighbourhood counts.
        XCTAssertEqual(levels, ["overruled", "negative treatment", "relies on overruled authority", "good law"])
    }
}
