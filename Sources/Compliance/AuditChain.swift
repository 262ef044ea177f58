import Crypto
import Foundation
import GRDB
import GraphStore

/// One event for the audit trail: who did what to what, and how it ended. Never the
/// data itself: a subject is a file, a recipe or a vault path, an outcome is counts.
public struct AuditEntry: Sendable {
    public var principal: String
    public var action: String
    public var subject: String
    public var outcome: String

    public init(principal: String = AuditChain.defaultPrincipal, action: String, subject: String, outcome: String) {
        self.principal = principal
        self.action = action
        self.subject = subject
        self.outcome = outcome
    }
}

/// The audit trail as a hash chain over GraphStore's `audit_log`: entry n's hash is
/// SHA-256 over its number, time, principal, action, subject, outcome and entry n-1's
/// hash (the first chains to 64 zeros). Editing an entry breaks its own hash, removing
/// one leaves a gap in the numbers and a broken link, reordering breaks both; only
/// dropping the newest entries leaves a valid (shorter) chain, which the head hash a
/// reviewer noted earlier exposes (`lexgraph audit verify --expect-head`).
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// `$LEXGRAPH_PRINCIPAL`, else `$USER`, else "unknown".
    public static var defaultPrincipal: String {
        let env = ProcessInfo.processInfo.environment
        return env["LEXGRAPH_PRINCIPAL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
    }

    /// The hash of an entry: each field length-prefixed, so no two different entries
    /// encode alike.
    public static func hash(seq: Int64, at: String, principal: String, action: String, subject: String, outcome: String, prevHash: String) -> String {
        var text = "lexgraph-audit-v1\n"
        for field in [String(seq), at, principal, action, subject, outcome, prevHash] {
            text += "\(field.utf8.count):\(field)\n"
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func hash(of row: AuditLogTable.Row) -> String {
        hash(seq: row.seq, at: row.at, principal: row.principal, action: row.action, subject: row.subject, outcome: row.outcome, prevHash: row.prevHash)
    }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// Appends `entry` inside the caller's transaction and returns the stored row.
    @discardableResult
    public static func append(_ entry: AuditEntry, at date: Date = Date(), in db: Database) throws -> AuditLogTable.Row {
        let last = try AuditLogTable.last(in: db)
        let seq = (last?.seq ?? 0) + 1
        let at = timestamp(date)
        let prev = last?.hash ?? genesis
        let row = AuditLogTable.Row(seq: seq, at: at, principal: entry.principal, action: entry.action, subject: entry.subject,
                                    outcome: entry.outcome, prevHash: prev,
                                    hash: hash(seq: seq, at: at, principal: entry.principal, action: entry.action,
                                               subject: entry.subject, outcome: entry.outcome, prevHash: prev))
        try AuditLogTable.insert(row, in: db)
        return row
    }

    /// Appends `entry` in a transaction of its own.
    @discardableResult
    public static func append(_ entry: AuditEntry, to store: GraphStore) throws -> AuditLogTable.Row {
        try store.writeTransaction { db in try append(entry, in: db) }
    }

    /// A hook for a load or an ontology update: appends `action` on `subject` with the
    /// write's outcome, inside its transaction.
    public static func hook(action: String, subject: String, principal: String = defaultPrincipal) -> AuditHook {
        { db, outcome in
            try append(AuditEntry(principal: principal, action: action, subject: subject, outcome: outcome), in: db)
        }
    }

    /// What `verify` found: the entries checked and the head, or the first bad entry.
    public struct Verification: Sendable, Equatable {
        public var entries: Int
        public var head: String
        /// The first entry that fails, by number, and why.
        public var firstBad: (seq: Int64, reason: String)?

        public var isIntact: Bool { firstBad == nil }

        public static func == (a: Verification, b: Verification) -> Bool {
            a.entries == b.entries && a.head == b.head && a.firstBad?.seq == b.firstBad?.seq && a.firstBad?.reason == b.firstBad?.reason
        }
    }

    /// Walks `rows` (in stored order) from the first entry and stops at the first one
    /// that is missing, out of place, changed or not linked to the one before.
    public static func verify(_ rows: [AuditLogTable.Row]) -> Verification {
        var previous = genesis
        var expected: Int64 = 1
        for row in rows {
            if row.seq != expected {
                let reason = row.seq > expected
                    ? (expected + 1 == row.seq ? "entry \(expected) is missing (entry \(row.seq) follows entry \(expected - 1))"
                                              : "entries \(expected)-\(row.seq - 1) are missing (entry \(row.seq) follows entry \(expected - 1))")
                    : "entry \(row.seq) is out of order (after entry \(expected - 1))"
                return Verification(entries: Int(expected - 1), head: previous, firstBad: (min(row.seq, expected), reason))
            }
            if row.prevHash != previous {
                return Verification(entries: Int(expected - 1), head: previous,
                                    firstBad: (row.seq, "entry \(row.seq) does not link to entry \(row.seq - 1) (its prev_hash differs): an entry before it was removed, replaced or moved"))
            }
            if hash(of: row) != row.hash {
                return Verification(entries: Int(expected - 1), head: previous,
                                    firstBad: (row.seq, "entry \(row.seq) was changed: its hash does not match its contents"))
            }
            previous = row.hash
            expected += 1
        }
        return Verification(entries: rows.count, head: previous, firstBad: nil)
    }

    /// Verifies the store's whole chain.
    public static func verify(_ store: GraphStore) throws -> Verification {
        verify(try store.read { db in try AuditLogTable.all(in: db) })
    }
}
