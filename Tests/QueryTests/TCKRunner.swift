import Foundation
import GraphStore
import GRDB
import Ontology
import PostgresStore
import Query

/// Runs one TCK scenario on a fresh in-memory permissive store. With `server`, the
/// scenario's graph is made there the same way (its setup runs on SQLite, then the graph
/// is copied to the server by the PostgreSQL store's load path) and its queries run on
/// the server (`RemoteQueryEngine`); a query that writes cannot run there yet.
struct TCKRunner {
    let tckRoot: URL
    var server: PostgresGraphStore? = nil

    enum Outcome: Equatable {
        case passed
        case failed(String)
        /// The query writes (CREATE), which a graph on a server does not run yet.
        case notOnServer(String)
    }

    /// Graph-wide counts for side-effect checks.
    struct Snapshot {
        var nodes = 0, relationships = 0, properties = 0
        var labels = Set<String>()
    }

    static func snapshot(_ store: GraphStore) throws -> Snapshot {
        try store.read { db in
            var s = Snapshot()
            s.nodes = try Int.fetchOne(db, sql: "SELECT count(*) FROM node") ?? 0
            s.relationships = try Int.fetchOne(db, sql: "SELECT count(*) FROM edge") ?? 0
            s.properties = try Int.fetchOne(db, sql: "SELECT (SELECT coalesce(sum((SELECT count(*) FROM json_each(props))), 0) FROM node) + (SELECT coalesce(sum((SELECT count(*) FROM json_each(props))), 0) FROM edge)") ?? 0
            s.labels = Set(try String.fetchAll(db, sql: "SELECT DISTINCT label FROM node_label"))
            return s
        }
    }

    func run(_ scenario: TCKScenario) -> Outcome {
        do {
            return try runThrowing(scenario)
        } catch {
            return .failed("harness: \(error)")
        }
    }

    func runThrowing(_ scenario: TCKScenario) throws -> Outcome {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        let writeOptions = QueryOptions(write: true, rowLimit: 1_000_000, timeLimit: 20)
        var parameters: [String: CypherValue] = [:]
        var lastQuery: String?
        var result: QueryResult?
        var error: Error?
        var before = Snapshot(), after = Snapshot()
        let remote = server.map { RemoteQueryEngine(graph: $0) }
        /// Runs a scenario query where the scenario runs: here, or on the server after the
        /// graph the setup made is copied there.
        func run(_ text: String) throws -> QueryResult {
            guard let server, let remote else { return try engine.run(text, parameters: parameters, options: writeOptions) }
            try server.replaceGraph(with: store)
            return try remote.run(text, parameters: parameters, options: writeOptions)
        }
        for step in scenario.steps {
            switch step {
            case .emptyGraph, .anyGraph: break
            case .namedGraph(let name):
                let url = tckRoot.appendingPathComponent("graphs/\(name)/\(name).cypher")
                let text = try String(contentsOf: url, encoding: .utf8)
                do { _ = try engine.run(text, options: writeOptions) } catch { return .failed("named graph \(name) failed: \(error)") }
            case .setup(let text):
                do { _ = try engine.run(text, options: writeOptions) } catch { return .failed("setup failed: \(error)") }
            case .parameters(let table):
                for row in table where row.count >= 2 { parameters[row[0]] = try TCKValueParser.parse(row[1]).cypherValue }
            case .query(let text):
                lastQuery = text
                before = try TCKRunner.snapshot(store)
                do { result = try run(text) } catch let e as QueryError where e.code == "NotOnServer" { return .notOnServer(e.message) } catch let e { error = e }
                after = try TCKRunner.snapshot(store)
            case .controlQuery(let text):
                lastQuery = text
                do { result = try run(text) } catch let e as QueryError where e.code == "NotOnServer" { return .notOnServer(e.message) } catch let e { error = e }
            case .expectEmpty:
                if let error { return .failed("unexpected error: \(error)") }
                guard let result else { return .failed("no result") }
                if !result.rows.isEmpty { return .failed("expected no rows, got \(result.rows.count)") }
            case .expectRows(let header, let rows, let ordered, let ignoreListOrder):
                if let error { return .failed("unexpected error: \(error)") }
                guard let result else { return .failed("no result") }
                if let problem = try compare(result, header, rows, ordered: ordered, ignoreListOrder: ignoreListOrder) { return .failed(problem) }
            case .noSideEffects:
                let d = diff(before, after)
                if !d.isEmpty { return .failed("unexpected side effects \(d)") }
            case .sideEffects(let table):
                var expected: [String: Int] = [:]
                for row in table where row.count >= 2 { expected[row[0]] = Int(row[1]) ?? -1 }
                let d = diff(before, after)
                if d != expected { return .failed("side effects \(d), expected \(expected)") }
            case .expectError(let kind, let phase, let detail):
                guard let error else { return .failed("expected \(kind) (\(detail)) at \(phase), but the query succeeded") }
                guard let q = error as? QueryError else { return .failed("expected \(kind), got a non-query error \(error)") }
                if !TCKRunner.kindMatches(q.kind, kind) { return .failed("expected \(kind) \(detail), got \(q.kind.rawValue) \(q.code): \(q.message)") }
                if !detail.isEmpty, q.code != detail { return .failed("expected \(kind) \(detail), got \(q.kind.rawValue) with the detail code \(q.code): \(q.message)") }
                if let problem = try phaseMismatch(phase, lastQuery, { try run("EXPLAIN " + $0) }) { return .failed("expected \(kind) \(detail) \(problem)") }
            case .unsupported(let phrase):
                return .failed("unsupported step '\(phrase)'")
            }
        }
        return .passed
    }

