import Foundation
import GraphStore
import Query
import XCTest
import Server

/// `POST /db/{name}/tx/commit` in Neo4j's shape: results as the engine computes them,
/// errors with Neo4j status codes and line:column, writes only for roles that may.
final class TransactionTests: XCTestCase {
    func testResultsAreTheEnginesRowsInNeo4jsShape() async throws {
        let s = try await startServer()
        let text = "MATCH (c:Case) WHERE c.decision_date >= $from RETURN c.name AS name, c.decision_date AS date ORDER BY date"
        let reply = try await s.transaction([(text, ["from": "1980-01-01"]), ("MATCH (a)-[r:CITES]->(b) RETURN a, r, b ORDER BY a.name", [:])])
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual((reply.json["errors"] as? [Any])?.count, 0, "\(reply)")
        let results = reply.json["results"] as? [[String: Any]] ?? []
        XCTAssertEqual(results.count, 2, "\(reply)")
        // The same query in process, through the engine the route uses.
        let engine = QueryEngine(store: try GraphStore(path: s.databasePath, mode: .readOnly))
        let expected = try engine.run(text, parameters: ["from": .string("1980-01-01")])
        XCTAssertEqual(results[0]["columns"] as? [String], expected.columns)
        let rows = (results[0]["data"] as? [[String: Any]] ?? []).map { $0["row"] as? [String] ?? [] }
        XCTAssertEqual(rows, expected.rows.map { $0.map { if case .string(let v) = $0 { return v } else { return "?" } } })
        XCTAssertEqual(rows, [["New v. City", "1990-05-02"], ["Tenant v. State", "2005-07-07"]])
        // Nodes and relationships: property maps in `row`, their kind and id in `meta`.
        let citation = (results[1]["data"] as? [[String: Any]] ?? []).first ?? [:]
        let row = citation["row"] as? [[String: Any]] ?? []
        XCTAssertEqual(row.first?["name"] as? String, "New v. City", "\(reply)")
        XCTAssertEqual(row.last?["name"] as? String, "Old v. Landlord", "\(reply)")
        let meta = citation["meta"] as? [[String: Any]] ?? []
        XCTAssertEqual(meta.map { $0["type"] as? String }, ["node", "relationship", "node"], "\(reply)")
        let ids = try engine.run("MATCH (a)-[r:CITES]->(b) RETURN id(a), id(r), id(b) ORDER BY a.name").rows.first ?? []
        XCTAssertEqual(meta.map { ($0["id"] as? Int).map(Int64.init) }, ids.map { if case .int(let i) = $0 { return i } else { return nil } })
    }

    func testASyntaxErrorNamesLineAndColumnWithNeo4jsCode() async throws {
        let s = try await startServer()
        let reply = try await s.transaction([("MATCH (c:SupremeCourtCas)\nRETURN c", [:])])
        XCTAssertEqual(reply.status, 200, "\(reply)")
        let error = (reply.json["errors"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Statement.SyntaxError", "\(reply)")
        let message = error["message"] as? String ?? ""
        XCTAssertTrue(message.hasPrefix("statements[0]: 1:10: unknown label 'SupremeCourtCas' (did you mean 'SupremeCourtCase'?)"), message)
        XCTAssertTrue(message.contains("MATCH (c:SupremeCourtCas)\n           ^"), message)
        // Every statement is parsed before any runs.
        let unparsable = try await s.transaction([("RETURN 1 AS one", [:]), ("RETURN 2 AS two", [:]), ("MATCH (a\n RETURN a", [:])])
        XCTAssertEqual((unparsable.json["results"] as? [Any])?.count, 0, "\(unparsable)")
        let parseError = (unparsable.json["errors"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(parseError["code"] as? String, "Neo.ClientError.Statement.SyntaxError", "\(unparsable)")
        XCTAssertTrue((parseError["message"] as? String ?? "").hasPrefix("statements[2]: 2:2: "), "\(unparsable)")

        let missing = try await s.transaction([("RETURN 1 AS one", [:]), ("RETURN $x AS x", [:])])
        XCTAssertEqual((missing.json["results"] as? [Any])?.count, 1, "the statement before the failing one keeps its result: \(missing)")
        XCTAssertEqual(((missing.json["errors"] as? [[String: Any]])?.first?["code"] as? String), "Neo.ClientError.Statement.ParameterMissing", "\(missing)")
    }

    func testOnlyCuratorsAndAdminsWriteAndABatchWithAWriteIsRefusedWhole() async throws {
        let s = try await startServer()
        let engine = QueryEngine(store: try GraphStore(path: s.databasePath, mode: .readOnly))
        func cases() throws -> Int64 {
            if case .int(let n) = try engine.run("MATCH (c:Case) RETURN count(c)").rows[0][0] { return n }
            return -1
        }
        let create = "CREATE (c:SupremeCourtCase {name: $name, decision_date: '2001-01-01'}) RETURN c.name"
        for role in [Role.reader, .analyst] {
            let refused = try await s.transaction([(create, ["name": "Reader v. Writer"])], role: role)
            XCTAssertEqual(refused.status, 200, "\(refused)")
            let error = (refused.json["errors"] as? [[String: Any]])?.first ?? [:]
            XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Security.Forbidden", "\(refused)")
            XCTAssertTrue((error["message"] as? String ?? "").contains("needs the role curator or higher"), "\(refused)")
        }
        XCTAssertEqual(try cases(), 3)
        let batch = try await s.transaction([("RETURN 1", [:]), (create, ["name": "Half v. Applied"])], role: .admin)
        XCTAssertEqual((batch.json["errors"] as? [[String: Any]])?.first?["code"] as? String, "Neo.ClientError.Request.Invalid", "\(batch)")
        XCTAssertEqual(try cases(), 3)
        let written = try await s.transaction([(create, ["name": "Curator v. Graph"])], role: .curator)
        XCTAssertEqual((written.json["errors"] as? [Any])?.count, 0, "\(written)")
        XCTAssertEqual(((written.json["results"] as? [[String: Any]])?.first?["data"] as? [[String: Any]])?.first?["row"] as? [String], ["Curator v. Graph"])
        XCTAssertEqual(try cases(), 4)
    }

    func testAReadOnlyServerRefusesEveryWrite() async throws {
        let s = try await startServer { $0.readOnly = true }
        let reply = try await s.transaction([("CREATE (c:SupremeCourtCase {name: 'X', decision_date: '2001-01-01'})", [:])], role: .admin)
        let error = (reply.json["errors"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Security.Forbidden", "\(reply)")
        XCTAssertTrue((error["message"] as? String ?? "").contains("this server runs read-only"), "\(reply)")
        let read = try await s.transaction([("MATCH (c:Case) RETURN count(c) AS n", [:])])
        XCTAssertEqual((((read.json["results"] as? [[String: Any]])?.first?["data"] as? [[String: Any]])?.first?["row"] as? [Int]), [3], "\(read)")
    }

    func testAnUnknownDatabaseIs404InNeo4jsShape() async throws {
        let s = try await startServer()
        let reply = try await s.transaction([("RETURN 1", [:])], database: "neo4j")
        XCTAssertEqual(reply.status, 404, "\(reply)")
        let error = (reply.json["errors"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(error["code"] as? String, "Neo.ClientError.Database.DatabaseNotFound", "\(reply)")
        XCTAssertTrue((error["message"] as? String ?? "").contains("this server serves 'lexgraph'"), "\(reply)")
    }
}
