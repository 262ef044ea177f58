import Foundation
import GRDB
import GRDBSQLite

/// The ontology stamp and the graph generation a connection last read, kept so that a
/// query does not read them again while nothing can have changed them.
///
/// Every query reads the ontology stamp (is its kept binding and plan still valid?) and
/// every native traversal the graph generation (is the adjacency cache's copy this
/// snapshot's?). They change only with a commit. A connection sees commits of other
/// connections, of this process or another, as a new `PRAGMA data_version` (SQLite's
/// per-connection counter, a read of the pager's state with no table access), and its
/// own writes as a new `sqlite3_total_changes64` (rows changed by this connection,
/// triggers included; the generation and the ontology are written only by row changes).
/// While both are what they were when the stamps were last read on this connection, the
/// stamps are too. Both are read in the caller's transaction, so the answer is its
/// snapshot's; a rolled-back write only makes the next call read the stamps again.
public final class StoreStamps: @unchecked Sendable {
    public struct Stamps: Equatable, Sendable {
        public var ontology: String
        public var generation: Int
    }

    private final class Kept {
        weak var connection: Database?
        let dataVersion: Int64
        let changes: Int64
        let stamps: Stamps

        init(connection: Database, dataVersion: Int64, changes: Int64, stamps: Stamps) {
            self.connection = connection
            self.dataVersion = dataVersion
            self.changes = changes
            self.stamps = stamps
        }
    }

    /// One for the process: connections are keyed by identity, and an entry whose
    /// connection is gone is never used (its weak reference is nil) and is dropped later.
    public static let shared = StoreStamps()

    private let lock = NSLock()
    private var kept: [ObjectIdentifier: Kept] = [:]
    private var readCount = 0

    /// How often the stamps were read from their tables (tests: an unchanged database
    /// reads them no more).
    public var reads: Int {
        lock.lock()
        defer { lock.unlock() }
        return readCount
    }

    /// The stamps of `db`'s snapshot.
    public func stamps(_ db: Database) throws -> Stamps {
        let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        let changes = sqlite3_total_changes64(db.sqliteConnection)
        let key = ObjectIdentifier(db)
        lock.lock()
        let found = kept[key]
        lock.unlock()
        if let found, found.connection === db, found.dataVersion == dataVersion, found.changes == changes { return found.stamps }
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT version || ':' || checksum || ':' || coalesce((SELECT value FROM store_meta WHERE key = 'mode'), '')
                    FROM ontology_version ORDER BY version DESC LIMIT 1),
                   (SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = 'lexgraph_generation')
            """))
        let stamps = Stamps(ontology: row?[0] ?? "", generation: row?[1] ?? 0)
        let entry = Kept(connection: db, dataVersion: dataVersion, changes: changes, stamps: stamps)
        lock.lock()
        readCount += 1
        if kept.count >= 64 { kept = kept.filter { $0.value.connection != nil } }
        kept[key] = entry
        lock.unlock()
        return stamps
    }
}
