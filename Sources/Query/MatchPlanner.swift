import GRDB
import GraphStore
import LexgraphCore
import Ontology

/// Compiles one MATCH clause (all its comma-joined pattern parts) into a single SQLite
/// query that returns the ids of every node and relationship it binds.
///
/// The split between SQL and Swift:
/// - SQL: the pattern's structure (joins of `node` and `edge`), directions, relationship
///   types, labels (ontology mode: `node.type IN (subtypes)`; permissive mode:
///   `node_label`), variables bound by earlier clauses (`id = ?`), relationships of one
///   MATCH being distinct (fixed ones pairwise; a variable-length one never repeats an
///   edge), variable-length relationships as recursive CTEs (`*` is bounded by
///   `QueryOptions.unboundedPathLimit`), `AS OF`, and every property predicate that SQL
///   evaluates exactly as openCypher does: `=`/`<`/`<=`/`>`/`>=` between a property and
///   a string or number literal or parameter (guarded by `json_type`), label tests,
///   `id(n) = k`, and `fts(n, 'terms') IS NOT NULL`.
/// - Swift (`residual`): every other predicate (lists, maps, nulls, mixed types,
///   functions), checked on each returned row with the evaluator; and the distinctness
///   of edges across different variable-length relationships.
/// Every value, including the labels, travels as a bound parameter; a property key too,
/// unless it is a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`), which is written into its
/// JSON path literally so that an identifier index can serve the comparison.
/// A statement's fragment and, once asked for, its text and arguments in a dialect.
final class RenderedStatement {
    let fragment: SQLFragment
    let dialect: any SQLDialect
    lazy var value: (sql: String, arguments: [SQLArgument]) = fragment.rendered(for: dialect)

    init(_ fragment: SQLFragment, dialect: any SQLDialect) {
        self.fragment = fragment
        self.dialect = dialect
    }

    /// A statement already rendered (a compiled plan's text with this run's arguments).
    init(sql: String, arguments: [SQLArgument], dialect: any SQLDialect) {
        self.fragment = SQLFragment()
        self.dialect = dialect
        self.value = (sql, arguments)
    }
}

struct MatchPlan {
    /// A value, or (`.slot(v)`) the id of the node or relationship bound to variable `v`
    /// in the input row.
    typealias Argument = SQLArgument

    enum Column {
        case node(String?, alias: String)
        case relationship(String?, alias: String)
        /// A variable-length relationship: its path string `,id,id,...,`.
        case path(String?, alias: String)
    }

    /// The statement, rendered for the dialect on first use: a MATCH whose RETURN runs in
    /// its own statement (`SQLProjection`) never needs it alone.
    var statement: RenderedStatement
    var sql: String { statement.value.sql }
    var arguments: [Argument] { statement.value.arguments }
    /// Where the MATCH's patterns start: SQLite's own errors are reported here.
    var position: SourcePosition
    var columns: [Column]
    /// Variables bound before this MATCH that the SQL depends on (so it runs per row).
    var boundVariables: [String]
    /// Predicates left for Swift, evaluated on each row after SQL.
    var residual: [Expr]
    /// Everything needed to assemble named paths and check trail semantics.
    var parts: [PartLayout]
    /// Edge distinctness that SQL leaves to Swift (`Execution.runPlan`): between two
    /// variable-length relationships, or between one and a fixed relationship.
    var needsTrailCheck: Bool
    /// The SQL around the select list (`sql` is `head + "SELECT " + select + body`), so
    /// that `SQLProjection` can compute a RETURN inside the same statement.
    var head: SQLFragment
    var body: SQLFragment
    /// The dialect the plan's SQL is written in.
    var dialect: any SQLDialect
    /// The SQL of each node and relationship column's id, by alias (`n1.id`, or for a
    /// node whose row is not joined, the edge end that reaches it: `e3.dst`).
    var idSQL: [String: String]

    struct PartLayout {
        var pathVariable: String?
        /// Per node position: the column index of its id.
        var nodeColumns: [Int]
        /// Per relationship: the column index and whether it is variable-length.
        var relColumns: [(index: Int, variableLength: Bool)]
    }
}

