import GRDB
import GraphAlgorithms
import GraphStore

/// A first MATCH of one fixed relationship between two unconstrained nodes whose RETURN
/// or WITH groups by one end and counts, answered from the adjacency cache's compressed
/// rows instead of SQL's GROUP BY over the edge index: `MATCH ()-[:CITES]->(b) RETURN
/// id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10` (the most-cited nodes) reads
/// one row offset per node (on a date, each edge's and its ends' validity ranks).
///
/// Only the shape whose SQL answer it reproduces exactly: no WHERE, no labels or
/// properties on either node or on the relationship, a direction (undirected patterns
/// match an edge from both ends), and a projection whose items are the grouped node
/// (`b` or `id(b)`) and non-DISTINCT counts (`count(*)`, `count(x)` of a pattern
/// variable, which is never null after a MATCH), at least one count. With no grouped
/// item the one row holds the edge count. ORDER BY keys that are projected items, SKIP
/// and LIMIT run here on integers, equal keys keeping ascending node id (openCypher leaves
/// ties unspecified; SQLite's order of them follows its plan: ascending id for the
/// GROUP BY over the edge index, descending under AS OF, which joins the nodes); any other
/// ORDER BY is left to `orderAndSlice` over the rows in ascending node id, as after the
/// SQL. Everything else, and `QueryOptions.nativeTraversal = false`, stays with SQL.
struct NativeDegree {
    enum Item {
        /// The grouped node, or `id()` of it.
        case node, id
        case count
    }

    let items: [Item]
    /// Sorted and without repeats: the cache's key.
    let types: [String]
    /// Which edges of the grouped node count: `.incoming` ends there, `.outgoing` starts.
    let direction: StepDirection
    /// Per ORDER BY key: the item index and direction, when every key is an item.
    let order: [(index: Int, ascending: Bool)]?

    var grouped: Bool { items.contains { if case .count = $0 { return false } else { return true } } }

    var summary: String {
        let over = types.isEmpty ? "every type" : types.joined(separator: "|")
        let counted = direction == .incoming ? "incoming" : "outgoing"
        return "native degree count over the adjacency cache: \(over), \(counted) edges per node"
            + (grouped ? "" : ", summed") + (order == nil ? "" : "; ORDER BY, SKIP and LIMIT on the counts")
    }

    /// The native plan of a first MATCH (`parts`, `predicate`) and the projection after
    /// it, or nil when SQL answers it.
    static func plan(_ parts: [PatternPart], where predicate: Expr?, projection p: Projection) -> NativeDegree? {
        guard predicate == nil, !p.star, parts.count == 1, let part = parts.first, part.pathVariable == nil,
              part.nodes.count == 2, part.relationships.count == 1, let rel = part.relationships.first,
              rel.length == nil, rel.properties == nil, rel.direction != .both,
              part.nodes.allSatisfy({ $0.labels.isEmpty && $0.properties == nil }) else { return nil }
        let names = part.nodes.map(\.variable)
        if let a = names[0], a == names[1] { return nil }
        if let r = rel.variable, names.contains(r) { return nil }
        let variables = Set(names.compactMap { $0 } + [rel.variable].compactMap { $0 })
        /// `v` or `id(v)`: the variable, and whether it is `id()`.
        func element(_ e: Expr) -> (String, Bool)? {
            switch e.kind {
            case .variable(let v): return (v, false)
            case .call("id", false, let args) where args.count == 1:
                if case .variable(let v) = args[0].kind { return (v, true) }
                return nil
            default: return nil
            }
        }
        var groupedIndex: Int?
        var items: [Item] = []
        for item in p.items {
            if let (v, isID) = element(item.expression) {
                guard let index = names.firstIndex(of: v), groupedIndex == nil || groupedIndex == index else { return nil }
                groupedIndex = index
                items.append(isID ? .id : .node)
                continue
            }
            switch item.expression.kind {
            case .countStar:
                items.append(.count)
            case .call("count", false, let args):
                guard args.count == 1, case .variable(let v) = args[0].kind, variables.contains(v) else { return nil }
                items.append(.count)
            default:
                return nil
            }
        }
        guard items.contains(where: { if case .count = $0 { return true } else { return false } }) else { return nil }
        var order: [(Int, Bool)]? = []
        let itemNames = p.items.map(\.name)
        for key in p.orderBy {
            let replaced = key.expression.replacingProjected(p.items)
            if Binder.containsAggregate(replaced) { return nil }
            guard case .variable(let name) = replaced.kind, let index = itemNames.firstIndex(of: name) else { order = nil; break }
            order?.append((index, key.ascending))
        }
        // The grouped end is the relationship's target for incoming edges.
        let target = rel.direction == .outgoing ? 1 : 0
        return NativeDegree(items: items, types: Array(Set(rel.types)).sorted(),
                            direction: (groupedIndex ?? target) == target ? .incoming : .outgoing, order: order)
    }

