import Foundation
import GRDB
import GraphStore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection of the store's synchronous reads (`ReadConnections` keeps them): the
/// query engine's statements, element reads, the ontology stamp, a load's staging copy.
///
/// A query used to lease a connection from the pool for each of its statements; a
/// one-hop query paid the lease, a task hop and a server round trip three times over,
/// and the CLI opened two connections (the schema check's, then the pool's) before its
/// first row. The schema check's connection is now kept and reads go through it, one
/// statement at a time. When the server closed it (a restart), the next read opens a new
/// one and sends the statement again: a read is safe to repeat. Loads keep the pool.
/// Statements are not prepared by name: postgres-nio's `prepare(query:)` (the API that
/// takes SQL text at run time) decodes its binary result rows with the Describe step's
/// text formats, so every typed column fails to read (an INTEGER read as Int64).
final class ReadConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let location: PostgresLocation
    private let logger: Logger
    private var sent = 0

    init(_ connection: PostgresConnection?, location: PostgresLocation, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
    }

    /// Statements sent so far: each is one round trip to the server.
    var statementsSent: Int { locked { sent } }

    /// Runs `sql` and returns every row's values in column order.
    func rows(_ sql: String, _ arguments: [DatabaseValue]) throws -> [[DatabaseValue]] {
        try locked {
            do {
                return try send(sql, arguments)
            } catch let error as PSQLError where error.serverInfo == nil && (error.code == .serverClosedConnection || error.code == .uncleanShutdown) {
                connection = nil
                return try send(sql, arguments)
            }
        }
    }

    func close() {
        locked {
            // Not waited for: a store may be released on any thread.
            if let connection { let closing: EventLoopFuture<Void> = connection.close(); _ = closing }
            connection = nil
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// One statement on the open connection (opened first when there is none).
    private func send(_ sql: String, _ arguments: [DatabaseValue]) throws -> [[DatabaseValue]] {
        let open: PostgresConnection
        if let connection, !connection.isClosed {
            open = connection
        } else {
            open = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(),
                                                  configuration: PostgresGraphStore.connectionConfiguration(location),
                                                  id: 1, logger: logger).wait()
            connection = open
        }
        sent += 1
        let query = PostgresQuery(unsafeSQL: sql, binds: PostgresValues.bindings(arguments))
        // The future-based call, waited for on this (caller's) thread: no task on the
        // concurrency pool, whose few threads (one per core) a busy service may hold.
        let result = try open.query(query, logger: logger).wait()
        var out: [[DatabaseValue]] = []
        out.reserveCapacity(result.rows.count)
        for row in result.rows {
            var values: [DatabaseValue] = []
            values.reserveCapacity(row.count)
            for cell in row { values.append(try PostgresValues.value(cell)) }
            out.append(values)
        }
        return out
    }
}

/// The connections the store's synchronous reads go through: the schema check's first,
/// another opened only when reads overlap (a service's concurrent requests), up to
/// `limit`; past that a read waits for one to be free. The most recently freed one is
/// reused first, so one reader at a time (the CLI) keeps using a single connection.
final class ReadConnections: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [ReadConnection]
    private var all: [ReadConnection]
    private let limit: Int
    private let location: PostgresLocation
    private let logger: Logger

    init(first: ReadConnection, limit: Int, location: PostgresLocation, logger: Logger) {
        idle = [first]
        all = [first]
        self.limit = max(limit, 1)
        self.location = location
        self.logger = logger
    }

    /// Statements sent so far on all of them.
    var statementsSent: Int {
        condition.lock()
        defer { condition.unlock() }
        return all.reduce(0) { $0 + $1.statementsSent }
    }

    func rows(_ sql: String, _ arguments: [DatabaseValue]) throws -> [[DatabaseValue]] {
        let reader = take()
        defer { giveBack(reader) }
        return try reader.rows(sql, arguments)
    }

    func close() {
        condition.lock()
        let closing = all
        condition.unlock()
        for reader in closing { reader.close() }
    }

    private func take() -> ReadConnection {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let reader = idle.popLast() { return reader }
            if all.count < limit {
                // Opened by its first statement, outside this lock.
                let reader = ReadConnection(nil, location: location, logger: logger)
                all.append(reader)
                return reader
            }
            condition.wait()
        }
    }

    private func giveBack(_ reader: ReadConnection) {
        condition.lock()
        idle.append(reader)
        condition.signal()
        condition.unlock()
    }
}