extension MatchPlan {
    /// Runs `body` (preparing or starting this plan's statement), turning an error of
    /// SQLite's about the statement (a limit the planner does not foresee, such as the
    /// number of bound values) into a query error at the MATCH. Interrupts (the time
    /// limit) pass through unchanged.
    func positioningErrors<T>(source: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode != .SQLITE_INTERRUPT {
            throw QueryError(.runtime, "DatabaseError", "SQLite could not run this MATCH: \(error.message ?? "\(error)")", at: position, in: source)
        } catch let error as GraphStoreError {
            // A graph on a server (`RemoteGraph`): its own message names the server.
            throw QueryError(.runtime, "DatabaseError", "could not run this MATCH: \(error.message)", at: position, in: source)
        }
    }
}

struct MatchPlanner {
    let ontology: Ontology
    let asOf: LegalDate?
    let unboundedLimit: Int
    let parameters: [String: CypherValue]
    let source: String
    /// Kind of every variable bound before this clause.
    let bound: [String: VariableKind]
    /// Asked for every construct whose SQL differs between database engines.
    let dialect: any SQLDialect
    /// The clause's consumer ignores how often each row occurs (`RETURN DISTINCT`,
    /// `count(DISTINCT ...)`, ...): a lone directed variable-length relationship may then
    /// be matched as reachability (`UNION` over (node, depth)) instead of enumerating
    /// every trail, and the rows come back `DISTINCT`.
    var duplicateInsensitive = false

    private var from: [String] = []
    /// WHERE conditions, each carrying its arguments (`SQLFragment`).
    private var conditions: [SQLFragment] = []
    /// Variable-length relationships, assembled into CTE text at the end so that WHERE
    /// conditions on the start node can also narrow the CTE's seed.
    private struct PendingCTE {
        var name: String
        var seedAlias: String
        var seedVariable: String?
        var seedConditions: [SQLFragment]
        var recursiveStep: SQLFragment
        /// Reachability: no `path` column (see `addVariableLength`).
        var reachability: Bool
    }
    private var pending: [PendingCTE] = []
    private var columns: [MatchPlan.Column] = []
    private var nodeAlias: [String: String] = [:]
    private var relAlias: [String: String] = [:]
    private var boundUsed: [String] = []
    private var fixedEdges: [String] = []
    private var residual: [Expr] = []
    private var counter = 0
    private var layouts: [MatchPlan.PartLayout] = []
    private var variableLengthCount = 0
    private var relationshipCount = 0
    /// CTEs matched as reachability: their relationships are not listed (`','`), and the
    /// MATCH's rows come back DISTINCT.
    private var reachabilityColumns: Set<String> = []
    /// Node patterns that only connect relationships (no labels, properties, WHERE
    /// condition, earlier binding or AS OF) need no `node` row: the edge's foreign keys
    /// (ON DELETE CASCADE) guarantee it exists. Their aliases stay out of FROM and their
    /// id is the end column of the first relationship that reaches them (`endpoint`);
    /// one never reached so (a lone node, an undirected end seen first) is joined after all.
    private var unconstrained: Set<String> = []
    /// Some node of the MATCH is pinned (bound, an id, a property equality). Then the
    /// fixed relationships' type tests are written `+e.type = ?`: without table statistics
    /// SQLite rates `edge_by_type` as selective as an identifier lookup and may start by
    /// reading every edge of the type (who-cites-Mapp read all 218k CITES edges: about
    /// 1 s; starting from Mapp and `edge_in`: 2 ms). Unpinned patterns keep the type index,
    /// the best start for a rare relationship type.
    private var anchored = false
    /// Whether relationship types are common (`EdgeTypeFrequency`): an unanchored fixed
    /// relationship of a common type is not entered through the type index either.
    var isCommonType: (([String]) throws -> Bool)?
    /// FTS5's complaint about a full-text query (`GraphAccess.fullTextSyntaxError`), asked
    /// before `fts(n, 'terms') IS NOT NULL` becomes a MATCH in the SQL, so that bad terms
    /// are an error at the fts() call rather than SQLite's unpositioned one.
    var fullTextError: ((String) throws -> String?)?
    /// Where each table of `from` comes from in the query, by alias.
    private var aliasPositions: [String: SourcePosition] = [:]
    private var elided: Set<String> = []
    private var endpoint: [String: String] = [:]
    /// The WHERE clause's conjuncts, known before the parts are planned so that a
    /// variable-length relationship can be seeded at its more selective end.
    private var whereConjuncts: [Expr] = []

