import Foundation
import GRDB
import GraphAlgorithms
import GraphStore

/// A MATCH answered by a native operator over the engine's adjacency cache instead of a
/// recursive CTE: one variable-length relationship between two nodes, over given types
/// and a direction, with nothing that would look at the relationships (no relationship
/// or path variable, no relationship properties). One end (the seed) may carry anything a
/// node pattern can (labels, properties, WHERE conditions, an earlier binding): SQL
/// selects its candidates with the ordinary planner (`seedPart`, `seedWhere`). The other
/// end must be free, or pinned only by `id(n) = k` or an earlier binding. Anything else,
/// a graph on a server, a write query and a store whose node ids do not fit the cache
/// stay with SQL (`MatchPlanner`).
///
/// Semantics, as the SQL's: per seed, the rows are the trails (no relationship twice) of
/// `min...max` steps, one row each; when the consumer ignores multiplicity and the
/// pattern is directed with `min <= 1` (the SQL's reachability rule), the distinct ends
/// instead (`TraversalGraph.reachable`). A step enters only nodes and follows only edges
/// valid on the AS OF date (the seed's validity is in its SQL).
struct NativeTraversal {
    enum Pin {
        case id(Int64)
        case slot(String)
    }

    /// The seed's node pattern (its variable hidden if it had none) and its conditions.
    var seedPart: PatternPart
    var seedWhere: Expr?
    var seedVariable: String
    /// The variable the query gave the seed, if any.
    var namedSeed: String?
    var endVariable: String?
    var end: Pin?
    /// Sorted and without repeats: the cache's key.
    var types: [String]
    /// From the seed.
    var direction: StepDirection
    var minHops: Int
    var maxHops: Int
    var reachability: Bool

    var endBound: [String] {
        if case .slot(let v)? = end { return [v] }
        return []
    }

    var summary: String {
        let arrow: String
        switch direction {
        case .outgoing: arrow = "outgoing"
        case .incoming: arrow = "incoming"
        case .both: arrow = "both directions"
        }
        let kind = reachability ? "reachability (distinct ends, breadth-first)" : "trails (depth-first, no relationship twice)"
        let over = types.isEmpty ? "every type" : types.joined(separator: "|")
        return "native \(kind) over the adjacency cache: \(over), \(arrow), \(minHops)..\(maxHops) hops from each \(namedSeed ?? "seed")"
    }

    /// An anonymous seed's variable in its SQL plan: no query can name it (a space), and
    /// unlike `MatchPlanner.hiddenPrefix` names `match` keeps it in the rows it returns.
    static let hiddenSeed = " seed"

    /// The native plan of a MATCH, or nil when SQL must run it.
    static func plan(_ parts: [PatternPart], where predicate: Expr?, bound: [String: VariableKind], parameters: [String: CypherValue],
                     duplicateInsensitive: Bool, unboundedLimit: Int) -> NativeTraversal? {
        guard parts.count == 1, let part = parts.first, part.pathVariable == nil, part.nodes.count == 2,
              part.relationships.count == 1, let rel = part.relationships.first, let length = rel.length,
              rel.variable == nil, rel.properties == nil else { return nil }
        let nodes = part.nodes
        if let a = nodes[0].variable, a == nodes[1].variable { return nil }
        let conjuncts = predicate.map(MatchPlanner.conjuncts) ?? []
        // Per node: its own conditions, and whether it is a bound node or an id-pinned one.
        var own: [[Expr]] = [[], []]
        var shared: [Expr] = []
        for conjunct in conjuncts {
            guard !containsPattern(conjunct) else { return nil }
            var names: [(String, SourcePosition)] = []
            Binder.collectVariables(conjunct, &names)
            let mentions = (0..<2).filter { i in names.contains { $0.0 == nodes[i].variable } }
            switch mentions.count {
            case 0: shared.append(conjunct)
            case 1: own[mentions[0]].append(conjunct)
            default: return nil
            }
        }
        func isBound(_ i: Int) -> Bool { nodes[i].variable.map { bound[$0] != nil } ?? false }
        func isFree(_ i: Int) -> Bool { nodes[i].labels.isEmpty && nodes[i].properties == nil && !isBound(i) && own[i].isEmpty }
        /// The pin of a node that only an earlier binding or one `id(n) = k` constrains.
        func pin(_ i: Int) -> Pin? {
            guard nodes[i].labels.isEmpty, nodes[i].properties == nil, let v = nodes[i].variable else { return nil }
            if let kind = bound[v] { return kind == .node && own[i].isEmpty ? .slot(v) : nil }
            guard own[i].count == 1, let equality = idEquality(own[i][0], parameters) else { return nil }
            return .id(equality.1)
        }
        // The seed is the constrained end; when both are, the other must be a pin.
        let choice: (Int, Pin?)
        if isFree(1), !isFree(0) { choice = (0, nil) }
        else if isFree(0), !isFree(1) { choice = (1, nil) }
        else if !isFree(0), !isFree(1), let p = pin(1) { choice = (0, p) }
        else if !isFree(0), !isFree(1), let p = pin(0) { choice = (1, p) }
        else { return nil }
        let (seedIndex, end) = choice
        var seedNode = nodes[seedIndex]
        let namedSeed = seedNode.variable
        if seedNode.variable == nil { seedNode.variable = hiddenSeed }
        let seedConditions = own[seedIndex] + shared
        let seedWhere = seedConditions.isEmpty ? nil : seedConditions.dropFirst().reduce(seedConditions[0]) {
            Expr(.binary(.and, $0, $1), $1.position)
        }
        let minHops = length.min ?? 1
        let maxHops = length.max ?? max(minHops, unboundedLimit)
        let direction: StepDirection
        switch (rel.direction, seedIndex) {
        case (.both, _): direction = .both
        case (.outgoing, 0), (.incoming, 1): direction = .outgoing
        default: direction = .incoming
        }
        return NativeTraversal(seedPart: PatternPart(pathVariable: nil, nodes: [seedNode], relationships: [], position: part.position),
                               seedWhere: seedWhere, seedVariable: seedNode.variable!, namedSeed: namedSeed,
                               endVariable: nodes[1 - seedIndex].variable, end: end,
                               types: Array(Set(rel.types)).sorted(), direction: direction, minHops: minHops, maxHops: maxHops,
                               reachability: duplicateInsensitive && direction != .both && minHops <= 1)
    }