    /// The projected rows from each node's count (ascending node id): grouped, or the
    /// one summed row; ordered and sliced when `order` is set (`skip`, `limit` evaluated).
    func rows(_ degrees: [(node: Int64, count: Int)], skip: Int?, limit: Int?) -> [[CypherValue]] {
        func row(_ node: Int64, _ count: Int) -> [CypherValue] {
            items.map { item in
                switch item {
                case .node: return .node(node)
                case .id: return .int(node)
                case .count: return .int(Int64(count))
                }
            }
        }
        guard let order else {
            return grouped ? degrees.map { row($0.node, $0.count) } : [row(0, degrees.reduce(0) { $0 + $1.count })]
        }
        let skip = skip ?? 0
        guard grouped else { return skip == 0 && limit != 0 ? [row(0, degrees.reduce(0) { $0 + $1.count })] : [] }
        // Sort keys as integers: a node orders by its id in openCypher, as in SQL.
        let keys = order.map { key -> (count: Bool, ascending: Bool) in
            if case .count = items[key.index] { return (true, key.ascending) }
            return (false, key.ascending)
        }
        /// Whether entry `a` comes before `b`; equal keys keep ascending node id.
        func precedes(_ a: (node: Int64, count: Int), _ b: (node: Int64, count: Int)) -> Bool {
            for key in keys {
                let x = key.count ? Int64(a.count) : a.node, y = key.count ? Int64(b.count) : b.node
                if x != y { return key.ascending ? x < y : x > y }
            }
            return a.node < b.node
        }
        var ordered: [(node: Int64, count: Int)]
        if let limit, skip + limit < degrees.count / 8 {
            // The best `skip + limit` by insertion into a short sorted list.
            let keep = skip + limit
            ordered = []
            ordered.reserveCapacity(keep + 1)
            if keep > 0 {
                for entry in degrees {
                    if ordered.count == keep, !precedes(entry, ordered[keep - 1]) { continue }
                    var low = 0, high = ordered.count
                    while low < high {
                        let mid = (low + high) / 2
                        if precedes(entry, ordered[mid]) { high = mid } else { low = mid + 1 }
                    }
                    ordered.insert(entry, at: low)
                    if ordered.count > keep { ordered.removeLast() }
                }
            }
        } else {
            ordered = degrees.sorted(by: precedes)
        }
        let end = limit.map { min(ordered.count, skip + $0) } ?? ordered.count
        guard skip < end else { return [] }
        return ordered[skip..<end].map { row($0.node, $0.count) }
    }
}

extension Execution {
    /// The native degree plan of the MATCH at clause `i` with the RETURN/WITH after it
    /// and its traversal graph, or nil (SQL).
    func nativeDegree(at i: Int, _ parts: [PatternPart], _ predicate: Expr?, optional: Bool)
        throws -> (plan: NativeDegree, graph: TraversalGraph, nodes: NodeValidity?, use: AdjacencyCache.Use)? {
        guard i == 0, !optional, options.nativeTraversal, let adjacency, case .sqlite(let db) = graph.source,
              let next = Execution.projection(after: i, in: ast.clauses),
              let plan = NativeDegree.plan(parts, where: predicate, projection: next.projection),
              let found = try adjacency.graph(db, types: plan.types, asOf: ast.asOf != nil) else { return nil }
        adjacencySnapshots.append(found.snapshot)
        return (plan, found.graph, found.nodes, found.use)
    }

    /// The RETURN/WITH rows of a native degree plan, and whether they are ordered.
    func runNativeDegree(_ native: (plan: NativeDegree, graph: TraversalGraph, nodes: NodeValidity?, use: AdjacencyCache.Use),
                         _ p: Projection) throws -> (rows: [[CypherValue]], ordered: Bool) {
        let degrees = try native.graph.degrees(native.plan.direction, asOf: ast.asOf?.iso, nodes: native.nodes) { try self.checkTime() }
        let ordered = native.plan.order != nil
        let rows = native.plan.rows(degrees, skip: ordered ? try p.skip.map { try count($0, "SKIP") } : nil,
                                    limit: ordered ? try p.limit.map { try count($0, "LIMIT") } : nil)
        for (n, row) in rows.enumerated() {
            try memory.keep(values: row)
            if n % 1024 == 1023 { try checkSize(n + 1); try checkTime() }
        }
        return (rows, ordered)
    }
}
