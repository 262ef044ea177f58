import Foundation
import GRDB
import GraphAlgorithms
import GraphStore
import LexgraphCore
import Ontology

/// Lexgraph's Cypher-like query language ("Cypher-like": it passes only part of the
/// openCypher TCK; see Tests/Fixtures/tck/expected-failures.txt).
///
/// Pipeline: `Lexer` → `Parser` (AST) → `Binder` (scopes; in ontology mode unknown
/// labels, relationship types and properties are errors with line:column, a caret and a
/// "did you mean") → `MatchPlanner` (one SQLite query per MATCH, recursive CTEs for
/// variable-length relationships) → `Execution` (clauses over a bag of rows).
///
/// What runs where: pattern matching and every exactly-translatable predicate run in
/// SQLite; projections, aggregation, ORDER BY and the remaining predicates run in Swift
/// over the rows SQL returned (see `MatchPlanner` for the precise split), except that a
/// first MATCH's RETURN/WITH of grouped counts, `count(DISTINCT ...)` or DISTINCT
/// elements runs in the same SQL statement (`SQLProjection`), and a variable-length
/// relationship whose consumer ignores duplicates is matched as reachability.
///
/// Semantics: bags; OPTIONAL MATCH yields nulls; three-valued logic; ORDER BY's
/// cross-type order; within one MATCH a relationship is used at most once (trail
/// semantics; nodes may repeat). Labels: in ontology mode `(:Case)` matches `Case` and
/// its subtypes; in permissive mode the node's labels.
///
/// Safety: parameters and all literal values are bound, never spliced into SQL. The
/// default is read-only (CREATE needs `QueryOptions.write`). Every query has a row limit
/// (on its result and on the rows a CREATE runs for), a time limit (`QueryDeadline`: the
/// running SQLite statement is interrupted, and the evaluation in Swift stops) and a
/// memory limit on the values it holds in Swift (`MemoryBudget`).
/// Unbounded `*` means `*1..unboundedPathLimit` (default 10).
///
/// Extensions (not openCypher):
/// - `AS OF 'YYYY-MM-DD'` before or after the query: every matched node and
///   relationship must be valid on that date (`valid_from <= D < valid_to`, open ends).
/// - `fts(n, 'terms')`: the full-text relevance of node `n` for the FTS5 query `terms`
///   (negated BM25: higher is better), null when `n` does not match. In WHERE,
///   `fts(n, 'terms') IS NOT NULL` is pushed into SQL as an FTS5 MATCH; use the score in
///   ORDER BY: `MATCH (c:Case) WHERE fts(c, 'eviction') IS NOT NULL
///   RETURN c.name ORDER BY fts(c, 'eviction') DESC`.
/// - Temporal values (`date`, `localtime`, `time`, `localdatetime`, `datetime` from ISO
///   text or a map; see `CypherTemporal`). Stored ontology dates are ISO strings, so a
///   `date` compares with a string holding an ISO date as that date, and `.year`,
///   `.month`, `.day` also read an ISO date string's parts.
/// - Pattern predicates (`WHERE (a)-[:CITES]->(b)`) are existence tests.
/// - `EXPLAIN` prints each MATCH's SQL and SQLite's plan without running; `PROFILE`
///   runs and prints rows and time per clause.
public final class QueryEngine: Sendable {
    public let store: GraphStore
    let compiled = CompiledQueryCache()
    /// Edges as compressed sparse rows for native variable-length matching, kept between
    /// queries, one copy per database for every engine of this process, and brought
    /// forward when the graph changes (`AdjacencyCache`).
    public let adjacency: AdjacencyCache

    /// How this engine's MATCH clauses were planned so far (`CompiledPlans`).
    public var planStatistics: PlanStatistics { compiled.planStatistics.current }

    public init(store: GraphStore) {
        self.store = store
        self.adjacency = AdjacencyCache.shared(for: store)
    }