    init(ontology: Ontology, asOf: LegalDate?, unboundedLimit: Int, parameters: [String: CypherValue], source: String, bound: [String: VariableKind],
         dialect: any SQLDialect = SQLiteDialect()) {
        self.dialect = dialect
        self.ontology = ontology
        self.asOf = asOf
        self.unboundedLimit = unboundedLimit
        self.parameters = parameters
        self.source = source
        self.bound = bound
    }

    mutating func plan(_ parts: [PatternPart], where predicate: Expr?) throws -> MatchPlan {
        whereConjuncts = predicate.map(MatchPlanner.conjuncts) ?? []
        relationshipCount = parts.map(\.relationships.count).reduce(0, +)
        anchored = parts.contains { part in part.nodes.contains { selectivity($0) > 0 } }
        var constrained = Set<String>()
        for node in parts.flatMap(\.nodes) where !node.labels.isEmpty || node.properties != nil {
            if let v = node.variable { constrained.insert(v) }
        }
        for conjunct in whereConjuncts where idEquality(conjunct) == nil {
            var names: [(String, SourcePosition)] = []
            Binder.collectVariables(conjunct, &names)
            constrained.formUnion(names.map(\.0))
        }
        unconstrained = Set(parts.flatMap(\.nodes).compactMap(\.variable)).subtracting(constrained).filter { bound[$0] == nil }
        for part in parts { try addPart(part) }
        for alias in elided.sorted() where endpoint[alias] == nil { materialize(alias) }
        for conjunct in whereConjuncts {
            if let sql = try pushDown(conjunct) { conditions.append(sql) } else { residual.append(conjunct) }
        }
        var ctes: [SQLFragment] = []
        for var cte in pending {
            if let v = cte.seedVariable {
                for conjunct in whereConjuncts {
                    var names: [(String, SourcePosition)] = []
                    Binder.collectVariables(conjunct, &names)
                    guard !names.isEmpty, names.allSatisfy({ $0.0 == v }) else { continue }
                    let saved = nodeAlias[v]
                    nodeAlias[v] = cte.seedAlias
                    if let sql = try pushDown(conjunct) { cte.seedConditions.append(sql) }
                    nodeAlias[v] = saved
                }
            }
            var seedSQL: SQLFragment = "SELECT \(sql: cte.seedAlias).id, \(sql: cte.seedAlias).id, 0\(sql: cte.reachability ? "" : ", " + dialect.emptyPath) FROM node \(sql: cte.seedAlias)"
            if !cte.seedConditions.isEmpty { seedSQL += " WHERE " + MatchPlanner.conjunction(cte.seedConditions, separator: " AND ") }
            ctes.append("\(sql: cte.name)(start, node, depth\(sql: cte.reachability ? "" : ", path")) AS (\n  \(seedSQL)\n\(cte.recursiveStep)\n)")
        }
        for i in 0..<fixedEdges.count {
            for j in (i + 1)..<fixedEdges.count { conditions.append("\(sql: fixedEdges[i]).id <> \(sql: fixedEdges[j]).id") }
        }
        try checkJoinCount(position: parts.first?.position)
        var head = SQLFragment()
        if !ctes.isEmpty { head += "\(sql: dialect.recursiveWith) \(ctes.joined(separator: ",\n"))\n" }
        var body = SQLFragment()
        if !from.isEmpty { body += SQLFragment(sql: "\nFROM " + from.joined(separator: ", ")) }
        if !conditions.isEmpty {
            body += SQLFragment(sql: "\nWHERE ")
            body += MatchPlanner.conjunction(conditions, separator: "\n  AND ")
        }
        var ids: [String: String] = [:]
        let select = columns.map { column -> String in
            switch column {
            case .node(_, let a), .relationship(_, let a):
                ids[a] = idSQL(a)
                return ids[a]!
            case .path(_, let a): return reachabilityColumns.contains(a) ? dialect.emptyPath : "\(a).path"
            }
        }
        let selectList = (reachabilityColumns.isEmpty ? "" : "DISTINCT ") + (select.isEmpty ? "1" : select.joined(separator: ", "))
        return MatchPlan(statement: RenderedStatement(head + SQLFragment(sql: "SELECT " + selectList) + body, dialect: dialect),
                         position: parts.first?.position ?? SourcePosition(line: 1, column: 1), columns: columns,
                         boundVariables: boundUsed, residual: residual, parts: layouts,
                         needsTrailCheck: variableLengthCount > 1 || (variableLengthCount == 1 && relationshipCount > 1),
                         head: head, body: body, dialect: dialect, idSQL: ids)
    }

