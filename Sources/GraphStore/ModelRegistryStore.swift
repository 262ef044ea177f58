import GRDB

/// One registered model version as the database keeps it: a run folder under a model
/// name, numbered per name from 1, with what identifies its training (`dataFingerprint`),
/// its configuration and metrics (JSON text, as read from the run) and its report.
/// The Server module reads run folders and decides what goes here; this type only keeps it.
public struct StoredModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int
    /// `sequence-classifier` or `case-outcome`.
    public var kind: String
    public var runPath: String
    public var dataFingerprint: String
    public var configJSON: String
    public var metricsJSON: String
    public var reportPath: String?
    /// ISO 8601 (UTC).
    public var createdAt: String

    public init(name: String, version: Int, kind: String, runPath: String, dataFingerprint: String, configJSON: String,
                metricsJSON: String, reportPath: String?, createdAt: String) {
        self.name = name; self.version = version; self.kind = kind; self.runPath = runPath
        self.dataFingerprint = dataFingerprint; self.configJSON = configJSON; self.metricsJSON = metricsJSON
        self.reportPath = reportPath; self.createdAt = createdAt
    }

    init(row: Row) {
        self.init(name: row["name"], version: row["version"], kind: row["kind"], runPath: row["run_path"],
                  dataFingerprint: row["data_fingerprint"], configJSON: row["config"], metricsJSON: row["metrics"],
                  reportPath: row["report_path"], createdAt: row["created_at"])
    }
}

/// One step in an alias's history: `alias` of model `name` pointed at `version` from
/// `setAt`, until a rollback undid it (`rolledBackAt`). The alias points at its newest
/// step not rolled back, so rollback returns to whatever it pointed at before.
public struct StoredModelAliasStep: Sendable, Equatable {
    public var seq: Int64
    public var name: String
    public var alias: String
    public var version: Int
    public var setAt: String
    public var rolledBackAt: String?

    init(row: Row) {
        seq = row["seq"]; name = row["name"]; alias = row["alias"]; version = row["version"]
        setAt = row["set_at"]; rolledBackAt = row["rolled_back_at"]
    }
}

/// The `model_version` and `model_alias_step` tables: the only SQL over them. Every write
/// is one transaction with its audit entry (`audit`), so a registration or a promotion is
/// recorded in the audit trail or not made at all.
extension GraphStore {
    static let modelRegistrySQL = """
        CREATE TABLE model_version (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            run_path TEXT NOT NULL,
            data_fingerprint TEXT NOT NULL,
            config TEXT NOT NULL,
            metrics TEXT NOT NULL,
            report_path TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE model_alias_step (
            seq INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            set_at TEXT NOT NULL,
            rolled_back_at TEXT,
            FOREIGN KEY (name, version) REFERENCES model_version(name, version)
        );
        CREATE INDEX model_alias_step_by_alias ON model_alias_step(name, alias, seq);
        """

