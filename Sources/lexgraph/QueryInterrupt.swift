#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Query

/// Ctrl-C (SIGINT) while a shell query runs cancels that query instead of ending the
/// shell. Only while `body` runs does SIGINT have this meaning; before and after, the
/// previous disposition is back (at the line editor's prompt the terminal is raw, so
/// Ctrl-C arrives as a key and abandons the line being typed; with piped input it ends
/// the shell as usual).
///
/// The handler only calls `QueryCancellation.cancel()`, one store, which is safe in a
/// signal handler; the query's deadline checks see it (SQLite's progress handler
/// interrupts the statement) and the engine throws `QueryError.cancelled`.
enum QueryInterrupt {
    /// The cancellation the handler sets, as a raw pointer: reading it takes no retain.
    nonisolated(unsafe) private static var target: UnsafeMutableRawPointer?

    static func cancelling<T>(_ cancellation: QueryCancellation, _ body: () throws -> T) rethrows -> T {
        cancellation.reset()
        target = Unmanaged.passUnretained(cancellation).toOpaque()
        let previous = signal(SIGINT) { _ in
            guard let target = QueryInterrupt.target else { return }
            Unmanaged<QueryCancellation>.fromOpaque(target).takeUnretainedValue().cancel()
        }
        defer {
            signal(SIGINT, previous)
            target = nil
        }
        return try withExtendedLifetime(cancellation) { try body() }
    }
}
