import Foundation
import GraphStore
import LexgraphCore
import Ontology
import Query
import XCTest

/// The SQLite SQL the compiler writes, line by line, against a record of the compiler
/// before the dialect seam (Tests/Fixtures/query-sql/legal-core-explain.txt, written by
/// tools/record_compiled_sql.py with the release binary of commit fa3df30): every query
/// of graphs/queries/legal.cypher and a set of other shapes, as EXPLAIN prints them
/// (each MATCH's SQL, its bound arguments in order, SQLite's plan), on an empty store
/// with the legal-core ontology and its updates 0002-0005. Moving the SQL's dialect
/// specifics behind `SQLDialect` and its arguments into `SQLFragment` must not change
/// one byte of it.
final class CompiledSQLTests: XCTestCase {
    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    struct Recorded {
        var name: String
        var query: String
        var parameters: [String: CypherValue]
        var expected: [String]
    }

    static let fixture = QueryEngineTests.root.appendingPathComponent("Tests/Fixtures/query-sql/legal-core-explain.txt")

    static func recorded() throws -> (updates: [String], queries: [Recorded]) {
        let text = try String(contentsOf: CompiledSQLTests.fixture, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first, first.hasPrefix("updates ") else {
            throw FixtureError("\(CompiledSQLTests.fixture.path):1: expected 'updates FILE ...'")
        }
        var queries: [Recorded] = []
        var inBody = false
        for (i, line) in lines.enumerated().dropFirst() {
            if line.hasPrefix("=== ") {
                queries.append(Recorded(name: String(line.dropFirst(4)), query: "", parameters: [:], expected: []))
                inBody = false
                continue
            }
            guard !queries.isEmpty else { throw FixtureError("\(CompiledSQLTests.fixture.path):\(i + 1): a line before the first '=== name'") }
            if inBody {
                queries[queries.count - 1].expected.append(line)
            } else if line == "---" {
                inBody = true
            } else if line.hasPrefix("query ") {
                let q = queries[queries.count - 1].query
                queries[queries.count - 1].query = (q.isEmpty ? "" : q + "\n") + line.dropFirst(6)
            } else if line.hasPrefix("param "), let eq = line.firstIndex(of: "=") {
                let name = String(line[line.index(line.startIndex, offsetBy: 6)..<eq]), value = String(line[line.index(after: eq)...])
                queries[queries.count - 1].parameters[name] = Int64(value).map(CypherValue.int) ?? .string(value)
            } else {
                throw FixtureError("\(CompiledSQLTests.fixture.path):\(i + 1): unexpected line '\(line)'")
            }
        }
        return (first.dropFirst(8).split(separator: " ").map(String.init), queries)
    }

    static func store(updates: [String]) throws -> GraphStore {
        let path = QueryEngineTests.root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text)
        for name in updates {
            let file = QueryEngineTests.root.appendingPathComponent("ontology/updates/" + name).path
            _ = try store.applyOntologyUpdate(try OntologyUpdate(yaml: try String(contentsOfFile: file, encoding: .utf8), file: file))
        }
        return store
    }

    func testTheSQLiteSQLIsTheRecordedOne() throws {
        let (updates, queries) = try CompiledSQLTests.recorded()
        XCTAssertGreaterThanOrEqual(queries.count, 50, "the record lists every query of graphs/queries/legal.cypher and the extra shapes")
        let engine = QueryEngine(store: try CompiledSQLTests.store(updates: updates))
        for q in queries {
            let actual: [String]
            do {
                // One entry per MATCH's SQL holds several lines, as the CLI prints them.
                // The SQL, also of MATCHes the native traversal answers on SQLite (it is
                // what other backends run).
                var sqlOnly = QueryOptions()
                sqlOnly.nativeTraversal = false
                let explanation = try engine.run("EXPLAIN " + q.query, parameters: q.parameters, options: sqlOnly).explanation ?? []
                actual = explanation.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            } catch let error as QueryError {
                actual = ["error " + (error.description.split(separator: "\n").first.map(String.init) ?? "")]
            }
            XCTAssertEqual(actual.count, q.expected.count, "\(q.name): \(actual.joined(separator: "\n"))")
            for (i, (a, e)) in zip(actual, q.expected).enumerated() where a != e {
                XCTFail("\(q.name), line \(i + 1):\n  recorded: \(e)\n  now:      \(a)")
                break
            }
        }
    }
}
