import Foundation
import GRDB
import GRDBSQLite

/// Stops the SQLite statements of one query when its time limit passes or its caller
/// cancels it (`QueryCancellation`: both are "time to stop", checked in the same places).
///
/// SQLite calls a progress handler every few thousand virtual-machine instructions of a
/// running statement; this one compares a monotonic clock with the deadline and makes
/// the statement fail with `SQLITE_INTERRUPT` once it has passed. It replaced a timer
/// that called `sqlite3_interrupt` from a dispatch thread: arming that timer woke a
/// second thread for every query, a fifth of a one-hop query's time. The handler is
/// installed on the query's own connection only (`DatabasePool.interrupt()` would stop
/// every reader of the pool: other queries of a shell or a server) and removed before
/// the connection goes back to the pool.
final class StatementDeadline {
    /// Uptime in nanoseconds after which statements fail.
    private let deadline: UInt64
    /// Set from outside (Ctrl-C in the shell); `hasPassed` is true once it is.
    let cancellation: QueryCancellation?

    /// Virtual-machine instructions between two clock reads: about 10-50 µs of work, so
    /// the check costs well under 1% and a statement stops within a millisecond.
    private static let instructionsPerCheck: Int32 = 4096

    init(seconds: Double, cancellation: QueryCancellation? = nil) {
        let nanoseconds = max(0, min(seconds, 1e9)) * 1e9
        deadline = StatementDeadline.now() &+ UInt64(nanoseconds)
        self.cancellation = cancellation
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Whether the query must stop: its time is up or it was cancelled. Every check of
    /// the time limit goes through here, so each one also honours a cancellation.
    var hasPassed: Bool { isCancelled || StatementDeadline.now() >= deadline }

    var isCancelled: Bool { cancellation?.isCancelled ?? false }

    /// The error for a query stopped by this deadline: `.cancelled` or a timeout.
    func stopError(timeLimit: Double) -> QueryError {
        isCancelled ? .cancelled : .timeout(timeLimit)
    }

    /// Runs `body` with the deadline installed on `db`'s connection.
    func enforce<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
        let connection = db.sqliteConnection
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(connection, StatementDeadline.instructionsPerCheck, { context in
            guard let context else { return 0 }
            return Unmanaged<StatementDeadline>.fromOpaque(context).takeUnretainedValue().hasPassed ? 1 : 0
        }, context)
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        return try withExtendedLifetime(self) { try body() }
    }
}