    /// Refuses a MATCH that would join more tables than SQLite allows in one SELECT,
    /// at the pattern element that brings the first table too many.
    private func checkJoinCount(position: SourcePosition?) throws {
        let limit = QueryLimits.maxJoinedTables
        guard from.count > limit else { return }
        let alias = from[limit].split(separator: " ").last.map(String.init) ?? ""
        throw QueryError(.unsupported, "TooManyJoins",
                         "this MATCH needs \(from.count) joined tables (nodes with labels, properties or conditions, relationships, variable-length relationships), more than SQLite's limit of \(limit) in one statement: split it into several MATCH clauses",
                         at: aliasPositions[alias] ?? position, in: source)
    }

    /// SQL conditions joined by `separator` (an AND), grouped in parentheses when there are
    /// many: SQLite parses `a AND b AND c ...` as a tree as deep as the list is long and
    /// refuses one deeper than 1,000; groups of at most 64 keep it shallow (a node pattern
    /// may carry thousands of properties). Order, and so the order of bound arguments, is kept.
    static func conjunction(_ terms: [SQLFragment], separator: String) -> SQLFragment {
        let group = 64
        guard terms.count > group else { return terms.joined(separator: separator) }
        var groups: [SQLFragment] = []
        var start = 0
        while start < terms.count {
            let end = min(start + group, terms.count)
            groups.append("(\(Array(terms[start..<end]).joined(separator: separator)))")
            start = end
        }
        return conjunction(groups, separator: separator)
    }

    static func conjuncts(_ e: Expr) -> [Expr] {
        if case .binary(.and, let l, let r) = e.kind { return conjuncts(l) + conjuncts(r) }
        return [e]
    }

    private mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    private func bind(_ value: DatabaseValueConvertible?) -> SQLFragment { .bind(value) }

    // MARK: Nodes

    /// Returns the column index of the node's id.
    private mutating func addNode(_ node: NodePattern) throws -> Int {
        if let v = node.variable, let alias = nodeAlias[v] {
            var extra: [SQLFragment] = []
            try nodeConditions(node, alias: alias, into: &extra)
            conditions += extra
            return columns.firstIndex { if case .node(let n, _) = $0 { return n == v } else { return false } }!
        }
        let alias = fresh("n")
        aliasPositions[alias] = node.position
        if asOf == nil, node.labels.isEmpty, node.properties == nil, node.variable.map(unconstrained.contains) ?? true {
            elided.insert(alias)
        } else {
            from.append("node \(alias)")
        }
        if let v = node.variable {
            nodeAlias[v] = alias
            if bound[v] != nil {
                boundUsed.append(v)
                conditions.append("\(sql: alias).id = \(slot: v)")
            }
        }
        var extra: [SQLFragment] = []
        try nodeConditions(node, alias: alias, into: &extra)
        conditions += extra
        if asOf != nil { conditions.append(validity(alias)) }
        columns.append(.node(node.variable, alias: alias))
        return columns.count - 1
    }

    private mutating func nodeConditions(_ node: NodePattern, alias: String, into out: inout [SQLFragment]) throws {
        for label in node.labels { out.append(labelCondition(alias, label)) }
        if let props = node.properties { try propertyConditions(props, alias: alias, into: &out) }
    }

    private func labelCondition(_ alias: String, _ label: String) -> SQLFragment {
        if ontology.isPermissive {
            return "EXISTS (SELECT 1 FROM node_label WHERE node_label.node_id = \(sql: alias).id AND node_label.label = \(bind(label)))"
        }
        let types = ontology.subtypes(of: label)
        if types.isEmpty { return SQLFragment(sql: dialect.condition(false)) }
        return "\(sql: alias).type IN (\(types.map { bind($0) }.joined(separator: ", ")))"
    }

