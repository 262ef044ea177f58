import Foundation
import GraphStore
import LexgraphCore
import Ontology
import Query
import TestRequirements
import XCTest

/// The query compiler's PostgreSQL dialect (issue 16, before the PostgreSQL store): the
/// SQL of every recorded query (graphs/queries/legal.cypher and the shapes of
/// Tests/Fixtures/query-sql) compiled for PostgreSQL must be accepted by a real
/// PostgreSQL 15 server, parsed and type-checked by `PREPARE` against tables shaped as
/// `PostgreSQLDialect` documents. The server is the throwaway one of
/// tools/pg_test_server.sh (`eval "$(tools/pg_test_server.sh start)"` sets
/// LEXGRAPH_PG_PORT); without it these tests skip, and fail under CI.
final class PostgreSQLDialectTests: XCTestCase {
    /// The tables the dialect writes against (mirroring SQLite's, `props` as jsonb), and
    /// the full text's configuration by name (the store's is stemmed; its name suffices here).
    static let schema = """
        CREATE TEXT SEARCH CONFIGURATION lexgraph_fts (COPY = simple);
        CREATE TABLE node(id bigint PRIMARY KEY, key text UNIQUE NOT NULL, type text NOT NULL,
                          props jsonb NOT NULL DEFAULT '{}', valid_from text, valid_to text);
        CREATE TABLE edge(id bigint PRIMARY KEY, key text, type text NOT NULL, src bigint NOT NULL REFERENCES node(id),
                          dst bigint NOT NULL REFERENCES node(id), props jsonb NOT NULL DEFAULT '{}', valid_from text, valid_to text);
        CREATE TABLE node_label(node_id bigint NOT NULL REFERENCES node(id), label text NOT NULL);
        CREATE TABLE node_fts(node_id bigint NOT NULL REFERENCES node(id), document tsvector NOT NULL);
        """

    func compile(_ engine: QueryEngine, _ text: String, _ parameters: [String: CypherValue] = [:]) throws -> [CompiledStatement] {
        try engine.compiledStatements(text, parameters: parameters, dialect: PostgreSQLDialect())
    }