    /// Parses, checks and runs `text`. Throws `QueryError` for every problem.
    ///
    /// Everything after parsing (the ontology check, binding, EXPLAIN, the run) happens in
    /// one transaction: one snapshot of the graph and its ontology, and one pool access
    /// per query (a second one was a quarter of a one-hop query's time).
    public func run(_ text: String, parameters: [String: CypherValue] = [:], options: QueryOptions = QueryOptions()) throws -> QueryResult {
        try options.validate()
        let ast = try compiled.ast(for: text, limits: options.limits)
        let writes = ast.hasCreate
        let started = Date()
        let deadline = QueryDeadline(seconds: options.timeLimit, cancellation: options.cancellation)
        do {
            let body = { (db: Database, writer: GraphWriter?) throws -> QueryResult in
                let (ontology, scopes, plans) = try self.compiled.compiled(ast, text: text, in: db)
                if writes && !options.write && ast.mode != .explain { throw ast.readOnlyRefusal }
                let execution = Execution(ast: ast, scopes: scopes, ontology: ontology, options: options, source: .sqlite(db),
                                          writer: writer, parameters: parameters, deadline: deadline, dialect: self.store.dialect)
                // Not in a write transaction: the cache does not see its uncommitted changes.
                if writer == nil { execution.adjacency = self.adjacency }
                execution.plans = plans
                return try execution.result(started: started) { try deadline.enforce(on: db) { try execution.run() } }
            }
            if writes && options.write && ast.mode != .explain {
                return try store.write { writer in try body(writer.db, writer) }
            }
            return try store.read { db in try body(db, nil) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw deadline.stopError
        } catch let error as DatabaseError {
            throw QueryError(.runtime, "DatabaseError", "SQLite: \(error.message ?? error.description)")
        }
    }
}

extension Execution {
    /// The query's answer: EXPLAIN's lines, or the rows `run` gives with the elements
    /// they show (and PROFILE's steps).
    func result(started: Date, run: () throws -> (columns: [String], rows: [[CypherValue]])) throws -> QueryResult {
        if ast.mode == .explain {
            let lines = try explain()
            var result = QueryResult(columns: ["plan"], rows: lines.map { [.string($0)] })
            result.explanation = lines
            return result
        }
        let (columns, rows) = try run()
        var result = QueryResult(columns: columns, rows: rows)
        result.elements = try ResultElements(rows: rows, graph: graph)
        if ast.mode == .profile {
            result.profile = profile
            result.elapsed = Date().timeIntervalSince(started)
        }
        return result
    }

    static func clauseName(_ clause: Clause) -> String {
        switch clause {
        case .match(let optional, _, _, _): return optional ? "OPTIONAL MATCH" : "MATCH"
        case .unwind: return "UNWIND"
        case .with: return "WITH"
        case .return: return "RETURN"
        case .create: return "CREATE"
        }
    }
}

/// Limits and switches for one query. `QueryEngine.run` refuses limits that are not
/// positive (and finite): `validate()`.
public struct QueryOptions: Sendable {
    /// Allow CREATE (otherwise a `.readOnly` error).
    public var write = false
    /// The most rows a result may have, and the most rows a CREATE may run for.
    public var rowLimit = 100_000
    /// The most rows any intermediate step may have.
    public var intermediateRowLimit = 5_000_000
    /// Seconds before the query is interrupted, in SQLite and in Swift alike.
    public var timeLimit: Double = 30
    /// Bytes of values the query may hold in memory (rows between clauses, aggregates,
    /// lists, strings; see `MemoryBudget`).
    public var memoryLimit = QueryOptions.defaultMemoryLimit
    /// The upper bound of an unbounded `*` (`*` = `*1..10`, `*2..` = `*2..10`).
    public var unboundedPathLimit = 10
    /// Keep the SQL each MATCH ran (tests, debugging).
    public var logSQL = false
    /// Let the planner answer a variable-length MATCH natively over the adjacency cache
    /// where the pattern allows (`NativeTraversal`); false: always SQL (tests compare them).
    public var nativeTraversal = true
    /// Lets the caller stop the query while it runs (Ctrl-C in the shell).
    public var cancellation: QueryCancellation?
    /// The longest query text and the deepest expression the parser accepts.
    public var limits = QueryLimits()

