import Foundation
import GRDB
import GRDBSQLite

/// Interrupts the one SQLite connection a query runs on when its time limit passes.
/// `DatabasePool.interrupt()` would stop every reader of the pool — other queries of a
/// shell or a server that share the store — so the engine arms this with the query's own
/// connection instead. `sqlite3_interrupt` may be called from any thread.
final class StatementInterrupter: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: SQLiteConnection?
    private var fired = false

    /// Starts watching `db` (inside the query's read or write).
    func arm(_ db: Database) {
        lock.lock(); defer { lock.unlock() }
        connection = db.sqliteConnection
        if fired, let connection { sqlite3_interrupt(connection) }
    }

    /// Stops watching before the connection goes back to the pool.
    func disarm() {
        lock.lock(); defer { lock.unlock() }
        connection = nil
    }

    /// Called by the time-limit timer.
    func fire() {
        lock.lock(); defer { lock.unlock() }
        fired = true
        if let connection { sqlite3_interrupt(connection) }
    }
}