    /// `{k: v, ...}` in a pattern: pushed where exact, otherwise a residual `alias.k = v`.
    private mutating func propertyConditions(_ props: Expr, alias: String, into out: inout [SQLFragment]) throws {
        guard case .map(let entries) = props.kind else {
            throw QueryError(.syntax, "InvalidParameterUse", "a pattern's properties must be a map literal", at: props.position, in: source)
        }
        for (i, (key, valueExpr)) in entries.enumerated() {
            // A pattern's first entries go to SQL; SQLite's planning time grows faster than
            // the number of conditions (10,000 took 0.8 s and cannot be interrupted), so the
            // rest of a huge map is checked in Swift, row by row.
            if i < MatchPlanner.maxPushedProperties, let value = constant(valueExpr),
               let sql = comparison(alias: alias, key: key, op: .eq, value: value) {
                out.append(sql)
            } else {
                residualProperty(alias: alias, key: key, value: valueExpr)
            }
        }
    }

    static let maxPushedProperties = 64

    /// Records `alias.key = value` for Swift, through the alias's hidden binding.
    private mutating func residualProperty(alias: String, key: String, value: Expr) {
        let base = Expr(.variable(MatchPlanner.hiddenPrefix + alias), value.position)
        residual.append(Expr(.binary(.eq, Expr(.property(base, key), value.position), value), value.position))
    }

    /// Hidden bindings for every alias let residual predicates reach anonymous elements.
    static let hiddenPrefix = "  "

    /// A literal or parameter value, if `e` is one.
    private func constant(_ e: Expr) -> CypherValue? {
        switch e.kind {
        case .literal(let v): return v
        case .parameter(let name): return parameters[name]
        default: return nil
        }
    }

    /// SQL for `alias.key op value` when SQL's answer equals openCypher's. A plain key
    /// (letters, digits, `_`) is written into the JSON path literally, exactly as the
    /// identifier indexes are declared (`IdentifierIndexes`), so that SQLite can look an
    /// identifier up in its index; any other key is bound like a value (the dialect's
    /// `propertyPath`).
    private func comparison(alias: String, key: String, op: BinaryOp, value: CypherValue) -> SQLFragment? {
        guard let path = dialect.propertyPath(key) else { return nil }
        let props = "\(alias).props"
        let kind: PropertyKind
        let bound: DatabaseValue
        switch value {
        case .string(let s): kind = .string; bound = s.databaseValue
        case .int(let i): kind = .number; bound = i.databaseValue
        case .float(let d) where d.isFinite: kind = .number; bound = d.databaseValue
        case .bool(let b) where op == .eq:
            return dialect.propertyIsBoolean(b, props: props, path: path)
        default: return nil
        }
        let sqlOp: String
        switch op {
        case .eq: sqlOp = "="
        case .lt: sqlOp = "<"
        case .le: sqlOp = "<="
        case .gt: sqlOp = ">"
        case .ge: sqlOp = ">="
        default: return nil
        }
        return "(\(dialect.propertyIs(kind, props: props, path: path)) AND \(dialect.propertyValue(kind, props: props, path: path)) \(sql: sqlOp) \(bind(bound)))"
    }

    private func validity(_ alias: String) -> SQLFragment {
        guard let asOf else { return SQLFragment(sql: dialect.condition(true)) }
        return "(\(sql: alias).valid_from IS NULL OR \(sql: alias).valid_from <= \(bind(asOf.iso))) AND (\(sql: alias).valid_to IS NULL OR \(sql: alias).valid_to > \(bind(asOf.iso)))"
    }

    // MARK: Node ids

    /// The SQL of a node alias's id (joining its row if it was left out and nothing
    /// defines it yet).
    private mutating func idSQL(_ alias: String) -> String {
        if let column = endpoint[alias] { return column }
        if elided.contains(alias) { materialize(alias) }
        return "\(alias).id"
    }

    private mutating func materialize(_ alias: String) {
        elided.remove(alias)
        from.append("node \(alias)")
    }

    /// The condition that `column` (an edge or CTE end) is the node at `alias`; nil when
    /// it defines a left-out node's id instead.
    private mutating func join(_ alias: String, to column: String) -> SQLFragment? {
        if elided.contains(alias), endpoint[alias] == nil {
            endpoint[alias] = column
            return nil
        }
        return SQLFragment(sql: "\(column) = \(idSQL(alias))")
    }

    // MARK: Relationships

