import Compliance
import Foundation
import GraphStore
import Logging
import ServiceLifecycle

/// The service's requests in the database's audit trail (`AuditChain`): one entry per
/// request with its principal (the API token's id and name, never the secret), its
/// method and route pattern, and its outcome (status and request id); never a body, a
/// parameter or an answer. Requests only queue their entry; this service is the single
/// writer that appends what has queued in one transaction per batch, so a burst of
/// requests costs one chain append each but one commit per batch. It runs in the
/// server's service group after the HTTP server, so on a graceful shutdown the server
/// first finishes its requests and this then writes every entry still queued.
final class RequestAuditLog: Service, @unchecked Sendable {
    let store: GraphStore
    let logger: Logger
    private let lock = NSLock()
    private var pending: [(entry: AuditEntry, at: Date)] = []
    private let wake: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(store: GraphStore, logger: Logger) {
        self.store = store
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = stream
        signal = continuation
    }

    /// Queues the entry of a finished request (its time is now, not when it is written).
    func record(principal: String, method: String, route: String, status: Int, requestID: String) {
        let entry = AuditEntry(principal: principal, action: "http.request", subject: "\(method) \(route)",
                               outcome: "status \(status), request id \(requestID)")
        lock.lock()
        pending.append((entry, Date()))  // under the lock: the times follow the chain's order
        lock.unlock()
        signal.yield()
    }

    /// Entries queued and not yet written.
    var queued: Int { lock.lock(); defer { lock.unlock() }; return pending.count }

    func run() async throws {
        for await _ in wake.cancelOnGracefulShutdown() { flush() }
        flush()
        if queued > 0 {
            logger.error("audit entries not written at shutdown", metadata: ["entries": .stringConvertible(queued)])
        }
    }

    /// Appends every queued entry in one transaction; on failure they stay queued (in
    /// order, before newer ones) for the next batch, and the failure is logged.
    func flush() {
        lock.lock()
        let batch = pending
        pending.removeAll()
        lock.unlock()
        guard !batch.isEmpty else { return }
        do {
            try store.writeTransaction { db in
                for item in batch { try AuditChain.append(item.entry, at: item.at, in: db) }
            }
        } catch {
            lock.lock()
            pending.insert(contentsOf: batch, at: 0)
            lock.unlock()
            logger.error("cannot append request audit entries", metadata: ["entries": .stringConvertible(batch.count), "error": .string(String(describing: error))])
        }
    }
}
