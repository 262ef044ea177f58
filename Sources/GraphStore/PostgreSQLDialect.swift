/// PostgreSQL 15: the compiler's constructs for the PostgreSQL store (`PostgresStore`).
///
/// The tables it writes against mirror SQLite's (`Schema`), with `props` as `jsonb`:
/// `node(id bigint, key text, type text, props jsonb, valid_from text, valid_to text)`,
/// `edge(id bigint, type text, src bigint, dst bigint, props jsonb, valid_from text,
/// valid_to text)`, `node_label(node_id bigint, label text)` and, for full text,
/// `node_fts(node_id bigint, document tsvector)`.
///
/// What differs from SQLite:
/// - placeholders are numbered (`$1`, `$2`, ...), in text order;
/// - JSON: `jsonb_typeof(props -> 'k')` tests the type (`string`, `number`, `boolean`;
///   integers and floats are both `number`, and openCypher compares them with each
///   other); a number is compared as `numeric`, which keeps integers exact where a
///   `float8` would round above 2^53; a bound key is cast to `text`, so that `->` picks
///   the object operator rather than the array one;
/// - the recursive CTE: the path column is typed in the non-recursive term (`','::text`:
///   the recursive term's column must have the seed's type), the trail check is
///   `strpos`, and an undirected step is ONE recursive SELECT (PostgreSQL allows a
///   single recursive term), its next node a CASE over the edge's two ends;
/// - no `+column` index hint (PostgreSQL plans from table statistics);
/// - ORDER BY states openCypher's null order (nulls last ascending, first descending:
///   PostgreSQL's default too, written out so a change of default cannot move them);
/// - `LIMIT NULL` is "no limit";
/// - full text: `websearch_to_tsquery('lexgraph_fts', terms)` over `node_fts.document`
///   (stemmed as FTS5's porter tokenizer stems); its query syntax is not FTS5's (words,
///   `"phrases"`, `or`, `-word`), so the terms' error check (`GraphReads`) belongs to the
///   PostgreSQL store.
public struct PostgreSQLDialect: SQLDialect {
    public init() {}

    public var name: String { "postgresql" }
    public var placeholdersArePositional: Bool { false }
    public func placeholder(_ n: Int) -> String { "$\(n)" }
    public var recursiveWith: String { "WITH RECURSIVE" }
    public func condition(_ value: Bool) -> String { value ? "TRUE" : "FALSE" }
    public func unindexed(_ column: String) -> String { column }

    /// A plain key is a literal (an expression index on `props -> 'k'` can serve it);
    /// any other key is bound, as text.
    public func propertyPath(_ key: String) -> SQLFragment? {
        IdentifierIndexes.isPlainKey(key) ? SQLFragment(sql: "'\(key)'") : "\(bind: key)::text"
    }

    public func propertyIs(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment {
        switch kind {
        case .string: return "jsonb_typeof(\(sql: props) -> \(path)) = 'string'"
        case .number: return "jsonb_typeof(\(sql: props) -> \(path)) = 'number'"
        }
    }

    public func propertyValue(_ kind: PropertyKind, props: String, path: SQLFragment) -> SQLFragment {
        switch kind {
        case .string: return "(\(sql: props) ->> \(path))"
        case .number: return "(\(sql: props) ->> \(path))::numeric"
        }
    }

    public func propertyIsBoolean(_ value: Bool, props: String, path: SQLFragment) -> SQLFragment {
        "(\(sql: props) -> \(path)) = '\(sql: value ? "true" : "false")'::jsonb"
    }

    public var emptyPath: String { "','::text" }
    public func pathAppending(_ path: String, edgeID: String) -> String { "\(path) || \(edgeID) || ','" }
    public func pathLacks(_ path: String, edgeID: String) -> String { "strpos(\(path), ',' || \(edgeID) || ',') = 0" }

    public func stepBranches(_ direction: StepDirection, node: String, edge e: String) -> [(join: String, next: String)] {
        switch direction {
        case .outgoing: return [("\(e).src = \(node)", "\(e).dst")]
        case .incoming: return [("\(e).dst = \(node)", "\(e).src")]
        // One term: a self-loop (src = dst = node) is one row, walked once.
        case .both: return [("(\(e).src = \(node) OR \(e).dst = \(node))", "CASE WHEN \(e).src = \(node) THEN \(e).dst ELSE \(e).src END")]
        }
    }

    public func recursiveUnion(distinct: Bool) -> String { distinct ? "UNION" : "UNION ALL" }

    /// The text search configuration of `node_fts.document` and of the terms matched
    /// against it (the store installs it): SQLite's `porter unicode61` as closely as
    /// PostgreSQL's parts allow (see `PostgresSchema.fullText`).
    public static let fullTextConfiguration = "lexgraph_fts"

    public func fullTextMatch(nodeID: String, terms: SQLFragment) -> SQLFragment {
        "\(sql: nodeID) IN (SELECT node_id FROM node_fts WHERE document @@ websearch_to_tsquery('\(sql: PostgreSQLDialect.fullTextConfiguration)', \(terms)))"
    }

    public func orderKey(column: Int, ascending: Bool) -> String {
        "\(column) \(ascending ? "ASC NULLS LAST" : "DESC NULLS FIRST")"
    }

    public func limitOffset(limit: Int?, offset: Int?) -> SQLFragment {
        "LIMIT \(bind: limit) OFFSET \(bind: offset ?? 0)"
    }
}
