import GRDB
import GraphStore

/// The snapshot reads of `citator()` (GraphAlgorithms' `loadCitatorNeighborhood`) in
/// PostgreSQL: `GraphReads`' statements for SQLite, with the id lists bound as one array
/// each (`= ANY($n)`) instead of chunks of placeholders. A `treatment` counts only when
/// it is a JSON string, as SQLite's `json_extract` read through `String` has it.
extension PostgresGraphStore {
    static let treatmentColumn = "CASE WHEN jsonb_typeof(props->'treatment') = 'string' THEN props->>'treatment' END"

    public func nodeID(key: String) throws -> Int64? {
        try values("SELECT id FROM node WHERE key = $1", [key.databaseValue]).first.flatMap { Int64.fromDatabaseValue($0) }
    }

    public func snapshotNodes(ids: [Int64]) throws -> [GraphReads.SnapshotNodeRow] {
        if ids.isEmpty { return [] }
        return try rows("SELECT id, key, type, valid_from, valid_to FROM node WHERE id = ANY($1::bigint[])", arguments: [Self.idArray(ids)]).map { r in
            GraphReads.SnapshotNodeRow(id: Int64.fromDatabaseValue(r[0]) ?? 0, key: String.fromDatabaseValue(r[1]) ?? "", type: String.fromDatabaseValue(r[2]) ?? "",
                                       validFrom: String.fromDatabaseValue(r[3]), validTo: String.fromDatabaseValue(r[4]))
        }
    }

    public func snapshotEdges(_ selection: GraphReads.EdgeSelection) throws -> [GraphReads.SnapshotEdgeRow] {
        let condition: String
        var arguments: [DatabaseValue]
        switch selection {
        case .all:
            condition = "true"
            arguments = []
        case .into(let targets, let types, let treated):
            if targets.isEmpty { return [] }
            arguments = [Self.idArray(targets), Self.textArray(types)]
            var typeTest = "type = ANY($2::text[])"
            if let treated {
                typeTest = "(\(typeTest) OR (type = $3 AND \(Self.treatmentColumn) = $4))"
                arguments += [treated.type.databaseValue, treated.treatment.databaseValue]
            }
            condition = "dst = ANY($1::bigint[]) AND \(typeTest)"
        case .outOf(let sources, let types):
            if sources.isEmpty { return [] }
            arguments = [Self.idArray(sources), Self.textArray(types)]
            condition = "src = ANY($1::bigint[]) AND type = ANY($2::text[])"
        }
        return try rows("SELECT id, type, src, dst, valid_from, valid_to, \(Self.treatmentColumn) FROM edge WHERE \(condition)", arguments: arguments).map { r in
            GraphReads.SnapshotEdgeRow(id: Int64.fromDatabaseValue(r[0]) ?? 0, type: String.fromDatabaseValue(r[1]) ?? "",
                                       source: Int64.fromDatabaseValue(r[2]) ?? 0, target: Int64.fromDatabaseValue(r[3]) ?? 0,
                                       validFrom: String.fromDatabaseValue(r[4]), validTo: String.fromDatabaseValue(r[5]),
                                       treatment: String.fromDatabaseValue(r[6]))
        }
    }

    /// An id list as one PostgreSQL array literal (`{1,2,3}`), bound as text and cast.
    static func idArray(_ ids: [Int64]) -> DatabaseValue {
        ("{" + ids.map(String.init).joined(separator: ",") + "}").databaseValue
    }

    /// Text values as one array literal, each quoted (`{"a","b"}`).
    static func textArray(_ items: [String]) -> DatabaseValue {
        ("{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}").databaseValue
    }
}
