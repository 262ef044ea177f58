import Foundation
import GraphStore
import LexgraphCore
import PostgresStore
import Query
import TestRequirements
import XCTest

/// `fts()` on both backends against the peer: SQLite's FTS5 run by Python's sqlite3
/// (tools/make_fts_fixture.py wrote Tests/Fixtures/fts/echr_articles.json: the ECHR's
/// 106 articles and, per query, every matching article with its `-bm25()`). Each backend
/// must match the same articles, rank them in the same order and score them as the peer
/// does (to 1e-9; scores that close are ties, ordered by article number).
final class PostgresFullTextTests: XCTestCase {
    struct Fixture: Decodable {
        struct Article: Decodable { var number: String; var title: String; var text: String }
        struct Query: Decodable { var terms: String; var results: [Scored] }
        var articles: [Article]
        var queries: [Query]
    }

    /// An article number and its score, decoded from the fixture's `[number, score]`.
    struct Scored: Decodable, Equatable {
        var number: String
        var score: Double
        init(number: String, score: Double) { self.number = number; self.score = score }
        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            number = try pair.decode(String.self)
            score = try pair.decode(Double.self)
        }
    }

    /// Best first; scores within 1e-9 of each other tie and go by number.
    static func ranked(_ items: [Scored]) -> [Scored] {
        items.sorted { a, b in
            abs(a.score - b.score) > 1e-9 ? a.score > b.score : a.number < b.number
        }
    }

    func testFullTextScoresMatchFTS5OnBothBackends() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: PostgresDifferentialTests.root
            .appendingPathComponent("Tests/Fixtures/fts/echr_articles.json")))
        XCTAssertEqual(fixture.articles.count, 106)
        let url = try PostgresTestServer.freshDatabase("fulltext")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-fts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try BuildCatalog.openForBuild(path: dir.appendingPathComponent("fts.sqlite").path, root: PostgresDifferentialTests.root, key: .noKey)
        try store.write { w in
            for a in fixture.articles {
                try w.upsert(NodeInput(key: "echr:article:\(a.number)", type: "Article", properties: [
                    "number": .string(a.number), "title": .string(a.title), "text": .string(a.text), "instrument": .string("ECHR")]))
            }
        }
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: store)
        let engines: [(String, (String) throws -> QueryResult)] = [
            ("SQLite", { try QueryEngine(store: store).run($0) }),
            ("PostgreSQL", { try RemoteQueryEngine(graph: server).run($0) }),
        ]
        var matches = 0
        for query in fixture.queries {
            let peer = Self.ranked(query.results)
            matches += peer.count
            let text = "MATCH (a:Article) WHERE fts(a, '\(query.terms)') IS NOT NULL RETURN a.number AS number, fts(a, '\(query.terms)') AS score"
            for (backend, run) in engines {
                let rows = try run(text).rows.map { row -> Scored in
                    guard case .string(let number) = row[0], case .float(let score) = row[1] else {
                        XCTFail("\(backend) '\(query.terms)': unexpected row \(row)")
                        return Scored(number: "", score: .nan)
                    }
                    return Scored(number: number, score: score)
                }
                let mine = Self.ranked(rows)
                XCTAssertEqual(mine.map(\.number), peer.map(\.number), "\(backend) '\(query.terms)': not FTS5's matches in FTS5's order")
                for (a, b) in zip(mine, peer) where abs(a.score - b.score) > 1e-9 {
                    XCTFail("\(backend) '\(query.terms)': article \(a.number) scores \(a.score), FTS5 \(b.score)")
                    break
                }
            }
        }
        XCTAssertEqual(matches, 199, "the fixture's scored matches")
    }
}
