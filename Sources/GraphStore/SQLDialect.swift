/// The dialect seam: everything in the SQL over `node` / `edge` that differs between
/// database engines, asked of one object, so that the query compiler (Sources/Query)
/// writes only the dialect-neutral frame (SELECT, FROM, JOIN, WHERE, UNION, GROUP BY)
/// and a second backend (PostgreSQL 15) is a second implementation of this protocol
/// rather than a fork of the compiler.
///
/// Where SQL over the graph tables lives (issue 16, first step):
/// - The Cypher compiler (`MatchPlanner`, `SQLProjection` in Query) builds each MATCH as
///   `SQLFragment`s, values that carry their own arguments, and asks its `SQLDialect`
///   for every dialect-specific construct: JSON property access with its type test,
///   the JSON path of a key, placeholders (`?` / `$n`, at rendering), the recursive
///   CTE's shape (seed path column, path extension, trail check, one or two recursive
///   branches per direction), unindexed columns, full-text match, boolean conditions,
///   ORDER BY with the null order, LIMIT/OFFSET.
/// - Every other statement (the element reads of the evaluator, CREATE's key lookup,
///   relationship-type frequencies, FTS score and syntax check, the ontology stamp,
///   EXPLAIN's plan, the snapshot loads of GraphAlgorithms, Grounding's property and
///   edge scans) is a `GraphReads` function here; the modules that used to write that
///   SQL call it. `SQLPlacementTests` scans Sources/ so that no SQL text reappears
///   outside GraphStore and the compiler's dialect-neutral frame.
/// - `PostgreSQLDialect` writes the compiler's constructs for PostgreSQL 15 (checked
///   against a real server: PostgreSQLDialectTests). Next: a PostgreSQL store behind the
///   same `GraphReads` surface.
public protocol SQLDialect: Sendable {
    /// `sqlite`, `postgresql`.
    var name: String { get }
    /// True when every placeholder is the same `?` (SQLite); false when they are
    /// numbered (`placeholder(_:)`).
    var placeholdersArePositional: Bool { get }
    /// The placeholder of the `n`-th argument (1-based).
    func placeholder(_ n: Int) -> String

    /// Opens a WITH list whose CTEs may refer to themselves.
    var recursiveWith: String { get }
    /// A condition that is always `value`.
    func condition(_ value: Bool) -> String
    /// A column SQL should not answer from an index (SQLite: `+col`; see
    /// `MatchPlanner.anchored` for why).
    func unindexed(_ column: String) -> String

