import GRDB
import GraphStore

/// A RETURN or WITH computed inside the SQL of the MATCH right before it, so that
/// grouped counts and reachability counts come back as a handful of rows instead of
/// one Swift row per match (on the SCOTUS citation graph, "the ten most-cited cases"
/// went from 217k rows aggregated in Swift to one GROUP BY).
///
/// Only where SQL's answer is exactly openCypher's:
/// - the MATCH is the query's first clause, not OPTIONAL (an empty OPTIONAL MATCH still
///   yields one row), and SQL decides all of it: no predicate left for Swift, no named
///   path, no edge distinctness left to `Execution.runPlan`;
/// - every item is a grouping key `v` or `id(v)` for a node or single relationship `v`
///   of that MATCH, or `count(*)`, `count(v)` (never null after a MATCH: `count(*)`) or
///   `count(DISTINCT v)` / `count(DISTINCT id(v))`; without an aggregate the projection
///   must be DISTINCT (otherwise SQL would save nothing);
/// - ORDER BY keys, after replacing projected expressions by their names, hold no
///   aggregate; when every key is a projected item, ORDER BY, SKIP and LIMIT run in SQL
///   too (elements order by id in openCypher, as SQL orders the integers), otherwise in
///   Swift over the projected rows.
struct SQLProjection {
    enum Item {
        /// A node or relationship variable's element, or `id()` of it.
        case element(alias: String, kind: ElementKind)
        case countStar
        case countDistinct(alias: String)
    }
    enum ElementKind { case node, relationship, id }

    let items: [Item]
    /// Per ORDER BY key: the item index and direction, when all keys are items.
    let order: [(index: Int, ascending: Bool)]?

    /// The projection's items in SQL, or nil when the projection cannot run there.
    init?(_ p: Projection, after plan: MatchPlan) {
        guard !p.star, plan.residual.isEmpty, !plan.needsTrailCheck, plan.parts.allSatisfy({ $0.pathVariable == nil }) else { return nil }
        var elements: [String: (alias: String, kind: ElementKind)] = [:]
        for column in plan.columns {
            switch column {
            case .node(let name?, let alias): elements[name] = (alias, .node)
            case .relationship(let name?, let alias): elements[name] = (alias, .relationship)
            default: break
            }
        }
        func element(_ e: Expr) -> (alias: String, kind: ElementKind)? {
            switch e.kind {
            case .variable(let v): return elements[v]
            case .call("id", false, let args) where args.count == 1:
                guard case .variable(let v) = args[0].kind, let found = elements[v] else { return nil }
                return (found.alias, .id)
            default: return nil
            }
        }
        var items: [Item] = []
        var aggregating = false
        for item in p.items {
            if let found = element(item.expression) {
                items.append(.element(alias: found.alias, kind: found.kind))
                continue
            }
            aggregating = true
            switch item.expression.kind {
            case .countStar: items.append(.countStar)
            case .call("count", let distinct, let args) where args.count == 1:
                guard let found = element(args[0]) else { return nil }
                if distinct { items.append(.countDistinct(alias: found.alias)) } else {
                    guard found.kind != .id else { return nil }
                    items.append(.countStar)
                }
            default: return nil
            }
        }
        guard aggregating || p.distinct else { return nil }
        self.items = items
        let names = p.items.map(\.name)
        var order: [(Int, Bool)] = []
        for key in p.orderBy {
            let replaced = key.expression.replacingProjected(p.items)
            if Binder.containsAggregate(replaced) { return nil }
            guard case .variable(let name) = replaced.kind, let index = names.firstIndex(of: name) else {
                self.order = nil
                return
            }
            order.append((index, key.ascending))
        }
        self.order = order
    }

    /// The statement: the MATCH's CTEs and joins, this select list, GROUP BY, and ORDER
    /// BY / LIMIT / OFFSET when `order` is set (`limit`, `skip` are already evaluated).
    func sql(_ plan: MatchPlan, distinct: Bool, limit: Int?, skip: Int?) -> SQLFragment {
        var keys: [String] = []
        let select = items.map { item -> String in
            switch item {
            case .element(let alias, _):
                let id = plan.idSQL[alias] ?? "\(alias).id"
                keys.append(id)
                return id
            case .countStar: return "count(*)"
            case .countDistinct(let alias): return "count(DISTINCT \(plan.idSQL[alias] ?? "\(alias).id"))"
            }
        }
        let aggregating = keys.count < items.count
        var sql = plan.head + SQLFragment(sql: "SELECT " + (distinct && !aggregating ? "DISTINCT " : "") + select.joined(separator: ", ")) + plan.body
        if aggregating && !keys.isEmpty { sql += SQLFragment(sql: "\nGROUP BY " + keys.joined(separator: ", ")) }
        if let order {
            if !order.isEmpty {
                sql += SQLFragment(sql: "\nORDER BY " + order.map { plan.dialect.orderKey(column: $0.index + 1, ascending: $0.ascending) }.joined(separator: ", "))
            }
            if limit != nil || skip != nil {
                sql += "\n\(plan.dialect.limitOffset(limit: limit, offset: skip))"
            }
        }
        return sql
    }

    /// One projected row from one SQL row.
    func values<R: ResultRow>(_ row: R) -> [CypherValue] {
        items.enumerated().map { i, item in
            let n = row.int64(i)
            switch item {
            case .element(_, .node): return .node(n)
            case .element(_, .relationship): return .relationship(n)
            case .element(_, .id), .countStar, .countDistinct: return .int(n)
            }
        }
    }

    /// Whether a projection gives the same rows however often each input row occurs:
    /// then the MATCH before it may drop duplicates (`MatchPlanner.duplicateInsensitive`).
    static func ignoresMultiplicity(_ p: Projection) -> Bool {
        var calls: [Expr] = []
        for item in p.items { Execution.collectAggregates(item.expression, &calls) }
        for key in p.orderBy { Execution.collectAggregates(key.expression, &calls) }
        if calls.isEmpty { return p.distinct }
        return calls.allSatisfy { call in
            switch call.kind {
            case .call(let name, let distinct, _): return distinct || name == "min" || name == "max"
            default: return false
            }
        }
    }
}
