/// Compressed sparse rows of one edge direction: the slots of node `v` are
/// `offsets[v]..<offsets[v+1]`, and each slot repeats what a walk tests on the edge
/// (type, validity) next to the neighbor, so a walk reads one contiguous run per node.
struct Adjacency: Sendable {
    let offsets: [Int32]
    let neighbor: [Int32]
    let edge: [Int32]
    let type: [Int32]
    let from: [Int32]
    let to: [Int32]

    /// Groups edges by `owner` (stable: edges keep their given order within a node).
    /// `keep`, when given, drops the edges it marks false.
    init(nodeCount: Int, owner: [Int32], neighbor: [Int32], type: [Int32], from: [Int32], to: [Int32], keep: [Bool]? = nil) {
        var counts = [Int32](repeating: 0, count: nodeCount + 1)
        for e in owner.indices where keep?[e] ?? true { counts[Int(owner[e]) + 1] += 1 }
        for v in 0..<nodeCount { counts[v + 1] += counts[v] }
        let total = Int(counts[nodeCount])
        var cursor = counts
        var slotNeighbor = [Int32](repeating: 0, count: total), slotEdge = [Int32](repeating: 0, count: total)
        var slotType = [Int32](repeating: 0, count: total)
        var slotFrom = [Int32](repeating: 0, count: total), slotTo = [Int32](repeating: 0, count: total)
        for e in owner.indices where keep?[e] ?? true {
            let o = Int(owner[e])
            let s = Int(cursor[o])
            cursor[o] += 1
            slotNeighbor[s] = neighbor[e]
            slotEdge[s] = Int32(e)
            slotType[s] = type[e]
            slotFrom[s] = from[e]
            slotTo[s] = to[e]
        }
        self.offsets = counts
        self.neighbor = slotNeighbor
        self.edge = slotEdge
        self.type = slotType
        self.from = slotFrom
        self.to = slotTo
    }

    @inline(__always)
    func slots(of node: Int32) -> Range<Int> {
        Int(offsets[Int(node)])..<Int(offsets[Int(node) + 1])
    }
}