    /// Pattern predicates name variables `Binder.collectVariables` does not list.
    private static func containsPattern(_ e: Expr) -> Bool {
        if case .pattern = e.kind { return true }
        return Binder.children(e).contains(where: containsPattern)
    }

    /// `id(v) = k` either way round, `k` an integer literal or parameter.
    private static func idEquality(_ e: Expr, _ parameters: [String: CypherValue]) -> (String, Int64)? {
        guard case .binary(.eq, let l, let r) = e.kind else { return nil }
        for (call, value) in [(l, r), (r, l)] {
            guard case .call("id", false, let args) = call.kind, args.count == 1, case .variable(let v) = args[0].kind else { continue }
            switch value.kind {
            case .literal(.int(let k)): return (v, k)
            case .parameter(let name): if case .int(let k)? = parameters[name] { return (v, k) }
            default: break
            }
        }
        return nil
    }

    /// Whether a RETURN/WITH right after the MATCH only counts (`count(*)`, `count(x)`,
    /// `count(DISTINCT x)` of the MATCH's node variables, no grouping key): then the
    /// traversal's per-end counts answer it without building a row per trail.
    func countsOnly(_ p: Projection) -> Bool {
        guard !p.star, !p.items.isEmpty else { return false }
        return p.items.allSatisfy { item in
            switch item.expression.kind {
            case .countStar: return true
            case .call("count", _, let args):
                guard args.count == 1, case .variable(let v) = args[0].kind else { return false }
                return v == namedSeed || v == endVariable
            default: return false
            }
        }
    }

    /// The counting projection's one row, from each seed's ends and their trail counts.
    func counted(_ p: Projection, _ results: [(seed: Int64, ends: [(node: Int64, trails: Int)])]) -> [CypherValue] {
        let rows = results.reduce(0) { $0 + $1.ends.reduce(0) { $0 + $1.trails } }
        return p.items.map { item -> CypherValue in
            guard case .call(_, true, let args) = item.expression.kind, case .variable(let v) = args[0].kind else { return .int(Int64(rows)) }
            if v == endVariable { return .int(Int64(Set(results.flatMap { $0.ends.map(\.node) }).count)) }
            return .int(Int64(Set(results.filter { !$0.ends.isEmpty }.map(\.seed)).count))
        }
    }
}

extension Execution {
    /// What a native MATCH runs with: the plan, the seed's SQL plan, the traversal graph.
    struct NativeMatch {
        var plan: NativeTraversal
        var seeds: MatchPlan
        var graph: TraversalGraph
        var nodes: NodeValidity?
        var use: AdjacencyCache.Use
    }

