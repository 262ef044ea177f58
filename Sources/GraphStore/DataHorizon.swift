import GRDB
import LexgraphCore

/// How far the graph's data reaches: per edge type, the latest `valid_from` of an edge
/// of that type. An answer "as of D" can only know what the graph holds, so every status,
/// context and walk answer says "with data to H", and a D after H is flagged: the SCOTUS
/// citations end in 2002 and the SCDB cases in the 2010s, so "good law as of today"
/// would otherwise claim twenty years nobody looked at.
public struct DataHorizon: Sendable, Equatable {
    /// Edge type -> the latest start date of such an edge. An edge type the answer used
    /// but the graph has no dated edge of is absent.
    public var byEdgeType: [String: LegalDate]

    public init(byEdgeType: [String: LegalDate]) {
        self.byEdgeType = byEdgeType
    }

    /// The latest date the graph knows anything about for these edge types (nil when it
    /// has no dated edge of any of them).
    public var latest: LegalDate? { byEdgeType.values.max() }

    /// Edge types whose data ends before `date`, with their horizon, by edge type: what
    /// an answer as of `date` cannot know about.
    public func endingBefore(_ date: LegalDate) -> [(edgeType: String, horizon: LegalDate)] {
        byEdgeType.filter { $0.value < date }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `CITES 2002-06-28, OVERRULES 2001-06-11`, by edge type.
    public var summary: String {
        byEdgeType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// `, with data to H` (the latest date), or `, with no dated data` when there is none.
    public var phrase: String { latest.map { ", with data to \($0)" } ?? ", with no dated data" }

    /// The line an answer as of `date` prints when the date lies past the data of some
    /// edge type it used, naming each; nil when the data covers the date.
    public func warning(asOf date: LegalDate) -> String? {
        let past = endingBefore(date)
        guard !past.isEmpty else { return nil }
        let list = past.map { "\($0.edgeType) to \($0.horizon)" }.joined(separator: ", ")
        return "note: \(date) is past the graph's data (\(list)); nothing after that is known, so the answer may be out of date"
    }

    /// `{"CITES": "2002-06-28", ...}` for JSON output.
    public var json: Value { .map(byEdgeType.mapValues { .string($0.iso) }) }
}

extension GraphStore {
    /// The data horizon of `edgeTypes`: for each, the latest `valid_from` of an edge of
    /// that type, counting only edges with an end of one of `nodeTypes` when given (a
    /// SCOTUS answer must not borrow the ECtHR graph's later CITES edges). Undated edges
    /// do not count. Each type is one backwards read of the `edge_dated_by_type` index,
    /// stopping at the first edge that touches a wanted node type.
    public func dataHorizon(edgeTypes: some Sequence<String>, touching nodeTypes: Set<String>? = nil) throws -> DataHorizon {
        try read { db in try GraphStore.dataHorizon(edgeTypes: edgeTypes, touching: nodeTypes, in: db) }
    }

    /// The same, inside a caller's read.
    public static func dataHorizon(edgeTypes: some Sequence<String>, touching nodeTypes: Set<String>?, in db: Database) throws -> DataHorizon {
        var found: [String: LegalDate] = [:]
        let types = nodeTypes.map { $0.sorted() } ?? []
        let marks = Array(repeating: "?", count: types.count).joined(separator: ",")
        // CROSS JOIN keeps the edge as the outer loop, so the scan runs down the index in
        // date order and stops at the first edge whose ends qualify.
        let sql = nodeTypes == nil
            ? "SELECT max(valid_from) FROM edge WHERE type = ? AND valid_from IS NOT NULL"
            : """
              SELECT e.valid_from FROM edge e CROSS JOIN node s ON s.id = e.src CROSS JOIN node d ON d.id = e.dst
              WHERE e.type = ? AND e.valid_from IS NOT NULL AND (s.type IN (\(marks)) OR d.type IN (\(marks)))
              ORDER BY e.valid_from DESC LIMIT 1
              """
        for type in Set(edgeTypes) {
            var arguments: [any DatabaseValueConvertible] = [type]
            arguments += types.map { $0 as any DatabaseValueConvertible }
            arguments += types.map { $0 as any DatabaseValueConvertible }
            guard let text = try String.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) else { continue }
            guard let date = LegalDate(iso: text) else {
                throw GraphStoreError(message: "an edge of type \(type) has valid_from '\(text)', which is not a YYYY-MM-DD date")
            }
            found[type] = date
        }
        return DataHorizon(byEdgeType: found)
    }
}