    private mutating func addPart(_ part: PatternPart) throws {
        var nodeColumns = [try addNode(part.nodes[0])]
        var relColumns: [(Int, Bool)] = []
        for (i, rel) in part.relationships.enumerated() {
            let left = columns[nodeColumns[i]]
            let rightIndex = try addNode(part.nodes[i + 1])
            let right = columns[rightIndex]
            guard case .node(_, let la) = left, case .node(_, let ra) = right else { continue }
            if rel.length != nil {
                // Seed the recursion at the more selective end. Only when the traversal
                // order of the relationships cannot be seen (no relationship variable, no
                // named path): a reversed walk lists them from the other end.
                let reverse = rel.variable == nil && part.pathVariable == nil
                    && selectivity(part.nodes[i + 1]) > selectivity(part.nodes[i])
                relColumns.append((try addVariableLength(rel, from: reverse ? ra : la, to: reverse ? la : ra,
                                                         seedNode: part.nodes[reverse ? i + 1 : i],
                                                         direction: reverse ? rel.direction.reversed : rel.direction,
                                                         inNamedPath: part.pathVariable != nil), true))
            } else {
                relColumns.append((try addFixed(rel, left: la, right: ra), false))
            }
            nodeColumns.append(rightIndex)
        }
        layouts.append(MatchPlan.PartLayout(pathVariable: part.pathVariable, nodeColumns: nodeColumns, relColumns: relColumns))
    }

    /// `alias.type = ?` (or `IN`); with `indexed: false` as `+alias.type`, which SQLite
    /// cannot answer from an index (see `anchored`).
    private func typeCondition(_ alias: String, _ types: [String], indexed: Bool = true) -> SQLFragment? {
        guard !types.isEmpty else { return nil }
        let column = indexed ? "\(alias).type" : dialect.unindexed("\(alias).type")
        if types.count == 1 { return "\(sql: column) = \(bind: types[0])" }
        return "\(sql: column) IN (\(types.map { bind($0) }.joined(separator: ", ")))"
    }

    private mutating func addFixed(_ rel: RelationshipPattern, left: String, right: String) throws -> Int {
        let alias = fresh("e")
        aliasPositions[alias] = rel.position
        from.append("edge \(alias)")
        if let v = rel.variable {
            if relAlias[v] != nil {
                throw QueryError(.syntax, "VariableAlreadyBound", "relationship variable '\(v)' is used twice in one pattern", at: rel.position, in: source)
            }
            relAlias[v] = alias
            if bound[v] != nil {
                boundUsed.append(v)
                conditions.append("\(sql: alias).id = \(slot: v)")
            }
        }
        switch rel.direction {
        case .outgoing: conditions += [join(left, to: "\(alias).src"), join(right, to: "\(alias).dst")].compactMap { $0 }
        case .incoming: conditions += [join(right, to: "\(alias).src"), join(left, to: "\(alias).dst")].compactMap { $0 }
        case .both:
            let l = idSQL(left), r = idSQL(right)
            conditions.append(SQLFragment(sql: "((\(alias).src = \(l) AND \(alias).dst = \(r)) OR (\(alias).src = \(r) AND \(alias).dst = \(l)))"))
        }
        // A dialect that marks no column unindexed (PostgreSQL plans from its statistics)
        // need not ask: the answer would change nothing, and on a server it costs a round trip.
        let asks = dialect.unindexed("t") != "t"
        let indexed = try !anchored && !(asks ? (isCommonType?(rel.types) ?? false) : false)
        if let t = typeCondition(alias, rel.types, indexed: indexed) { conditions.append(t) }
        if let props = rel.properties {
            var out: [SQLFragment] = []
            try propertyConditions(props, alias: alias, into: &out)
            conditions += out
        }
        if asOf != nil { conditions.append(validity(alias)) }
        fixedEdges.append(alias)
        columns.append(.relationship(rel.variable, alias: alias))
        return columns.count - 1
    }

    /// How narrowly a node pattern's own conditions pick its candidates: 2 for a bound
    /// variable, 1 for a property map or a WHERE equality on its id or a property, 0 else
    /// (a label alone usually matches thousands of nodes).
    private func selectivity(_ node: NodePattern) -> Int {
        if let v = node.variable, bound[v] != nil { return 2 }
        if case .map(let entries)? = node.properties?.kind, !entries.isEmpty { return 1 }
        guard let v = node.variable else { return 0 }
        func isOwn(_ e: Expr) -> Bool {
            switch e.kind {
            case .property(let base, _): if case .variable(v) = base.kind { return true }
            case .call("id", false, let args): if args.count == 1, case .variable(v) = args[0].kind { return true }
            default: break
            }
            return false
        }
        for conjunct in whereConjuncts {
            guard case .binary(.eq, let l, let r) = conjunct.kind else { continue }
            if (isOwn(l) && constant(r) != nil) || (isOwn(r) && constant(l) != nil) { return 1 }
        }
        return 0
    }

