import Foundation
import GRDB
import GraphStore

/// The edges of some relationship types as compressed sparse rows, both directions, for
/// the query engine's native variable-length operators (`TraversalGraph+Trails`): what
/// `MATCH (a)-[:CITES*1..3]->(b)` reads from SQLite's B-trees one seek per edge, here
/// one contiguous run per node.
///
/// Rows are indexed by node id itself (ids are SQLite rowids: dense in practice), and
/// validity is kept exactly as SQLite compares it: the distinct stored `valid_from` /
/// `valid_to` texts are sorted byte-wise (SQLite's BINARY collation) and each edge holds
/// their ranks, so "valid on D" is two integer tests against D's place in that order.
public struct TraversalGraph: Sendable {
    public let types: [String]
    /// Out-edges by source (`neighbor` = target) and in-edges by target.
    public let outgoing: Adjacency
    public let incoming: Adjacency
    /// Edge index (`Adjacency.edge`) to the edge's id.
    public let edgeIDs: [Int64]
    /// Node ids below this have rows; larger ids have no edge of these types.
    public let nodeLimit: Int
    let validityTexts: [[UInt8]]
    public let buildSeconds: Double

    public var edgeCount: Int { edgeIDs.count }
    /// Bytes held by the arrays.
    public var bytes: Int {
        outgoing.bytes + incoming.bytes + 8 * edgeIDs.count + validityTexts.reduce(0) { $0 + $1.count + 16 }
    }

    /// The largest node id a traversal graph indexes directly; a store with larger ids
    /// (or ids far sparser than its edges) is left to SQL.
    public static let maxNodeID: Int64 = 1 << 28

    /// Reads the edges of `types` (every edge when empty); nil when the node ids do not fit
    /// direct indexing (see `maxNodeID`).
    public static func read(_ db: Database, types: [String]) throws -> TraversalGraph? {
        let started = Date()
        var ids: [Int64] = [], src: [Int32] = [], dst: [Int32] = []
        var fromText: [String?] = [], toText: [String?] = []
        var maxNode: Int64 = -1
        var tooLarge = false
        try GraphReads.forEachTraversalEdge(db, types: types) { row in
            guard !tooLarge else { return }
            guard row.source >= 0, row.target >= 0, row.source <= maxNodeID, row.target <= maxNodeID else { tooLarge = true; return }
            ids.append(row.id)
            src.append(Int32(row.source))
            dst.append(Int32(row.target))
            fromText.append(row.validFrom)
            toText.append(row.validTo)
            maxNode = max(maxNode, row.source, row.target)
        }
        if tooLarge || maxNode > Int64(16 * ids.count + 1_000_000) { return nil }
        let texts = ValidityOrder(Array(Set(fromText.compactMap { $0 } + toText.compactMap { $0 })))
        let from = fromText.map { $0.map(texts.rank) ?? Int32.min }
        let to = toText.map { $0.map(texts.rank) ?? Int32.max }
        let nodeCount = Int(maxNode + 1)
        let type = [Int32](repeating: 0, count: ids.count)
        let outgoing = Adjacency(nodeCount: nodeCount, owner: src, neighbor: dst, type: type, from: from, to: to)
        let incoming = Adjacency(nodeCount: nodeCount, owner: dst, neighbor: src, type: type, from: from, to: to)
        return TraversalGraph(types: types, outgoing: outgoing, incoming: incoming, edgeIDs: ids, nodeLimit: nodeCount,
                              validityTexts: texts.sorted, buildSeconds: Date().timeIntervalSince(started))
    }

    /// The rank bound for "valid on `date`" (the rank of the last stored text <= `date`;
    /// -1 when none is), or nil for no date: every edge counts.
    func bound(asOf date: String?) -> Int32? {
        date.map { ValidityOrder.bound(validityTexts, $0) }
    }
}

/// Stored validity texts in SQLite's BINARY order, and the place of a date among them.
struct ValidityOrder {
    let sorted: [[UInt8]]
    private let index: [String: Int32]

    init(_ texts: [String]) {
        sorted = texts.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var index: [String: Int32] = [:]
        for (i, bytes) in sorted.enumerated() { index[String(decoding: bytes, as: UTF8.self)] = Int32(i) }
        self.index = index
    }

    func rank(_ text: String) -> Int32 { index[text]! }

    /// The index of the last element <= `date` byte-wise, -1 when every element is larger.
    static func bound(_ sorted: [[UInt8]], _ date: String) -> Int32 {
        let key = Array(date.utf8)
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if key.lexicographicallyPrecedes(sorted[mid]) { high = mid } else { low = mid + 1 }
        }
        return Int32(low - 1)
    }
}

/// The validity of the nodes that have one (the others are valid on every date), for
/// AS OF traversals: a step may only enter a node valid on the date, as in SQL.
public struct NodeValidity: Sendable {
    let from: [Int64: Int32]
    let to: [Int64: Int32]
    let texts: [[UInt8]]
    public let buildSeconds: Double

    public var bytes: Int { 24 * (from.count + to.count) + texts.reduce(0) { $0 + $1.count + 16 } }

    public static func read(_ db: Database) throws -> NodeValidity {
        let started = Date()
        var rows: [(Int64, String?, String?)] = []
        try GraphReads.forEachDatedNode(db) { rows.append(($0, $1, $2)) }
        return NodeValidity(rows: rows, started: started)
    }

    /// The nodes valid on `date`, as a test on node ids.
    func admits(asOf date: String) -> (Int64) -> Bool {
        if from.isEmpty && to.isEmpty { return { _ in true } }
        let bound = ValidityOrder.bound(texts, date)
        let from = self.from, to = self.to
        return { id in (from[id] ?? Int32.min) <= bound && (to[id] ?? Int32.max) > bound }
    }
}

extension NodeValidity {
    /// From (id, valid_from, valid_to) rows as stored.
    init(rows: [(Int64, String?, String?)], started: Date) {
        let order = ValidityOrder(Array(Set(rows.flatMap { [$0.1, $0.2].compactMap { $0 } })))
        var from: [Int64: Int32] = [:], to: [Int64: Int32] = [:]
        for (id, f, t) in rows {
            if let f { from[id] = order.rank(f) }
            if let t { to[id] = order.rank(t) }
        }
        self.init(from: from, to: to, texts: order.sorted, buildSeconds: Date().timeIntervalSince(started))
    }
}
