import Foundation
import Hummingbird

/// Backpressure and the time limit. At most `maxConcurrent` requests are answered at
/// once; one more is refused at once with 429 and `Retry-After`, rather than queued
/// behind work the server cannot finish in time. A request still running after
/// `timeLimit` seconds is answered 503: its task is cancelled, which stops a running
/// query (`QueryCancellation`) and a body still arriving from a slow client.
/// Health checks and `/metrics` skip both: probes and scrapes must answer while the
/// server is saturated, which is when they matter.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let gate: ConcurrencyGate
    let timeLimit: Double

    static let exempt: Set<String> = ["/v2/health/live", "/v2/health/ready", "/metrics"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let route = context.endpointPath, AdmissionMiddleware.exempt.contains(route) { return try await next(request, context) }
        guard gate.enter() else {
            throw APIError(.tooManyRequests, "TooManyRequests",
                           "the server is answering its limit of \(gate.limit) requests at once (limits.max_concurrent_requests); retry shortly",
                           headers: [.retryAfter: "1"])
        }
        defer { gate.leave() }
        let limit = timeLimit
        // The group waits for both children before it returns, so `next` does not
        // outlive this call although the child task holds it.
        return try await withoutActuallyEscaping(next) { next in
            let handler = UncheckedSendable(next)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await handler.value(request, context) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(limit * 1e9))
                    throw APIError(.serviceUnavailable, "RequestTimeout",
                                   "the request ran past the time limit of \(ConcurrencyGate.seconds(limit)) (limits.request_time_limit_seconds) and was stopped")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        }
    }
}

/// A value handed to a child task that does not outlive its owner (see above).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A counter of requests in progress with a ceiling.
final class ConcurrencyGate: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var count = 0

    init(limit: Int) { self.limit = limit }

    /// Takes a place, or false when all `limit` places are taken.
    func enter() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard count < limit else { return false }
        count += 1
        return true
    }

    func leave() {
        lock.lock(); count -= 1; lock.unlock()
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
