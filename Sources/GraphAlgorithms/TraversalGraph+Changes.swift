import Foundation
import GRDB
import GraphStore

/// A traversal graph brought forward by the rows some commits changed
/// (`GraphChangeLog.Delta`), instead of read again from the whole edge table: the
/// changed edges are looked up by id, merged in id order with the unchanged ones taken
/// from the arrays, and the rows grouped again. The result has the same edges in the same
/// order as a full read; only the validity texts may keep ones no edge uses any more
/// (ranks stay in SQLite's order, so "valid on D" is unchanged).
extension TraversalGraph {
    /// The graph after the edges `changed` names took the state of `db`'s snapshot and
    /// the nodes `removed` were deleted (with their edges, whether or not the writer
    /// listed the cascade); nil when the node ids no longer fit direct indexing (as
    /// `read` would say).
    func applying(changed: Set<Int64>, removed: Set<Int64>, in db: Database) throws -> TraversalGraph? {
        let started = Date()
        let wanted = Set(types)
        var fresh: [(id: Int64, row: GraphReads.TraversalEdgeRow)] = []
        for (type, row) in try GraphReads.traversalEdges(db, ids: Array(changed)) where wanted.isEmpty || wanted.contains(type) {
            guard row.source >= 0, row.target >= 0, row.source <= TraversalGraph.maxNodeID, row.target <= TraversalGraph.maxNodeID else { return nil }
            fresh.append((row.id, row))
        }
        fresh.sort { $0.id < $1.id }

        // The validity order, extended by the texts the changed rows bring.
        var known = Set(validityTexts.map { String(decoding: $0, as: UTF8.self) })
        var added: [String] = []
        for (_, row) in fresh {
            for text in [row.validFrom, row.validTo].compactMap({ $0 }) where !known.contains(text) {
                known.insert(text)
                added.append(text)
            }
        }
        let order = added.isEmpty ? nil : ValidityOrder(Array(known))
        let texts = order?.sorted ?? validityTexts
        // Old rank to new rank (the identity without new texts).
        let remap: [Int32]? = order.map { order in
            validityTexts.map { order.rank(String(decoding: $0, as: UTF8.self)) }
        }
        func rank(_ old: Int32) -> Int32 {
            guard let remap, old != Int32.min, old != Int32.max else { return old }
            return remap[Int(old)]
        }
        let lookup = order ?? ValidityOrder(texts.map { String(decoding: $0, as: UTF8.self) })

        // Each kept edge's ends and validity, by edge index, from the outgoing rows.
        let count = edgeIDs.count
        var oldSource = [Int32](repeating: 0, count: count), oldTarget = oldSource
        var oldFrom = oldSource, oldTo = oldSource
        for v in 0..<Int32(outgoing.offsets.count - 1) {
            for slot in outgoing.slots(of: v) {
                let e = Int(outgoing.edge[slot])
                oldSource[e] = v
                oldTarget[e] = outgoing.neighbor[slot]
                oldFrom[e] = rank(outgoing.from[slot])
                oldTo[e] = rank(outgoing.to[slot])
            }
        }

        var ids: [Int64] = [], src: [Int32] = [], dst: [Int32] = [], from: [Int32] = [], to: [Int32] = []
        let capacity = count + fresh.count
        ids.reserveCapacity(capacity); src.reserveCapacity(capacity); dst.reserveCapacity(capacity)
        from.reserveCapacity(capacity); to.reserveCapacity(capacity)
        var j = 0
        func takeFresh() {
            let row = fresh[j].row
            ids.append(row.id)
            src.append(Int32(row.source))
            dst.append(Int32(row.target))
            from.append(row.validFrom.map(lookup.rank) ?? Int32.min)
            to.append(row.validTo.map(lookup.rank) ?? Int32.max)
            j += 1
        }
        for e in 0..<count {
            let id = edgeIDs[e]
            while j < fresh.count && fresh[j].id < id { takeFresh() }
            if changed.contains(id) { continue }
            if !removed.isEmpty && (removed.contains(Int64(oldSource[e])) || removed.contains(Int64(oldTarget[e]))) { continue }
            ids.append(id)
            src.append(oldSource[e])
            dst.append(oldTarget[e])
            from.append(oldFrom[e])
            to.append(oldTo[e])
        }
        while j < fresh.count { takeFresh() }

        var maxNode: Int32 = -1
        for e in ids.indices { maxNode = max(maxNode, src[e], dst[e]) }
        if Int64(maxNode) > Int64(16 * ids.count + 1_000_000) { return nil }
        let nodeCount = Int(maxNode) + 1
        let type = [Int32](repeating: 0, count: ids.count)
        return TraversalGraph(types: types,
                              outgoing: Adjacency(nodeCount: nodeCount, owner: src, neighbor: dst, type: type, from: from, to: to),
                              incoming: Adjacency(nodeCount: nodeCount, owner: dst, neighbor: src, type: type, from: from, to: to),
                              edgeIDs: ids, nodeLimit: nodeCount, validityTexts: texts, buildSeconds: Date().timeIntervalSince(started))
    }
}

extension NodeValidity {
    /// The validity after the nodes `changed` names took the state `rows` give (their
    /// (id, valid_from, valid_to) now; a node without a row is gone).
    func applying(changed: Set<Int64>, rows now: [(Int64, String?, String?)]) -> NodeValidity {
        let started = Date()
        var rows: [(Int64, String?, String?)] = []
        func text(_ rank: Int32?) -> String? { rank.map { String(decoding: texts[Int($0)], as: UTF8.self) } }
        for id in Set(from.keys).union(to.keys) where !changed.contains(id) {
            rows.append((id, text(from[id]), text(to[id])))
        }
        rows += now.filter { $0.1 != nil || $0.2 != nil }
        return NodeValidity(rows: rows, started: started)
    }
}
