/// What one traversal may step along, resolved to snapshot indices once per walk so the
/// inner loops test integers only.
struct TraversalRule {
    let window: TimeWindow
    /// Per edge type index: may be followed.
    let edgeTypes: [Bool]
    let followOut: Bool
    let followIn: Bool
    /// Neither enter nor pass overruled nodes (seeds excepted).
    let skipOverruled: Bool
    /// Per treatment index: edges with this treatment are not followed (empty: none).
    var blockedTreatments: [Bool] = []
    /// Do not follow `u -> v` when `u` itself overrules `v` (the citator: the case that
    /// overruled an authority does not rely on it, even where it also cites it).
    var ignoreEdgesOfOverruler = false

    init(window: TimeWindow, edgeTypes: [Bool], direction: WalkDirection, skipOverruled: Bool) {
        self.window = window
        self.edgeTypes = edgeTypes
        self.followOut = direction != .in
        self.followIn = direction != .out
        self.skipOverruled = skipOverruled
    }
}

/// A step a traversal took: the edge and whether it was followed along (`out`) or
/// against (`in`) its direction.
struct StepRecord {
    var edge: Int32
    var alongEdge: Bool
}

extension GraphSnapshot {
    /// Calls `body(neighbor, edge, alongEdge)` for every step `rule` allows from `node`,
    /// out-edges first, each list in edge order. Whether the neighbor may be entered is
    /// the caller's business (`admits`).
    @inline(__always)
    func forEachStep(from node: Int32, _ rule: TraversalRule, _ body: (Int32, Int32, Bool) -> Void) {
        if rule.followOut { forEachStep(in: outgoing, from: node, along: true, rule, body) }
        if rule.followIn { forEachStep(in: incoming, from: node, along: false, rule, body) }
    }

    @inline(__always)
    private func forEachStep(in adjacency: Adjacency, from node: Int32, along: Bool, _ rule: TraversalRule,
                             _ body: (Int32, Int32, Bool) -> Void) {
        adjacency.neighbor.withUnsafeBufferPointer { neighbor in
        adjacency.type.withUnsafeBufferPointer { type in
        adjacency.from.withUnsafeBufferPointer { from in
        adjacency.to.withUnsafeBufferPointer { to in
            for slot in adjacency.slots(of: node) {
                guard rule.edgeTypes[Int(type[slot])], rule.window.contains(from: from[slot], to: to[slot]) else { continue }
                let edge = adjacency.edge[slot]
                if !rule.blockedTreatments.isEmpty {
                    let t = edgeTreatment[Int(edge)]
                    if t >= 0 && rule.blockedTreatments[Int(t)] { continue }
                }
                if rule.ignoreEdgesOfOverruler {
                    let (source, target) = along ? (node, neighbor[slot]) : (neighbor[slot], node)
                    if overrulingEdges(of: target, in: rule.window).contains(where: { edgeSource[Int($0)] == source }) { continue }
                }
                body(neighbor[slot], edge, along)
            }
        }}}}
    }

    /// Whether a walk under `rule` may enter `node`.
    @inline(__always)
    func admits(_ node: Int32, _ rule: TraversalRule) -> Bool {
        isValid(node: node, in: rule.window) && !(rule.skipOverruled && isOverruled(node, in: rule.window))
    }
}

/// The outcome of a breadth-first search: reached nodes in discovery order with hop
/// distance and the step that first reached each (one shortest path per node).
struct Reach {
    /// Reached nodes, seeds first, in BFS order.
    var order: [Int32] = []
    /// Per node: hops from the nearest seed; -1 not reached; -2 seen but not admitted.
    var distance: [Int32]
    /// Per node: the step that reached it (meaningful where distance > 0).
    var parent: [StepRecord]

    init(nodeCount: Int) {
        distance = [Int32](repeating: -1, count: nodeCount)
        parent = [StepRecord](repeating: StepRecord(edge: -1, alongEdge: true), count: nodeCount)
    }
}

extension GraphSnapshot {
    /// Multi-source BFS to `depth` hops. Seeds are taken as they are (the caller checks
    /// them); ties between equally short paths go to the first discovered: seeds in
    /// order, then each node's out-edges before in-edges, in edge order.
    func breadthFirst(from seeds: [Int32], depth: Int, _ rule: TraversalRule) -> Reach {
        var reach = Reach(nodeCount: nodeCount)
        for seed in seeds where reach.distance[Int(seed)] < 0 {
            reach.distance[Int(seed)] = 0
            reach.order.append(seed)
        }
        var head = 0
        while head < reach.order.count {
            let node = reach.order[head]
            head += 1
            let d = reach.distance[Int(node)]
            if d >= depth { continue }
            forEachStep(from: node, rule) { neighbor, edge, along in
                guard reach.distance[Int(neighbor)] == -1 else { return }
                guard admits(neighbor, rule) else {
                    reach.distance[Int(neighbor)] = -2
                    return
                }
                reach.distance[Int(neighbor)] = d + 1
                reach.parent[Int(neighbor)] = StepRecord(edge: edge, alongEdge: along)
                reach.order.append(neighbor)
            }
        }
        return reach
    }

    /// The explaining path to `node`: its seed and the steps from it.
    func path(to node: Int32, in reach: Reach) -> (seed: Int32, steps: [PathStep]) {
        var steps: [PathStep] = []
        var current = node
        while reach.distance[Int(current)] > 0 {
            let step = reach.parent[Int(current)]
            let e = Int(step.edge)
            steps.append(PathStep(edgeType: edgeTypeNames[Int(edgeType[e])], direction: step.alongEdge ? .out : .in,
                                  nodeKey: keys[Int(current)], treatment: treatment(ofEdge: step.edge),
                                  edgeValidFrom: DayNumber.date(edgeFrom[e])))
            current = step.alongEdge ? edgeSource[e] : edgeTarget[e]
        }
        return (current, steps.reversed())
    }
}
