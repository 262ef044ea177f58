import Foundation
import GRDB

/// What the query engine's adjacency cache reads (`GraphAlgorithms.AdjacencyCache`):
/// the edges of some types with their validity, the nodes' validity, the changed rows a
/// writer's commit names (`GraphChangeLog`), and the graph generation that tells a
/// cached copy from the graph a transaction sees.
extension GraphReads {
    /// One edge as a traversal needs it; validity as stored (ISO text, nil = unbounded).
    public struct TraversalEdgeRow {
        public var id: Int64
        public var source: Int64
        public var target: Int64
        public var validFrom: String?
        public var validTo: String?
    }

    /// Every edge whose type is one of `types` (every edge when `types` is empty), in id order.
    public static func forEachTraversalEdge(_ db: Database, types: [String], _ body: (TraversalEdgeRow) throws -> Void) throws {
        let condition = types.isEmpty ? "1" : "type IN (\(placeholders(types.count)))"
        let rows = try Row.fetchCursor(db, sql: "SELECT id, src, dst, valid_from, valid_to FROM edge WHERE \(condition) ORDER BY id",
                                       arguments: StatementArguments(types))
        while let row = try rows.next() {
            try body(TraversalEdgeRow(id: row[0], source: row[1], target: row[2], validFrom: row[3], validTo: row[4]))
        }
    }

    /// Every node with a bounded validity: (id, valid_from, valid_to) as stored.
    public static func forEachDatedNode(_ db: Database, _ body: (Int64, String?, String?) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, valid_from, valid_to FROM node WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL")
        while let row = try rows.next() { try body(row[0], row[1], row[2]) }
    }

    /// The graph generation of the transaction's snapshot: `store_meta.lexgraph_generation`,
    /// bumped in the same transaction as every node or edge change a store's writer makes
    /// (`GraphChangeLog.installGenerationTriggers`), so equal values on any two
    /// connections, of this process or another, mean the same graph. 0 when no writer
    /// has bumped it yet (a database last written before the generation existed). Read
    /// again only after a commit (`StoreStamps`).
    public static func graphGeneration(_ db: Database) throws -> Int {
        try StoreStamps.shared.stamps(db).generation
    }

    /// The edges among `ids` as they are now, with their type (an id with no row was
    /// deleted).
    public static func traversalEdges(_ db: Database, ids: [Int64]) throws -> [(type: String, edge: TraversalEdgeRow)] {
        var out: [(type: String, edge: TraversalEdgeRow)] = []
        for chunk in chunks(ids) {
            let rows = try Row.fetchCursor(db, sql: "SELECT id, src, dst, valid_from, valid_to, type FROM edge WHERE id IN (\(placeholders(chunk.count)))",
                                           arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                let type: String = row[5]
                out.append((type, TraversalEdgeRow(id: row[0], source: row[1], target: row[2], validFrom: row[3], validTo: row[4])))
            }
        }
        return out
    }

    /// The nodes among `ids` that exist now: (id, valid_from, valid_to) as stored.
    public static func nodeValidity(_ db: Database, ids: [Int64]) throws -> [(Int64, String?, String?)] {
        var out: [(Int64, String?, String?)] = []
        for chunk in chunks(ids) {
            let rows = try Row.fetchCursor(db, sql: "SELECT id, valid_from, valid_to FROM node WHERE id IN (\(placeholders(chunk.count)))",
                                           arguments: StatementArguments(chunk))
            while let row = try rows.next() { out.append((row[0], row[1], row[2])) }
        }
        return out
    }
}
