import GraphStore

/// The native variable-length operators over a `TraversalGraph`, with the semantics of
/// the SQL they replace (`MatchPlanner.addVariableLength`): a step follows an edge valid
/// on the date (when there is one) into a node valid on it; undirected, a self-loop is
/// walked once (by its outgoing side). The start node's own existence and validity are
/// the caller's (it asks SQL).
extension TraversalGraph {
    /// What a step may use on the date, as integer tests.
    struct StepFilter {
        let bound: Int32?
        let admits: ((Int64) -> Bool)?

        @inline(__always)
        func edge(_ from: Int32, _ to: Int32) -> Bool {
            guard let bound else { return true }
            return from <= bound && to > bound
        }
    }

    func filter(asOf date: String?, nodes: NodeValidity?) -> StepFilter {
        StepFilter(bound: bound(asOf: date), admits: date.flatMap { d in nodes.map { $0.admits(asOf: d) } })
    }

    /// The distinct ends of the walks of `minHops...maxHops` steps from `start` (`minHops`
    /// at most 1, `direction` not `.both`): for such a pattern the ends of its trails are
    /// exactly these (a walk to b ≠ start holds a simple path to b; a closed walk, a
    /// simple cycle), so openCypher's answer under DISTINCT is this set. Breadth-first,
    /// each node entered once; the start is an end at 0 steps, or when some edge leads
    /// back to it from a node within `maxHops - 1` steps. `check` runs every 4,096 edges
    /// (the query's time limit).
    public func reachable(from start: Int64, direction: StepDirection, minHops: Int, maxHops: Int,
                          asOf date: String?, nodes: NodeValidity?, check: () throws -> Void) throws -> [Int64] {
        precondition(minHops <= 1 && direction != .both)
        var ends: [Int64] = minHops == 0 ? [start] : []
        guard maxHops >= 1, start < Int64(nodeLimit) else { return ends }
        let adjacency = direction == .outgoing ? outgoing : incoming
        let step = filter(asOf: date, nodes: nodes)
        var seen = [Bool](repeating: false, count: nodeLimit)
        let first = Int32(start)
        seen[Int(first)] = true
        var startIsEnd = minHops == 0
        var frontier: [Int32] = [first], next: [Int32] = []
        var budget = 4096
        try adjacency.neighbor.withUnsafeBufferPointer { neighbor in
        try adjacency.from.withUnsafeBufferPointer { from in
        try adjacency.to.withUnsafeBufferPointer { to in
            for _ in 1...maxHops {
                for u in frontier {
                    for slot in adjacency.slots(of: u) {
                        budget -= 1
                        if budget == 0 { budget = 4096; try check() }
                        guard step.edge(from[slot], to[slot]) else { continue }
                        let w = neighbor[slot]
                        if let admits = step.admits, !admits(Int64(w)) { continue }
                        if w == first {
                            if !startIsEnd { startIsEnd = true; ends.append(start) }
                        } else if !seen[Int(w)] {
                            seen[Int(w)] = true
                            next.append(w)
                            ends.append(Int64(w))
                        }
                    }
                }
                if next.isEmpty { break }
                swap(&frontier, &next)
                next.removeAll(keepingCapacity: true)
            }
        }}}
        return ends
    }

    /// Every trail (no edge twice) of `minHops...maxHops` steps from `start`, counted by
    /// its end node: openCypher's rows of `(start)-[*minHops..maxHops]-(end)` without a
    /// relationship variable, grouped by `end`. Depth-first; ends in first-reached order.
    public func trailEnds(from start: Int64, direction: StepDirection, minHops: Int, maxHops: Int,
                          asOf date: String?, nodes: NodeValidity?, check: () throws -> Void) throws -> [(node: Int64, trails: Int)] {
        guard maxHops >= minHops else { return [] }
        guard start < Int64(nodeLimit), maxHops >= 1 else { return minHops == 0 ? [(start, 1)] : [] }
        return try withoutActuallyEscaping(check) { check in
            var walker = TrailWalker(graph: self, direction: direction, minHops: minHops, maxHops: maxHops,
                                     step: filter(asOf: date, nodes: nodes), check: check)
            try walker.visit(Int32(start), depth: 0)
            return walker.touched.map { (Int64($0), walker.counts[Int($0)]) }
        }
    }
}