    /// Stores `version` (its `version` number is ignored: it gets the name's next one) and,
    /// with `alias`, points that alias at it; returns the stored row.
    public func registerModelVersion(_ model: StoredModelVersion, alias: String? = nil, audit: AuditHook? = nil) throws -> StoredModelVersion {
        try requireWritable()
        return try database.write { db in
            var stored = model
            stored.version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_version WHERE name = ?", arguments: [model.name]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO model_version(name, version, kind, run_path, data_fingerprint, config, metrics, report_path, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [stored.name, stored.version, stored.kind, stored.runPath, stored.dataFingerprint, stored.configJSON,
                                 stored.metricsJSON, stored.reportPath, stored.createdAt])
            if let alias {
                try db.execute(sql: "INSERT INTO model_alias_step(name, alias, version, set_at) VALUES (?, ?, ?, ?)",
                               arguments: [stored.name, alias, stored.version, stored.createdAt])
            }
            try audit?(db, "ok: \(stored.name) version \(stored.version) (\(stored.kind), fingerprint \(stored.dataFingerprint))"
                           + (alias.map { ", alias \($0)" } ?? ""))
            return stored
        }
    }

    /// Points `alias` of `name` at `version` (an existing version, other than the one it
    /// points at now); returns the version it pointed at before, if any.
    public func setModelAlias(name: String, alias: String, version: Int, at time: String, audit: AuditHook? = nil) throws -> Int? {
        try requireWritable()
        return try database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM model_version WHERE name = ? AND version = ?)",
                                    arguments: [name, version]) == true else {
                throw GraphStoreError(message: try Self.noSuchVersion(db, name: name, version: version))
            }
            let before = try Self.currentAliasStep(db, name: name, alias: alias)?.version
            if before == version {
                throw GraphStoreError(message: "\(name)'s alias \(alias) already points at version \(version)")
            }
            try db.execute(sql: "INSERT INTO model_alias_step(name, alias, version, set_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, alias, version, time])
            try audit?(db, "ok: \(name) \(alias) -> version \(version)" + (before.map { " (was version \($0))" } ?? ""))
            return before
        }
    }

    /// Undoes the newest step of `alias`: it points again at the version it pointed at
    /// before. Returns (from, to). An alias with no earlier version is an error, and is
    /// left as it was.
    public func rollBackModelAlias(name: String, alias: String, at time: String, audit: AuditHook? = nil) throws -> (from: Int, to: Int) {
        try requireWritable()
        return try database.write { db in
            let steps = try Row.fetchAll(db, sql: """
                SELECT * FROM model_alias_step WHERE name = ? AND alias = ? AND rolled_back_at IS NULL ORDER BY seq DESC LIMIT 2
                """, arguments: [name, alias]).map(StoredModelAliasStep.init(row:))
            guard let current = steps.first else {
                throw GraphStoreError(message: "model \(name) has no alias \(alias) to roll back" + (try Self.aliasList(db, name: name)))
            }
            guard steps.count == 2 else {
                throw GraphStoreError(message: "\(name)'s alias \(alias) points at version \(current.version), with no earlier version to roll back to")
            }
            try db.execute(sql: "UPDATE model_alias_step SET rolled_back_at = ? WHERE seq = ?", arguments: [time, current.seq])
            try audit?(db, "ok: \(name) \(alias) -> version \(steps[1].version) (rolled back from version \(current.version))")
            return (current.version, steps[1].version)
        }
    }

    /// Every version, by name then version.
    public func modelVersions(name: String? = nil) throws -> [StoredModelVersion] {
        try read { db in
            if let name {
                return try Row.fetchAll(db, sql: "SELECT * FROM model_version WHERE name = ? ORDER BY version", arguments: [name]).map(StoredModelVersion.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM model_version ORDER BY name, version").map(StoredModelVersion.init(row:))
        }
    }

    /// One version, or nil.
    public func modelVersion(name: String, version: Int) throws -> StoredModelVersion? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM model_version WHERE name = ? AND version = ?", arguments: [name, version])
                .map(StoredModelVersion.init(row:))
        }
    }

    /// The version `alias` of `name` points at now, or nil when it points nowhere.
    public func modelAlias(name: String, alias: String) throws -> Int? {
        try read { db in try Self.currentAliasStep(db, name: name, alias: alias)?.version }
    }

    /// Where each alias of `name` (every name when nil) points now: (name, alias, version).
    public func modelAliases(name: String? = nil) throws -> [(name: String, alias: String, version: Int)] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.name, s.alias, s.version FROM model_alias_step s
                WHERE s.rolled_back_at IS NULL AND (?1 IS NULL OR s.name = ?1)
                  AND s.seq = (SELECT MAX(t.seq) FROM model_alias_step t
                               WHERE t.name = s.name AND t.alias = s.alias AND t.rolled_back_at IS NULL)
                ORDER BY s.name, s.alias
                """, arguments: [name])
            return rows.map { row -> (name: String, alias: String, version: Int) in (name: row["name"], alias: row["alias"], version: row["version"]) }
        }
    }

    /// Every step of every alias of `name`, oldest first (rolled-back ones included).
    public func modelAliasHistory(name: String) throws -> [StoredModelAliasStep] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM model_alias_step WHERE name = ? ORDER BY seq", arguments: [name]).map(StoredModelAliasStep.init(row:))
        }
    }

    static func currentAliasStep(_ db: Database, name: String, alias: String) throws -> StoredModelAliasStep? {
        try Row.fetchOne(db, sql: """
            SELECT * FROM model_alias_step WHERE name = ? AND alias = ? AND rolled_back_at IS NULL ORDER BY seq DESC LIMIT 1
            """, arguments: [name, alias]).map(StoredModelAliasStep.init(row:))
    }

    static func noSuchVersion(_ db: Database, name: String, version: Int) throws -> String {
        let versions = try Int.fetchAll(db, sql: "SELECT version FROM model_version WHERE name = ? ORDER BY version", arguments: [name])
        if versions.isEmpty { return "no model named \(name) is registered (`lexgraph model list` shows them)" }
        return "model \(name) has no version \(version) (versions: \(versions.map(String.init).joined(separator: ", ")))"
    }

    static func aliasList(_ db: Database, name: String) throws -> String {
        let aliases = try String.fetchAll(db, sql: "SELECT DISTINCT alias FROM model_alias_step WHERE name = ? ORDER BY alias", arguments: [name])
        return aliases.isEmpty ? "" : " (its aliases: \(aliases.joined(separator: ", ")))"
    }
}
