import GRDB
import GraphStore

/// Whether a relationship type is common enough that SQLite should not enter a pattern
/// through the type index.
///
/// An unanchored `(a)-[:CITES]->(b)` read through `edge_by_type` fetches every CITES row
/// from the table by rowid (218k random lookups on the SCOTUS graph: 126 ms for the
/// top-10 in-degree query), while scanning the covering direction index `edge_in` reads
/// every edge's (dst, type, src) in order (36 ms, and GROUP BY dst needs no temp B-tree).
/// Per matching edge the lookup costs about 6x an index entry, so the scan wins once a
/// type holds more than about a sixth of all edges; for a rare type (OVERRULES: 256
/// edges) the type index stays far better. Without table statistics (`ANALYZE` was
/// rejected: it made SQLite plan the recursive CTEs badly) SQLite cannot tell the two
/// apart, so the planner asks here and writes `+e.type` for a common type.
///
/// The count reads at most a sixth of the edges' type-index entries (`LIMIT`), inside the
/// query's transaction, once per type list and query.
final class EdgeTypeFrequency {
    /// The share of all edges above which a type counts as common.
    static let commonShare = 1.0 / 6.0

    private let graph: GraphAccess
    private var known: [[String]: Bool] = [:]
    private var threshold: Int?

    init(graph: GraphAccess) { self.graph = graph }

    /// True when the edges of `types` together make up more than `commonShare` of all edges.
    func isCommon(_ types: [String]) throws -> Bool {
        if let answer = known[types] { return answer }
        let limit = try edgeThreshold()
        let count = try graph.edgeCount(types: types, upTo: limit)
        let answer = limit > 0 && count >= limit
        known[types] = answer
        return answer
    }

    /// `commonShare` of the number of edges (the largest edge id bounds that count from
    /// above and costs one index probe; deletions only make types look rarer).
    private func edgeThreshold() throws -> Int {
        if let threshold { return threshold }
        let edges = try graph.maxEdgeID()
        let value = Int((Double(edges) * EdgeTypeFrequency.commonShare).rounded(.up))
        threshold = value
        return value
    }
}