    /// Placeholders `$1...$n` in text order, one per argument, and no SQLite construct.
    func testStatementsNumberTheirPlaceholdersAndUseNoSQLiteConstruct() throws {
        let (updates, queries) = try CompiledSQLTests.recorded()
        let engine = QueryEngine(store: try CompiledSQLTests.store(updates: updates))
        var checked = 0
        for q in queries where !(q.expected.first?.hasPrefix("error ") ?? false) {
            for statement in try compile(engine, q.query, q.parameters) {
                checked += 1
                let numbers = statement.sql.matches(of: #/\$([0-9]+)/#).map { Int($0.1)! }
                XCTAssertEqual(numbers, (0..<statement.arguments.count).map { $0 + 1 }, "\(q.name): \(statement.sql)")
                for sqlite in ["?", "json_extract", "json_type", "instr(", "node_fts MATCH", "+x", "+e", "LIMIT -1"] {
                    XCTAssertFalse(statement.sql.contains(sqlite), "\(q.name): '\(sqlite)' in \(statement.sql)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }

    /// The shapes PostgreSQL needs written its own way.
    func testRecursiveStepsJSONAndOrderingArePostgreSQLs() throws {
        let (updates, _) = try CompiledSQLTests.recorded()
        let engine = QueryEngine(store: try CompiledSQLTests.store(updates: updates))
        // Undirected trails: one recursive term, the path typed in the seed.
        let trails = try compile(engine, "MATCH (a:SupremeCourtCase {usid: '367US643'})-[:CITES*1..2]-(b) RETURN count(*) AS n")
        XCTAssertEqual(trails.count, 1)
        XCTAssertEqual(trails[0].sql.components(separatedBy: "UNION ALL").count - 1, 1, trails[0].sql)
        XCTAssertTrue(trails[0].sql.contains("0, ','::text FROM node"), trails[0].sql)
        XCTAssertTrue(trails[0].sql.contains("CASE WHEN"), trails[0].sql)
        XCTAssertTrue(trails[0].sql.contains("strpos("), trails[0].sql)
        // Numbers compare as numeric, strings as text, booleans as jsonb.
        let props = try compile(engine, "MATCH (n:SupremeCourtCase) WHERE n.first_party_won = true AND n.year >= 1950 AND n.usid = '1US1' RETURN n")
        XCTAssertTrue(props[0].sql.contains("jsonb_typeof(n1.props -> 'year') = 'number' AND (n1.props ->> 'year')::numeric >= $"), props[0].sql)
        XCTAssertTrue(props[0].sql.contains("(n1.props -> 'first_party_won') = 'true'::jsonb"), props[0].sql)
        XCTAssertTrue(props[0].sql.contains("jsonb_typeof(n1.props -> 'usid') = 'string'"), props[0].sql)
        // openCypher's null order, and LIMIT NULL for "no limit".
        let top = try compile(engine, "MATCH (a)-[:CITES]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b SKIP 5")
        XCTAssertTrue(top[0].sql.hasSuffix("ORDER BY 2 DESC NULLS FIRST, 1 ASC NULLS LAST\nLIMIT $2 OFFSET $3"), top[0].sql)
        XCTAssertEqual(Array(top[0].arguments.suffix(2)), [.value(.null), .value(5.databaseValue)])
        // A variable bound by an earlier clause is a slot, numbered like any argument.
        let perRow = try compile(engine, "MATCH (c:SupremeCourtCase {usid: '367US643'}) MATCH (c)-[r:CITES]->(d) RETURN d")
        XCTAssertEqual(perRow.count, 2)
        XCTAssertTrue(perRow[1].arguments.contains(.slot("c")), "\(perRow[1].arguments)")
    }

    /// Every statement is accepted by PostgreSQL 15 (parsed, names resolved, types checked).
    func testPostgreSQLAcceptsEveryStatement() throws {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["LEXGRAPH_PG_PORT"] else {
            throw TestRequirements.missing("no PostgreSQL test server: run `eval \"$(tools/pg_test_server.sh start)\"` (sets LEXGRAPH_PG_PORT)")
        }
        let psql = env["LEXGRAPH_PG_PSQL"] ?? "/usr/lib/postgresql/15/bin/psql"
        try TestRequirements.requireFile(psql, "psql (PostgreSQL's client)")
        let (updates, queries) = try CompiledSQLTests.recorded()
        let engine = QueryEngine(store: try CompiledSQLTests.store(updates: updates))
        // Each run in its own schema, dropped at the end: the server is shared.
        let schemaName = "lexgraph_dialect_\(ProcessInfo.processInfo.processIdentifier)"
        var script = "\\set ON_ERROR_STOP 0\nCREATE SCHEMA \(schemaName);\nSET search_path TO \(schemaName);\n" + PostgreSQLDialectTests.schema + "\n"
        var names: [String] = []
        for q in queries where !(q.expected.first?.hasPrefix("error ") ?? false) {
            for (i, statement) in try compile(engine, q.query, q.parameters).enumerated() {
                let name = "\(q.name) #\(i + 1)"
                names.append(name)
                script += "\\echo @@ \(name)\nPREPARE s\(names.count) AS \(statement.sql);\n"
            }
        }
        script += "\\echo @@ end\nDROP SCHEMA \(schemaName) CASCADE;\n"
        let output = try runPSQL(psql, port: port, script: script)
        XCTAssertTrue(output.contains("@@ end"), "psql did not run the script to its end:\n\(output.suffix(3000))")
        var current = "(schema)"
        var failures: [String] = []
        for line in output.split(separator: "\n") {
            if line.hasPrefix("@@ ") { current = String(line.dropFirst(3)); continue }
            if line.contains("ERROR:") { failures.append("\(current): \(line)") }
        }
        XCTAssertEqual(failures, [], "PostgreSQL refused:\n" + failures.joined(separator: "\n"))
        XCTAssertGreaterThan(names.count, 50)
    }

    /// psql's output (stdout and stderr together, in order) for `script`.
    func runPSQL(_ psql: String, port: String, script: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-dialect-\(UUID().uuidString).sql")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "lexgraph_test", "-qAt", "-f", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
