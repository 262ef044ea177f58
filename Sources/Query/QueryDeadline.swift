import Foundation
import GRDB
import GRDBSQLite

/// The one deadline of a query: SQLite statements and the evaluation in Swift alike stop
/// when its time limit passes, with the same `.timeout` error, or when its caller cancels
/// it (`QueryCancellation`, Ctrl-C in the shell), with `.cancelled`: both are "time to
/// stop", checked in the same places.
///
/// SQLite side: SQLite calls a progress handler every few thousand virtual-machine
/// instructions of a running statement; this one compares a monotonic clock with the
/// deadline and makes the statement fail with `SQLITE_INTERRUPT` once it has passed. It
/// replaced a timer that called `sqlite3_interrupt` from a dispatch thread: arming that
/// timer woke a second thread for every query, a fifth of a one-hop query's time. The
/// handler is installed on the query's own connection only (`DatabasePool.interrupt()`
/// would stop every reader of the pool: other queries of a shell or a server) and
/// removed before the connection goes back to the pool.
///
/// Swift side: every loop of the evaluation (rows of a clause, items of a list
/// comprehension or of `range()`, sort comparisons) calls `step()`, which counts down and
/// reads the clock once every `stepsPerCheck` steps.
final class QueryDeadline {
    /// The limit as given, for the error message.
    let seconds: Double
    /// Uptime in nanoseconds after which statements fail.
    private let deadline: UInt64
    private var countdown = QueryDeadline.stepsPerCheck
    /// Set from outside (Ctrl-C in the shell); `hasPassed` is true once it is.
    let cancellation: QueryCancellation?

    /// Virtual-machine instructions between two clock reads: about 10-50 µs of work, so
    /// the check costs well under 1% and a statement stops within a millisecond.
    private static let instructionsPerCheck: Int32 = 4096
    /// Evaluation steps between two clock reads. A step is at least an expression
    /// evaluation or a row (tens of nanoseconds to microseconds), so the clock (about
    /// 20 ns) is read at most every few tens of microseconds and the query stops well
    /// within a millisecond of its deadline.
    private static let stepsPerCheck = 1024

    /// `seconds` must be finite and positive (`QueryOptions.validate()`).
    init(seconds: Double, cancellation: QueryCancellation? = nil) {
        self.seconds = seconds
        self.cancellation = cancellation
        let nanoseconds = max(0, min(seconds, 1e9)) * 1e9
        deadline = QueryDeadline.now() &+ UInt64(nanoseconds)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Whether the query must stop: its time is up or it was cancelled.
    var hasPassed: Bool { isCancelled || QueryDeadline.now() >= deadline }

    var isCancelled: Bool { cancellation?.isCancelled ?? false }

    /// The error for a query this deadline stopped: `.cancelled` or the timeout.
    var stopError: QueryError { isCancelled ? .cancelled : .timeout(seconds) }

    /// Throws `stopError` once the query must stop.
    func check() throws {
        if hasPassed { throw stopError }
    }

    /// One step of work in Swift: cheap, and throws the timeout soon after the deadline.
    @inline(__always)
    func step() throws {
        countdown -= 1
        if countdown <= 0 {
            countdown = QueryDeadline.stepsPerCheck
            try check()
        }
    }

    /// Runs `body` with the deadline installed on `db`'s connection.
    func enforce<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
        let connection = db.sqliteConnection
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(connection, QueryDeadline.instructionsPerCheck, { context in
            guard let context else { return 0 }
            return Unmanaged<QueryDeadline>.fromOpaque(context).takeUnretainedValue().hasPassed ? 1 : 0
        }, context)
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        return try withExtendedLifetime(self) { try body() }
    }
}

extension QueryError {
    static func timeout(_ seconds: Double) -> QueryError {
        QueryError(.timeout, "Timeout", "the query ran longer than its time limit of \(seconds) s and was interrupted; narrow it or raise the limit")
    }
}