/// The depth-first state of `trailEnds`: the edges of the current trail and the counts.
private struct TrailWalker {
    let graph: TraversalGraph
    let followOut: Bool
    let followIn: Bool
    let minHops: Int
    let maxHops: Int
    let step: TraversalGraph.StepFilter
    let check: () throws -> Void
    var path: [Int32]
    var counts: [Int]
    var touched: [Int32] = []
    var budget = 4096

    init(graph: TraversalGraph, direction: StepDirection, minHops: Int, maxHops: Int,
         step: TraversalGraph.StepFilter, check: @escaping () throws -> Void) {
        self.graph = graph
        self.followOut = direction != .incoming
        self.followIn = direction != .outgoing
        self.minHops = minHops
        self.maxHops = maxHops
        self.step = step
        self.check = check
        self.path = [Int32](repeating: -1, count: maxHops)
        self.counts = [Int](repeating: 0, count: graph.nodeLimit)
    }

    mutating func visit(_ u: Int32, depth: Int) throws {
        if depth >= minHops {
            if counts[Int(u)] == 0 { touched.append(u) }
            counts[Int(u)] += 1
        }
        guard depth < maxHops else { return }
        if followOut { try expand(u, depth: depth, graph.outgoing, skipSelfLoops: false) }
        if followIn { try expand(u, depth: depth, graph.incoming, skipSelfLoops: followOut) }
    }

    @inline(__always)
    private mutating func expand(_ u: Int32, depth: Int, _ adjacency: Adjacency, skipSelfLoops: Bool) throws {
        for slot in adjacency.slots(of: u) {
            budget -= 1
            if budget == 0 { budget = 4096; try check() }
            guard step.edge(adjacency.from[slot], adjacency.to[slot]) else { continue }
            let w = adjacency.neighbor[slot]
            if skipSelfLoops && w == u { continue }
            let e = adjacency.edge[slot]
            var used = false
            for i in 0..<depth where path[i] == e { used = true; break }
            if used { continue }
            if let admits = step.admits, !admits(Int64(w)) { continue }
            path[depth] = e
            try visit(w, depth: depth + 1)
        }
    }
}

extension TraversalGraph {
    /// Per node, how many of these edges end there (`.incoming`) or start there
    /// (`.outgoing`): the groups of `MATCH ()-[:T]->(b) RETURN b, count(*)`. On a date, an
    /// edge counts only when it and both its end nodes are valid then, as the fixed
    /// relationship's SQL joins and tests them. Nodes without such an edge are left out;
    /// the rest come in ascending node id, the order SQLite's GROUP BY over the edge
    /// index gives. Without a date this reads only the row offsets. `check` runs every
    /// 4,096 nodes or edges (the query's time limit).
    public func degrees(_ direction: StepDirection, asOf date: String?, nodes: NodeValidity?,
                        check: () throws -> Void) throws -> [(node: Int64, count: Int)] {
        precondition(direction != .both)
        let adjacency = direction == .outgoing ? outgoing : incoming
        var out: [(node: Int64, count: Int)] = []
        var budget = 4096
        guard let date else {
            try adjacency.offsets.withUnsafeBufferPointer { offsets in
                for v in 0..<nodeLimit {
                    budget -= 1
                    if budget == 0 { budget = 4096; try check() }
                    let count = Int(offsets[v + 1] - offsets[v])
                    if count > 0 { out.append((Int64(v), count)) }
                }
            }
            return out
        }
        let step = filter(asOf: date, nodes: nodes)
        try adjacency.neighbor.withUnsafeBufferPointer { neighbor in
        try adjacency.from.withUnsafeBufferPointer { from in
        try adjacency.to.withUnsafeBufferPointer { to in
            for v in 0..<nodeLimit {
                let slots = adjacency.slots(of: Int32(v))
                budget -= slots.count + 1
                if budget <= 0 { budget = 4096; try check() }
                guard !slots.isEmpty else { continue }
                if let admits = step.admits, !admits(Int64(v)) { continue }
                var count = 0
                for slot in slots where step.edge(from[slot], to[slot]) {
                    if let admits = step.admits, !admits(Int64(neighbor[slot])) { continue }
                    count += 1
                }
                if count > 0 { out.append((Int64(v), count)) }
            }
        }}}
        return out
    }
}
