import GRDB

/// One arrived outcome of a case that a registered model version predicted: the case as
/// it was sent (`caseJSON`, the pending-case fields only), what the version said
/// (`probability` that the first party wins) and what happened (`firstPartyWon`).
/// `caseKey` names the case (`usid 2013-05`, `docket 12-1182`, ...); a version has at
/// most one outcome per case. `seq` orders outcomes by arrival.
public struct StoredModelOutcome: Sendable, Equatable {
    public var seq: Int64
    public var name: String
    public var version: Int
    public var caseKey: String
    public var caseJSON: String
    public var probability: Double
    public var firstPartyWon: Bool
    /// ISO 8601 (UTC).
    public var recordedAt: String
    /// Where it came from (the outcomes file, or the route).
    public var source: String

    public init(seq: Int64 = 0, name: String, version: Int, caseKey: String, caseJSON: String, probability: Double,
                firstPartyWon: Bool, recordedAt: String, source: String) {
        self.seq = seq; self.name = name; self.version = version; self.caseKey = caseKey; self.caseJSON = caseJSON
        self.probability = probability; self.firstPartyWon = firstPartyWon; self.recordedAt = recordedAt; self.source = source
    }

    init(row: Row) {
        self.init(seq: row["seq"], name: row["name"], version: row["version"], caseKey: row["case_key"], caseJSON: row["case_json"],
                  probability: row["probability"], firstPartyWon: row["first_party_won"], recordedAt: row["recorded_at"], source: row["source"])
    }
}

/// The `model_outcome` table, beside the registry's (`ModelRegistryStore`): the only SQL
/// over it. A batch of outcomes is recorded in one transaction with its audit entry, all
/// or none.
extension GraphStore {
    static let modelOutcomeSQL = """
        CREATE TABLE model_outcome (
            seq INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            case_key TEXT NOT NULL,
            case_json TEXT NOT NULL,
            probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
            first_party_won INTEGER NOT NULL CHECK (first_party_won IN (0, 1)),
            recorded_at TEXT NOT NULL,
            source TEXT NOT NULL,
            UNIQUE (name, version, case_key),
            FOREIGN KEY (name, version) REFERENCES model_version(name, version)
        );
        """

    /// Records `outcomes` (their `seq` is ignored) in one transaction. A case that already
    /// has an outcome for its version, or a version not registered, refuses the whole batch.
    public func recordModelOutcomes(_ outcomes: [StoredModelOutcome], audit: AuditHook? = nil) throws {
        try requireWritable()
        try database.write { db in
            for o in outcomes {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM model_version WHERE name = ? AND version = ?)",
                                        arguments: [o.name, o.version]) == true else {
                    throw GraphStoreError(message: try Self.noSuchVersion(db, name: o.name, version: o.version))
                }
                if let earlier = try Row.fetchOne(db, sql: "SELECT recorded_at, source FROM model_outcome WHERE name = ? AND version = ? AND case_key = ?",
                                                  arguments: [o.name, o.version, o.caseKey]) {
                    throw GraphStoreError(message: "case \(o.caseKey) already has an outcome for \(o.name) version \(o.version) "
                                          + "(recorded \(earlier["recorded_at"] as String) from \(earlier["source"] as String))")
                }
                try db.execute(sql: """
                    INSERT INTO model_outcome(name, version, case_key, case_json, probability, first_party_won, recorded_at, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [o.name, o.version, o.caseKey, o.caseJSON, o.probability, o.firstPartyWon, o.recordedAt, o.source])
            }
            let versions = Set(outcomes.map { "\($0.name) version \($0.version)" }).sorted().joined(separator: ", ")
            try audit?(db, "ok: \(outcomes.count) outcome\(outcomes.count == 1 ? "" : "s") for \(versions)")
        }
    }

    /// The outcomes of `name` (of one `version` when given), in arrival order.
    public func modelOutcomes(name: String, version: Int? = nil) throws -> [StoredModelOutcome] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM model_outcome WHERE name = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY seq
                """, arguments: [name, version]).map(StoredModelOutcome.init(row:))
        }
    }
}
