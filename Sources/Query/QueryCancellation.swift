/// A request from outside a running query to stop it: `lexgraph shell` cancels on
/// Ctrl-C, an application from another thread.
///
/// The query's `StatementDeadline` consults it wherever it checks the time: SQLite's
/// progress handler interrupts the running statement, and the checks between (and
/// within) the in-memory steps stop evaluation, so a cancelled query ends within a
/// moment with `QueryError.cancelled` instead of its result. One object may serve many
/// queries one after another (`reset` before each).
///
/// `cancel()` is one aligned 32-bit store and nothing else (no lock, no allocation), so
/// a signal handler may call it; readers see it at their next check.
public final class QueryCancellation: @unchecked Sendable {
    private let flag: UnsafeMutablePointer<Int32>

    public init() {
        flag = .allocate(capacity: 1)
        flag.initialize(to: 0)
    }

    deinit { flag.deallocate() }

    /// Asks the query to stop (async-signal-safe).
    public func cancel() { flag.pointee = 1 }

    /// Clears an earlier request, before the next query.
    public func reset() { flag.pointee = 0 }

    public var isCancelled: Bool { flag.pointee != 0 }
}

extension QueryError {
    /// The query was stopped by its `QueryCancellation`.
    public static let cancelled = QueryError(.cancelled, "Cancelled", "query cancelled")
}