    /// Whether the error came in the phase the TCK names. Compile time is everything
    /// EXPLAIN does (parse, bind, plan each MATCH) without running the query: a
    /// compile-time error must already stop `EXPLAIN query`, a runtime error must not.
    func phaseMismatch(_ phase: String, _ query: String?, _ explain: (String) throws -> QueryResult) throws -> String? {
        guard let query, phase == "compile time" || phase == "runtime" else { return nil }
        var compileError: QueryError?
        do { _ = try explain(query) } catch let e as QueryError { compileError = e }
        if phase == "compile time", compileError == nil { return "at compile time, but EXPLAIN (parse, bind, plan) accepts the query: raised at runtime" }
        if phase == "runtime", let compileError { return "at runtime, but it is raised at compile time (EXPLAIN: \(compileError.code))" }
        return nil
    }

    /// The TCK's error classes and the engine's error kinds.
    static func kindMatches(_ kind: QueryError.Kind, _ tck: String) -> Bool {
        switch tck {
        case "SyntaxError", "SemanticError": return kind == .syntax
        case "TypeError": return kind == .type
        case "ArgumentError": return kind == .argument
        case "ParameterMissing": return kind == .parameterMissing
        case "EntityNotFound": return kind == .runtime
        default: return false
        }
    }

    func diff(_ a: Snapshot, _ b: Snapshot) -> [String: Int] {
        var d: [String: Int] = [:]
        func put(_ key: String, _ delta: Int) {
            if delta > 0 { d["+" + key] = delta } else if delta < 0 { d["-" + key] = -delta }
        }
        put("nodes", b.nodes - a.nodes)
        put("relationships", b.relationships - a.relationships)
        put("properties", b.properties - a.properties)
        let added = b.labels.subtracting(a.labels).count, removed = a.labels.subtracting(b.labels).count
        if added > 0 { d["+labels"] = added }
        if removed > 0 { d["-labels"] = removed }
        return d
    }

    func compare(_ result: QueryResult, _ header: [String], _ rows: [[String]], ordered: Bool, ignoreListOrder: Bool) throws -> String? {
        guard Set(header) == Set(result.columns), header.count == result.columns.count else {
            return "columns \(result.columns), expected \(header)"
        }
        let indexes = header.map { result.columns.firstIndex(of: $0)! }
        let expected = try rows.map { try $0.map(TCKValueParser.parse) }
        let actual = result.rows.map { row in indexes.map { TCKValue(row[$0], result.elements) } }
        func rowMatches(_ a: [TCKValue], _ e: [TCKValue]) -> Bool {
            a.count == e.count && zip(a, e).allSatisfy { $0.matches($1, unorderedLists: ignoreListOrder) }
        }
        let shown = actual.prefix(8).map { "[" + $0.map(\.description).joined(separator: ", ") + "]" }.joined(separator: " ")
        guard actual.count == expected.count else { return "\(actual.count) rows, expected \(expected.count): \(shown)" }
        if ordered {
            for (k, (a, e)) in zip(actual, expected).enumerated() where !rowMatches(a, e) {
                return "row \(k + 1) is \(a), expected \(e)"
            }
            return nil
        }
        var rest = actual
        for e in expected {
            guard let k = rest.firstIndex(where: { rowMatches($0, e) }) else { return "no row matches \(e); got \(shown)" }
            rest.remove(at: k)
        }
        return nil
    }
}