    /// 1 GiB. The engine runs on machines like the reference one (24 GB, 2 cores) and is to
    /// serve several users at once: 1 GiB per query leaves room for a handful of
    /// concurrent queries beside SQLite's cache, the graph snapshot and the encoder, and is
    /// far more than any query over the legal graphs needs (all 312,022 SCOTUS citations
    /// as rows of two nodes and a relationship are about 100 MiB).
    public static let defaultMemoryLimit = 1 << 30

    public init(write: Bool = false, rowLimit: Int = 100_000, timeLimit: Double = 30,
                memoryLimit: Int = QueryOptions.defaultMemoryLimit, unboundedPathLimit: Int = 10) {
        self.write = write
        self.rowLimit = rowLimit
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        self.unboundedPathLimit = unboundedPathLimit
    }

    /// Throws an `.argument` error (code `InvalidLimit`) naming the first limit that is
    /// not a positive number (for the time limit: a positive finite number of seconds).
    public func validate() throws {
        func refuse(_ what: String, _ value: String, _ needs: String) -> QueryError {
            QueryError(.argument, "InvalidLimit", "the \(what) must be \(needs), got \(value)")
        }
        guard timeLimit.isFinite, timeLimit > 0 else {
            throw refuse("time limit", "\(timeLimit)", "a finite number of seconds greater than 0")
        }
        guard memoryLimit > 0 else { throw refuse("memory limit", "\(memoryLimit) bytes", "greater than 0") }
        guard rowLimit > 0 else { throw refuse("row limit", "\(rowLimit)", "at least 1") }
        guard intermediateRowLimit > 0 else { throw refuse("intermediate row limit", "\(intermediateRowLimit)", "at least 1") }
        guard unboundedPathLimit > 0 else { throw refuse("unbounded path limit", "\(unboundedPathLimit)", "at least 1") }
        guard limits.maxQueryLength > 0 else { throw refuse("longest query text", "\(limits.maxQueryLength) bytes", "at least 1 byte") }
        guard limits.maxExpressionDepth > 0 else { throw refuse("deepest expression", "\(limits.maxExpressionDepth)", "at least 1") }
    }
}

/// One clause's row count and time (PROFILE).
public struct ProfileStep: Sendable {
    public var clause: String
    public var rows: Int
    public var seconds: Double
}

/// The labels/type and properties of every node and relationship a result mentions,
/// read inside the query's transaction so the result can be printed afterwards.
public struct ResultElements: Sendable {
    public struct Node: Sendable { public var labels: [String]; public var properties: [String: CypherValue] }
    public struct Relationship: Sendable { public var type: String; public var start: Int64; public var end: Int64; public var properties: [String: CypherValue] }
    public var nodes: [Int64: Node] = [:]
    public var relationships: [Int64: Relationship] = [:]

    public init() {}

    init(rows: [[CypherValue]], graph: GraphAccess) throws {
        func visit(_ v: CypherValue) throws {
            switch v {
            case .node(let id):
                if nodes[id] == nil { let d = try graph.node(id); nodes[id] = Node(labels: d.labels, properties: d.properties) }
            case .relationship(let id):
                if relationships[id] == nil {
                    let d = try graph.relationship(id)
                    relationships[id] = Relationship(type: d.type, start: d.start, end: d.end, properties: d.properties)
                }
            case .path(let ns, let rs):
                for n in ns { try visit(.node(n)) }
                for r in rs { try visit(.relationship(r)) }
            case .list(let items): for i in items { try visit(i) }
            case .map(let m): for i in m.values { try visit(i) }
            default: break
            }
        }
        for row in rows { for v in row { try visit(v) } }
    }
}

/// What a query returned.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[CypherValue]]
    public var elements = ResultElements()
    /// PROFILE: rows and seconds per clause.
    public var profile: [ProfileStep]?
    public var elapsed: Double?
    /// EXPLAIN: the SQL and plan lines.
    public var explanation: [String]?

    public init(columns: [String], rows: [[CypherValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