    /// The native plan for the MATCH at clause `i` and its traversal graph, or nil (SQL).
    func nativeTraversal(at i: Int, _ parts: [PatternPart], _ predicate: Expr?) throws -> NativeMatch? {
        guard options.nativeTraversal, let adjacency, case .sqlite(let db) = graph.source else { return nil }
        let next = Execution.projection(after: i, in: ast.clauses)
        guard let plan = NativeTraversal.plan(parts, where: predicate, bound: scopes[i].kinds, parameters: evaluator.parameters,
                                              duplicateInsensitive: next.map { SQLProjection.ignoresMultiplicity($0.projection) } ?? false,
                                              unboundedLimit: options.unboundedPathLimit) else { return nil }
        var seedPlanner = planner(scopes[i])
        let seeds = try seedPlanner.plan([plan.seedPart], where: plan.seedWhere)
        guard let found = try adjacency.graph(db, types: plan.types, asOf: ast.asOf != nil) else { return nil }
        adjacencySnapshots.append(found.snapshot)
        return NativeMatch(plan: plan, seeds: seeds, graph: found.graph, nodes: found.nodes, use: found.use)
    }

    /// The seeds of `row` (the seed pattern matched by SQL, merged into the row) with the
    /// ends reached from each (and their trail counts; 1 each for reachability).
    func nativeEnds(_ native: NativeMatch, _ row: Bindings, _ scope: Binder.Scope) throws -> [(row: Bindings, seed: Int64, ends: [(node: Int64, trails: Int)])] {
        let plan = native.plan
        var endPin: Int64?
        switch plan.end {
        case .id(let id)?: endPin = id
        case .slot(let v)?:
            guard case .node(let id)? = row[v] else { return [] }
            endPin = id
        case nil: break
        }
        let date = ast.asOf?.iso
        var out: [(row: Bindings, seed: Int64, ends: [(node: Int64, trails: Int)])] = []
        for seeded in try match(native.seeds, [plan.seedPart], optional: false, [row], scope) {
            guard case .node(let seed)? = seeded[plan.seedVariable] else { continue }
            var ends: [(node: Int64, trails: Int)]
            if plan.reachability {
                ends = try native.graph.reachable(from: seed, direction: plan.direction, minHops: plan.minHops, maxHops: plan.maxHops,
                                                  asOf: date, nodes: native.nodes, check: { try self.checkTime() }).map { ($0, 1) }
            } else {
                ends = try native.graph.trailEnds(from: seed, direction: plan.direction, minHops: plan.minHops, maxHops: plan.maxHops,
                                                  asOf: date, nodes: native.nodes, check: { try self.checkTime() })
            }
            if let endPin { ends = ends.filter { $0.node == endPin } }
            out.append((seeded, seed, ends))
        }
        return out
    }

    /// The MATCH's rows from the native operator, merged with each input row as
    /// `match` merges SQL's.
    func nativeMatch(_ native: NativeMatch, optional: Bool, _ input: [Bindings], _ scope: Binder.Scope, parts: [PatternPart]) throws -> [Bindings] {
        let newVariables = Set(MatchPlanner.variables(of: parts)).subtracting(scope.kinds.keys)
        var output: [Bindings] = []
        for row in input {
            var any = false
            for (seeded, _, ends) in try nativeEnds(native, row, scope) {
                for (end, trails) in ends {
                    var merged = seeded
                    if native.plan.namedSeed == nil { merged.removeValue(forKey: native.plan.seedVariable) }
                    if let v = native.plan.endVariable { merged[v] = .node(end) }
                    for _ in 0..<trails {
                        try deadline.step()
                        any = true
                        try memory.keep(row: merged)
                        output.append(merged)
                    }
                    try checkSize(output.count)
                }
            }
            if optional && !any { output.append(nullFilled(row, newVariables)) }
            try checkSize(output.count)
            try checkTime()
            memory.endRow()
        }
        return output
    }

    /// How PROFILE names a native MATCH: the operator, and whether it read the cache now.
    static func nativeClauseName(_ optional: Bool, _ native: NativeMatch) -> String {
        (optional ? "OPTIONAL MATCH" : "MATCH") + " (\(native.plan.summary); \(cacheUse(native.use)))"
    }

    /// Whether a native operator's lookup kept, updated or read the adjacency cache.
    static func cacheUse(_ use: AdjacencyCache.Use) -> String {
        use.built
            ? String(format: "adjacency cache read now: %ld edges, %.1f MiB, %.0f ms", use.edges, Double(use.bytes) / 1_048_576, use.buildSeconds * 1000)
            : use.applied.map { String(format: "adjacency cache updated with %ld changed rows: %ld edges, %.1f MiB, %.1f ms", $0, use.edges, Double(use.bytes) / 1_048_576, use.buildSeconds * 1000) }
            ?? String(format: "adjacency cache kept: %ld edges, %.1f MiB", use.edges, Double(use.bytes) / 1_048_576)
    }
}
