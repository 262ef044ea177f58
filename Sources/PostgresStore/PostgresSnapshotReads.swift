import GRDB
import GraphStore
import LexgraphCore

/// The snapshot reads of `citator()` (GraphAlgorithms' `loadCitatorNeighborhood`) and of
/// walks (`GraphSnapshot.load`, the whole graph) in PostgreSQL: `GraphReads`' statements for SQLite, with the id lists bound as one array
/// each (`= ANY($n)`) instead of chunks of placeholders. A `treatment` counts only when
/// it is a JSON string, as SQLite's `json_extract` read through `String` has it.
extension PostgresGraphStore {
    static let treatmentColumn = "CASE WHEN jsonb_typeof(props->'treatment') = 'string' THEN props->>'treatment' END"

    public func nodeID(key: String) throws -> Int64? {
        try values("SELECT id FROM node WHERE key = $1", [key.databaseValue]).first.flatMap { Int64.fromDatabaseValue($0) }
    }

    public func snapshotNodes(ids: [Int64]?) throws -> [GraphReads.SnapshotNodeRow] {
        if ids?.isEmpty == true { return [] }
        let found = try ids.map { try rows("SELECT id, key, type, valid_from, valid_to FROM node WHERE id = ANY($1::bigint[])", arguments: [Self.idArray($0)]) }
            ?? rows("SELECT id, key, type, valid_from, valid_to FROM node", arguments: [])
        return found.map { r in
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

    /// As `GraphStore.dataHorizon`: per edge type one read down `edge_dated_by_type`,
    /// dates compared as text in code point order (ISO dates), as SQLite compares them.
    public func dataHorizon(edgeTypes: [String], touching nodeTypes: Set<String>?) throws -> DataHorizon {
        var found: [String: LegalDate] = [:]
        for type in Set(edgeTypes).sorted() {
            let text: String?
            if let nodeTypes {
                text = try values("""
                    SELECT e.valid_from FROM edge e JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst
                    WHERE e.type = $1 AND e.valid_from IS NOT NULL AND (s.type = ANY($2::text[]) OR d.type = ANY($2::text[]))
                    ORDER BY e.valid_from COLLATE "C" DESC LIMIT 1
                    """, [type.databaseValue, Self.textArray(nodeTypes.sorted())]).first.flatMap { String.fromDatabaseValue($0) }
            } else {
                text = try values("SELECT max(valid_from COLLATE \"C\") FROM edge WHERE type = $1 AND valid_from IS NOT NULL", [type.databaseValue])
                    .first.flatMap { String.fromDatabaseValue($0) }
            }
            guard let text else { continue }
            guard let date = LegalDate(iso: text) else {
                throw GraphStoreError(message: "an edge of type \(type) on \(location) has valid_from '\(text)', which is not a YYYY-MM-DD date")
            }
            found[type] = date
        }
        return DataHorizon(byEdgeType: found)
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