    /// The JSON path of the top-level property `key`, as the identifier indexes write
    /// it: literal SQL for a plain key (so an expression index can serve a comparison),
    /// bound otherwise; nil when the dialect cannot address the key.
    func propertyPath(_ key: String) -> SQLFragment?
    /// A test that property `path` of the JSON column `props` holds a value of `kind`.
    func propertyIs(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment
    /// The property's value, typed as `kind`, for a comparison with a bound value.
    func propertyValue(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment
    /// A test that the property is the boolean `value`.
    func propertyIsBoolean(_ value: Bool, props: String, path: SQLFragment) -> SQLFragment

    /// Variable-length matching keeps the relationships walked so far as a string
    /// `,id,id,...,`: its seed value (typed, as the non-recursive term fixes the column's
    /// type), the path extended by one edge id, and the trail check (the edge is not on it).
    var emptyPath: String { get }
    func pathAppending(_ path: String, edgeID: String) -> String
    func pathLacks(_ path: String, edgeID: String) -> String
    /// The recursive branches for one step from column `node` of the CTE over edge alias
    /// `edge`: per branch the join condition and the column of the node reached. SQLite
    /// gives an undirected step two branches (each uses an index); PostgreSQL allows one
    /// recursive term, so it writes both directions into one.
    func stepBranches(_ direction: StepDirection, node: String, edge: String) -> [(join: String, next: String)]
    /// Set semantics (reachability) or bag semantics (trails) between the CTE's terms.
    func recursiveUnion(distinct: Bool) -> String

    /// A condition that node id column `nodeID` matches the full-text query `terms`.
    func fullTextMatch(nodeID: String, terms: SQLFragment) -> SQLFragment
    /// One ORDER BY key: a result column by 1-based position, nulls placed as openCypher
    /// places them (last ascending, first descending).
    func orderKey(column: Int, ascending: Bool) -> String
    /// LIMIT and OFFSET as bound values (nil: no limit, no offset).
    func limitOffset(limit: Int?, offset: Int?) -> SQLFragment
}

/// The JSON types a pushed-down comparison tests for.
public enum PropertyKind: Sendable {
    case string
    /// Integer or float: openCypher compares them with each other.
    case number
}

/// A variable-length relationship's direction, as the recursion walks it.
public enum StepDirection: Sendable {
    case outgoing, incoming, both
}

/// SQLite (3.45+, JSON1 and FTS5): the SQL Lexgraph has always written.
public struct SQLiteDialect: SQLDialect {
    public init() {}

    public var name: String { "sqlite" }
    public var placeholdersArePositional: Bool { true }
    public func placeholder(_ n: Int) -> String { "?" }
    public var recursiveWith: String { "WITH RECURSIVE" }
    public func condition(_ value: Bool) -> String { value ? "1" : "0" }
    public func unindexed(_ column: String) -> String { "+" + column }

    public func propertyPath(_ key: String) -> SQLFragment? {
        // SQLite's JSON path syntax cannot quote these inside `"..."`.
        guard !key.contains("\""), !key.contains("\\") else { return nil }
        let path = IdentifierIndexes.jsonPath(key)
        return IdentifierIndexes.isPlainKey(key) ? SQLFragment(sql: "'\(path)'") : .bind(path)
    }

    public func propertyIs(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment {
        switch kind {
        case .string: return "json_type(\(sql: props), \(path)) = 'text'"
        case .number: return "json_type(\(sql: props), \(path)) IN ('integer', 'real')"
        }
    }

    public func propertyValue(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment {
        "json_extract(\(sql: props), \(path))"
    }

    public func propertyIsBoolean(_ value: Bool, props: String, path: SQLFragment) -> SQLFragment {
        "json_type(\(sql: props), \(path)) = '\(sql: value ? "true" : "false")'"
    }

    public var emptyPath: String { "','" }
    public func pathAppending(_ path: String, edgeID: String) -> String { "\(path) || \(edgeID) || ','" }
    public func pathLacks(_ path: String, edgeID: String) -> String { "instr(\(path), ',' || \(edgeID) || ',') = 0" }

    public func stepBranches(_ direction: StepDirection, node: String, edge e: String) -> [(join: String, next: String)] {
        switch direction {
        case .outgoing: return [("\(e).src = \(node)", "\(e).dst")]
        case .incoming: return [("\(e).dst = \(node)", "\(e).src")]
        // A self-loop is walked once, by the outgoing branch.
        case .both: return [("\(e).src = \(node)", "\(e).dst"), ("\(e).dst = \(node) AND \(e).src <> \(node)", "\(e).src")]
        }
    }

    public func recursiveUnion(distinct: Bool) -> String { distinct ? "UNION" : "UNION ALL" }

    public func fullTextMatch(nodeID: String, terms: SQLFragment) -> SQLFragment {
        "\(sql: nodeID) IN (SELECT rowid FROM node_fts WHERE node_fts MATCH \(terms))"
    }

    /// SQLite sorts nulls first ascending; the compiler only orders by ids and counts
    /// there, which are never null, so the key stays the plain one.
    public func orderKey(column: Int, ascending: Bool) -> String { "\(column) \(ascending ? "ASC" : "DESC")" }

    /// `LIMIT -1` is SQLite's "no limit".
    public func limitOffset(limit: Int?, offset: Int?) -> SQLFragment {
        "LIMIT \(bind: limit ?? -1) OFFSET \(bind: offset ?? 0)"
    }
}

extension GraphStore {
    /// The dialect of this store's SQL (the query compiler writes its MATCHes in it).
    public var dialect: any SQLDialect { SQLiteDialect() }
}
