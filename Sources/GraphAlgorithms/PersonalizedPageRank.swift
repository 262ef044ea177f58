/// A walk's PageRank subgraph with local indices 0..<m: the steps a rule allows between
/// the member nodes, as compressed rows (row `i` = where node `i` can step to).
struct LocalGraph {
    /// Global node index of each local node.
    let members: [Int32]
    let offsets: [Int32]
    let targets: [Int32]

    /// Collects the steps `rule` allows from each member to another member. `localIndex`
    /// maps a global node to its local index or -1, and is left all -1 again.
    init(members: [Int32], snapshot: GraphSnapshot, rule: TraversalRule, localIndex: inout [Int32]) {
        for (i, node) in members.enumerated() { localIndex[Int(node)] = Int32(i) }
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(members.count + 1)
        var targets: [Int32] = []
        for node in members {
            snapshot.forEachStep(from: node, rule) { neighbor, _, _ in
                let local = localIndex[Int(neighbor)]
                if local >= 0 { targets.append(local) }
            }
            offsets.append(Int32(targets.count))
        }
        for node in members { localIndex[Int(node)] = -1 }
        self.members = members
        self.offsets = offsets
        self.targets = targets
    }
}

/// Personalized PageRank by power iteration on a `LocalGraph`: `x <- (1-r)(x P + d p)
/// + r p`, where `P` is the row-normalised step matrix, `d` the mass on nodes without
/// steps and `p` the restart distribution. Same fixpoint as networkx `pagerank` with
/// `alpha = 1-r`, `personalization = p` and dangling mass sent to `p`.
enum PersonalizedPageRank {
    /// Scores (summing to 1) per local node and the number of iterations run.
    static func run(on graph: LocalGraph, restart: [Double], options: PageRankOptions) -> (scores: [Double], iterations: Int) {
        let m = graph.members.count
        let r = options.restartProbability, follow = 1 - r
        var x = restart
        var next = [Double](repeating: 0, count: m)
        var iterations = 0
        graph.offsets.withUnsafeBufferPointer { offsets in
        graph.targets.withUnsafeBufferPointer { targets in
        restart.withUnsafeBufferPointer { p in
            while iterations < options.maxIterations {
                iterations += 1
                var dangling = 0.0
                next.withUnsafeMutableBufferPointer { next in
                    for i in 0..<m { next[i] = 0 }
                    x.withUnsafeBufferPointer { x in
                        for i in 0..<m {
                            let start = Int(offsets[i]), end = Int(offsets[i + 1])
                            if start == end {
                                dangling += x[i]
                                continue
                            }
                            let share = x[i] / Double(end - start)
                            for s in start..<end { next[Int(targets[s])] += share }
                        }
                    }
                }
                let jump = follow * dangling + r
                var change = 0.0
                for i in 0..<m {
                    let value = follow * next[i] + jump * p[i]
                    change += abs(value - x[i])
                    x[i] = value
                }
                if change < options.tolerance { break }
            }
        }}}
        return (x, iterations)
    }
}
