/// Compressed sparse rows of one edge direction: the slots of node `v` are
/// `offsets[v]..<offsets[v+1]`, and each slot repeats what a walk tests on the edge
/// (type, validity) next to the neighbor, so a walk reads one contiguous run per node.
/// `from`/`to` are validity bounds in whatever order-preserving integer code the builder
/// chose: day numbers for `GraphSnapshot`, ranks of the stored text for `TraversalGraph`.
public struct Adjacency: Sendable {
    public let offsets: [Int32]
    public let neighbor: [Int32]
    public let edge: [Int32]
    public let type: [Int32]
    public let from: [Int32]
    public let to: [Int32]

    /// Groups edges by `owner` (stable: edges keep their given order within a node).
    /// `keep`, when given, drops the edges it marks false.
    public init(nodeCount: Int, owner: [Int32], neighbor: [Int32], type: [Int32], from: [Int32], to: [Int32], keep: [Bool]? = nil) {
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
    public func slots(of node: Int32) -> Range<Int> {
        Int(offsets[Int(node)])..<Int(offsets[Int(node) + 1])
    }

    /// Bytes held by the arrays.
    public var bytes: Int {
        4 * (offsets.count + neighbor.count + edge.count + type.count + from.count + to.count)
    }
}