    /// `-[:T*min..max]->` as a recursive CTE seeded at the candidates of `seedNode`, the
    /// pattern node at alias `from`, walking in `direction` to the node at alias `to`.
    private mutating func addVariableLength(_ rel: RelationshipPattern, from left: String, to right: String, seedNode leftNode: NodePattern,
                                            direction: Direction, inNamedPath: Bool) throws -> Int {
        variableLengthCount += 1
        let name = fresh("v")
        aliasPositions[name] = rel.position
        let minHops = rel.length?.min ?? 1
        let maxHops = rel.length?.max ?? max(minHops, unboundedLimit)
        // Reachability instead of trails, when nothing can tell them apart: directed, at
        // most one hop at the least, no variable for the relationships or the path, and
        // no other relationship in the MATCH. Then the ends of some trail of min...max hops
        // are exactly the ends of some walk of that many hops (a walk from a to b ≠ a
        // contains a simple path, one from a back to a a simple cycle through a; both
        // are trails and no longer), and UNION over (node, depth) visits each
        // (node, depth) once instead of once per trail. Undirected, a walk can go back
        // along the edge it came by, so `*` keeps trails there.
        let reachability = duplicateInsensitive && direction != .both && minHops <= 1 && rel.variable == nil
            && !inNamedPath && relationshipCount == 1
        var columnName = rel.variable
        if let v = rel.variable {
            if relAlias[v] != nil {
                throw QueryError(.syntax, "VariableAlreadyBound", "relationship variable '\(v)' is used twice in one pattern", at: rel.position, in: source)
            }
            relAlias[v] = name
            if bound[v] != nil {
                // A bound list of relationships: the path must be exactly that list.
                columnName = MatchPlanner.hiddenPrefix + name
                residual.append(Expr(.binary(.eq, Expr(.variable(columnName!), rel.position), Expr(.variable(v), rel.position)), rel.position))
            }
        }
        // Seed: the left node's own conditions, on a fresh alias.
        let seed = fresh("s")
        var seedConditions: [SQLFragment] = []
        if let v = leftNode.variable, bound[v] != nil {
            seedConditions.append("\(sql: seed).id = \(slot: v)")
        }
        let savedResidual = residual.count
        try nodeConditions(leftNode, alias: seed, into: &seedConditions)
        residual.removeLast(residual.count - savedResidual) // residuals are checked on the main alias
        if asOf != nil { seedConditions.append(validity(seed)) }
        let e = fresh("x")
        // SQLite: each direction is its own recursive SELECT so that both use an index
        // (`src = node OR dst = node` would scan every edge per step); undirected, a
        // self-loop is walked once, by the outgoing branch (the dialect's `stepBranches`).
        let branches = dialect.stepBranches(direction.step, node: "\(name).node", edge: e)
        var recursiveSteps: [SQLFragment] = []
        for (join, next) in branches {
            // Each branch carries its own copies of the arguments.
            var step: [SQLFragment] = [SQLFragment(sql: "\(name).depth < \(maxHops)")]
            if !reachability { step.append(SQLFragment(sql: dialect.pathLacks("\(name).path", edgeID: "\(e).id"))) }
            if let t = typeCondition(e, rel.types) { step.append(t) }
            if let props = rel.properties {
                guard case .map(let entries) = props.kind else {
                    throw QueryError(.syntax, "InvalidParameterUse", "a pattern's properties must be a map literal", at: props.position, in: source)
                }
                for (key, valueExpr) in entries {
                    guard let value = constant(valueExpr), let sql = comparison(alias: e, key: key, op: .eq, value: value) else {
                        throw QueryError(.unsupported, "UnsupportedPattern", "a variable-length relationship's properties must be literals or parameters", at: valueExpr.position, in: source)
                    }
                    step.append(sql)
                }
            }
            if asOf != nil {
                step.append(validity(e))
                let m = fresh("m")
                step.append("EXISTS (SELECT 1 FROM node \(sql: m) WHERE \(sql: m).id = \(sql: next) AND \(validity(m)))")
            }
            recursiveSteps.append("""
                  \(sql: dialect.recursiveUnion(distinct: reachability))
                  SELECT \(sql: name).start, \(sql: next), \(sql: name).depth + 1\(sql: reachability ? "" : ", " + dialect.pathAppending("\(name).path", edgeID: "\(e).id"))
                  FROM \(sql: name) JOIN edge \(sql: e) ON \(sql: join)
                  WHERE \(MatchPlanner.conjunction(step, separator: " AND "))
                """)
        }
        pending.append(PendingCTE(
            name: name, seedAlias: seed, seedVariable: leftNode.variable,
            seedConditions: seedConditions,
            recursiveStep: recursiveSteps.joined(separator: "\n"),
            reachability: reachability))
        from.append(name)
        conditions += [join(left, to: "\(name).start"), join(right, to: "\(name).node")].compactMap { $0 }
        conditions.append(SQLFragment(sql: "\(name).depth >= \(minHops)"))
        columns.append(.path(columnName, alias: name))
        if reachability { reachabilityColumns.insert(name) }
        return columns.count - 1
    }

