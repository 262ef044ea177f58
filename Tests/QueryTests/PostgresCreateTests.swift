import Foundation
import GraphStore
import LexgraphCore
import PostgresStore
import Query
import TestRequirements
import XCTest

/// CREATE on both backends: the same writing queries, in the same order, on the legal
/// graph in a SQLite file and on the test server; each must answer alike (the same rows,
/// or the same refusal), and afterwards both graphs must hold the same nodes and
/// relationships. SQLite is the peer (its CREATE is checked against the openCypher TCK).
final class PostgresCreateTests: XCTestCase {
    /// An answer or a refusal, comparable across backends.
    static func outcome(_ run: () throws -> QueryResult) -> String {
        do {
            let result = try run()
            return "\(result.columns)\n" + result.rows.map { "\($0)" }.joined(separator: "\n")
        } catch let error as QueryError {
            // A created node's key is random (`query:UUID`): not part of the answer.
            let message = error.message.replacingOccurrences(of: #"query:[0-9a-f-]{36}"#, with: "query:KEY", options: .regularExpression)
            return "error \(error.kind.rawValue) \(error.code): \(message)"
        } catch {
            return "error \(error)"
        }
    }

    /// Every node and relationship with its labels or type, ends and properties, by id.
    static func wholeGraph(_ run: (String) throws -> QueryResult) throws -> [[CypherValue]] {
        try run("MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id").rows
            + run("MATCH (a)-[r]->(b) RETURN id(r) AS id, type(r) AS type, id(a) AS a, id(b) AS b, properties(r) AS props ORDER BY id").rows
    }

    func testCreateAnswersAndWritesAlikeOnBothBackends() throws {
        let url = try PostgresTestServer.freshDatabase("create")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-create-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PostgresDifferentialTests.legalGraph(in: dir)
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: store)
        let sqlite = QueryEngine(store: store), postgres = RemoteQueryEngine(graph: server)
        let write = QueryOptions(write: true)
        var small = QueryOptions(write: true)
        small.rowLimit = 10
        // (query, options): answers first, then refusals of every kind.
        let queries: [(String, QueryOptions)] = [
            ("CREATE (n:SupremeCourtCase {usid: '999US1', name: 'New v. Case', term: 2030}) RETURN n.name AS name, n.term AS term, id(n) AS id", write),
            ("MATCH (a:SupremeCourtCase {usid: '367US643'}), (b:SupremeCourtCase {usid: '999US1'}) CREATE (b)-[r:CITES]->(a) RETURN type(r) AS t, id(r) AS id, a.usid AS cited", write),
            ("UNWIND range(1, 3) AS i CREATE (n:Article {number: 'X' + toString(i), instrument: 'ECHR'}) RETURN i, id(n) AS id ORDER BY i", write),
            ("MATCH (c:SupremeCourtCase) WHERE c.term > 1995 CREATE (c)-[:CITES]->(c) RETURN count(*) AS n", write),
            ("CREATE p = (:SupremeCourtCase {name: 'A'})-[:OVERRULES]->(:SupremeCourtCase {name: 'B'}) RETURN length(p) AS hops, nodes(p) AS ns", write),
            ("MATCH (n:SupremeCourtCase {name: 'A'}) RETURN count(*) AS n", QueryOptions()),
            ("CREATE (n:Article {number: 'Y'})", QueryOptions()),
            ("CREATE (n:NoSuchType {a: 1})", write),
            ("CREATE (n:SupremeCourtCase:Article {name: 'two types'})", write),
            ("UNWIND [1, 2] AS i CREATE (n:SupremeCourtCase {name: 'Half ' + toString(i), term: CASE i WHEN 2 THEN 'bad' ELSE 1990 END})", write),
            ("UNWIND range(1, 20) AS i CREATE (:Article {number: 'Z' + toString(i)})", small),
            ("MATCH (a:Article {number: '6'}) CREATE (a)-[:APPLIES]->(a)", write),
        ]
        var answered = 0
        for (text, options) in queries {
            let generation = try server.generation()
            let mine = Self.outcome { try sqlite.run(text, options: options) }
            let theirs = Self.outcome { try postgres.run(text, options: options) }
            XCTAssertEqual(theirs, mine, "\(text): PostgreSQL answers differently from SQLite")
            if mine.hasPrefix("error") {
                // A refused write leaves the server's graph as it was (nothing half-written).
                XCTAssertEqual(try server.generation(), generation, "\(text): refused, yet the server's graph changed")
            } else {
                answered += 1
            }
        }
        XCTAssertEqual(answered, 6, "the six queries before the refusals answer")
        let here = try Self.wholeGraph { try sqlite.run($0) }, there = try Self.wholeGraph { try postgres.run($0) }
        XCTAssertEqual(there.count, here.count)
        for (a, b) in zip(here, there) where a != b {
            XCTFail("after the writes PostgreSQL holds \(b) where SQLite holds \(a)")
            break
        }
        // The writes are in both: 300 cases + 40 judgments + 4 articles + 1 + 3 + 2 nodes.
        XCTAssertEqual(try sqlite.run("MATCH (n) RETURN count(*) AS n").rows, [[.int(350)]])
        XCTAssertEqual(try postgres.run("MATCH (n) RETURN count(*) AS n").rows, [[.int(350)]])
    }

    /// A CREATE whose staging copy was taken before another write committed writes
    /// nothing and says why; the other write stays.
    func testACreateThatRacedAnotherWriteIsRefused() throws {
        let url = try PostgresTestServer.freshDatabase("create_race")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-create-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: try PostgresDifferentialTests.legalGraph(in: dir))
        let postgres = RemoteQueryEngine(graph: server)
        let before = try server.generation()
        XCTAssertThrowsError(try server.writeThroughStaging { staging -> QueryResult in
            // The other write commits while this one's copy is staged.
            _ = try postgres.run("CREATE (:Article {number: 'first'})", options: QueryOptions(write: true))
            return try QueryEngine(store: staging).run("CREATE (:Article {number: 'second'})", options: QueryOptions(write: true))
        }) { error in
            XCTAssertTrue("\(error)".contains("changed while this write ran (generation \(before) became \(before + 1)"), "\(error)")
        }
        XCTAssertEqual(try server.generation(), before + 1)
        XCTAssertEqual(try postgres.run("MATCH (a:Article) WHERE a.number IN ['first', 'second'] RETURN a.number AS n").rows, [[.string("first")]])
    }
}
