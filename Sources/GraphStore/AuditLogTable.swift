import GRDB

/// The audit trail's table and every statement over it. One row per audited event:
/// who (`principal`), what (`action`, e.g. `ontology.apply`), on what (`subject`: a
/// file, a recipe, a vault path, never masked data), how it ended (`outcome`), when
/// (`at`, UTC ISO 8601), and the chain: `prev_hash` is the previous entry's `hash`,
/// `hash` covers this entry's fields and `prev_hash` (Compliance's `AuditChain`
/// computes and checks it). Triggers refuse UPDATE and DELETE, so changing history
/// takes a deliberate schema change, which the chain then exposes.
public enum AuditLogTable {
    public struct Row: Sendable, Equatable {
        public var seq: Int64
        public var at: String
        public var principal: String
        public var action: String
        public var subject: String
        public var outcome: String
        public var prevHash: String
        public var hash: String

        public init(seq: Int64, at: String, principal: String, action: String, subject: String, outcome: String, prevHash: String, hash: String) {
            self.seq = seq
            self.at = at
            self.principal = principal
            self.action = action
            self.subject = subject
            self.outcome = outcome
            self.prevHash = prevHash
            self.hash = hash
        }

        init(row: GRDB.Row) {
            self.init(seq: row["seq"], at: row["at"], principal: row["principal"], action: row["action"],
                      subject: row["subject"], outcome: row["outcome"], prevHash: row["prev_hash"], hash: row["hash"])
        }
    }

    static let createSQL = """
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            principal TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            outcome TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_log_by_time ON audit_log(at);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """

    /// The newest entry, inside the caller's transaction (what the next entry chains to).
    public static func last(in db: Database) throws -> Row? {
        try GRDB.Row.fetchOne(db, sql: "SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1").map(Row.init(row:))
    }

    /// Appends `row` (its `seq` must be the next one) inside the caller's transaction.
    public static func insert(_ row: Row, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO audit_log(seq, at, principal, action, subject, outcome, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [row.seq, row.at, row.principal, row.action, row.subject, row.outcome, row.prevHash, row.hash])
    }

    /// Every entry in chain order (by `seq`).
    public static func all(in db: Database) throws -> [Row] {
        try GRDB.Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq").map(Row.init(row:))
    }

    /// Entries after number `seq`, in chain order (what a write added to a staging copy).
    public static func after(_ seq: Int64, in db: Database) throws -> [Row] {
        try GRDB.Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq", arguments: [seq]).map(Row.init(row:))
    }

    /// Entries at or after `since` (an ISO date or timestamp), in chain order.
    public static func since(_ since: String, in db: Database) throws -> [Row] {
        try GRDB.Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE at >= ? ORDER BY seq", arguments: [since]).map(Row.init(row:))
    }
}

/// What a write calls inside its transaction to record itself in the audit trail,
/// with a one-line outcome ("ok: 3 nodes inserted ..."); the CLI passes Compliance's
/// `AuditChain` append, the store knowing nothing of how entries are chained.
public typealias AuditHook = @Sendable (Database, String) throws -> Void

extension GraphStore {
    /// Runs `body` in one write transaction (an audit append outside a load or update).
    public func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try requireWritable()
        return try database.write(body)
    }
}
