import Dispatch

/// The store's API is synchronous, as GraphStore's is (the query engine and the CLI call
/// it from ordinary threads); postgres-nio's is async. `blocking` runs the async work on
/// the concurrency pool and waits for it. Never call it from an async context or an
/// event loop thread (it would wait on itself).
final class OutcomeBox<T>: @unchecked Sendable {
    var outcome: Result<T, any Error>?
}

func blocking<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = OutcomeBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.outcome = .success(try await body()) } catch { box.outcome = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.outcome!.get()
}