    // MARK: WHERE push-down

    /// `id(v) = k` (either way round) with an integer literal or parameter `k`: needs
    /// only `v`'s id, not its node row.
    private func idEquality(_ e: Expr) -> (String, Int64)? {
        guard case .binary(.eq, let l, let r) = e.kind else { return nil }
        for (call, value) in [(l, r), (r, l)] {
            if case .call("id", false, let args) = call.kind, args.count == 1, case .variable(let v) = args[0].kind,
               case .int(let id)? = constant(value) {
                return (v, id)
            }
        }
        return nil
    }

    private func aliasOf(_ e: Expr) -> String? {
        guard case .variable(let v) = e.kind else { return nil }
        return nodeAlias[v] ?? relAlias[v].flatMap { $0.hasPrefix("e") ? $0 : nil }
    }

    /// SQL for a WHERE conjunct when SQL decides it exactly as openCypher would.
    private mutating func pushDown(_ e: Expr) throws -> SQLFragment? {
        switch e.kind {
        case .binary(let op, let l, let r) where [.eq, .lt, .le, .gt, .ge].contains(op):
            if case .property(let base, let key) = l.kind, let alias = aliasOf(base), let v = constant(r) {
                return comparison(alias: alias, key: key, op: op, value: v)
            }
            if case .property(let base, let key) = r.kind, let alias = aliasOf(base), let v = constant(l) {
                let flipped: BinaryOp = [.lt: .gt, .le: .ge, .gt: .lt, .ge: .le][op] ?? op
                return comparison(alias: alias, key: key, op: flipped, value: v)
            }
            if let (variable, id) = idEquality(e), let alias = aliasOf(Expr(.variable(variable), e.position)) {
                return "\(sql: idSQL(alias)) = \(bind: id)"
            }
            return nil
        case .hasLabels(let base, let labels):
            guard case .variable(let v) = base.kind, let alias = nodeAlias[v] else { return nil }
            return labels.map { labelCondition(alias, $0) }.joined(separator: " AND ")
        case .isNull(let inner, negated: true):
            if case .call("fts", false, let args) = inner.kind, args.count == 2, case .variable(let v) = args[0].kind,
               let alias = nodeAlias[v], case .string(let terms)? = constant(args[1]) {
                if let problem = try fullTextError?(terms) {
                    throw QueryError(.argument, "InvalidFullTextQuery", "fts(): invalid search terms '\(terms)': \(problem)", at: inner.position, in: source)
                }
                return dialect.fullTextMatch(nodeID: "\(alias).id", terms: bind(terms))
            }
            return nil
        default:
            return nil
        }
    }
}

/// What a variable holds, as far as the binder and planner know.
enum VariableKind: Equatable {
    /// `value`: anything (may be null or an element); `scalar`: a literal that is surely
    /// not a node or relationship (`WITH 1 AS n MATCH (n)` is a VariableTypeConflict).
    case node, relationship, relationshipList, path, value, scalar
}

extension Direction {
    /// The direction a variable-length step walks, for the dialect.
    var step: StepDirection {
        switch self {
        case .outgoing: return .outgoing
        case .incoming: return .incoming
        case .both: return .both
        }
    }

    /// The same relationship seen from its other end.
    var reversed: Direction {
        switch self {
        case .outgoing: return .incoming
        case .incoming: return .outgoing
        case .both: return .both
        }
    }
}
