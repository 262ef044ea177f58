import Foundation
import GraphStore
import Query
import XCTest

/// `QueryCancellation` stops a running query from outside (Ctrl-C in the shell): the
/// SQLite statement through the deadline's progress handler, in-memory steps at their
/// next check; the query ends with `.cancelled`, and the next one runs normally.
final class QueryCancellationTests: XCTestCase {
    /// A complete directed graph on 9 nodes: trails of up to 10 edges are countless.
    func endlessEngine() throws -> QueryEngine {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        _ = try engine.run("UNWIND range(1, 9) AS i CREATE (:K {i: i})", options: QueryOptions(write: true))
        _ = try engine.run("MATCH (a:K), (b:K) WHERE a.i <> b.i CREATE (a)-[:E]->(b)", options: QueryOptions(write: true))
        return engine
    }

    func run(_ engine: QueryEngine, _ text: String, cancelAfter seconds: Double, _ cancellation: QueryCancellation) -> (QueryError?, TimeInterval) {
        var options = QueryOptions(timeLimit: 60)
        options.cancellation = cancellation
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { cancellation.cancel() }
        let started = Date()
        do {
            _ = try engine.run(text, options: options)
            return (nil, Date().timeIntervalSince(started))
        } catch {
            return (error as? QueryError, Date().timeIntervalSince(started))
        }
    }

    func testCancellingInterruptsTheSQLiteStatement() throws {
        let engine = try endlessEngine()
        let cancellation = QueryCancellation()
        let (error, seconds) = run(engine, "MATCH (a:K {i: 1})-[*]->(b) RETURN count(*) AS c", cancelAfter: 0.3, cancellation)
        XCTAssertEqual(error?.kind, .cancelled, "\(String(describing: error))")
        XCTAssertEqual(error?.message, "query cancelled")
        XCTAssertLessThan(seconds, 10, "stopped at once, not at the 60 s time limit")

        // The same object serves the next query once reset; without a cancel it finishes.
        cancellation.reset()
        var options = QueryOptions()
        options.cancellation = cancellation
        XCTAssertEqual(try engine.run("MATCH (a:K {i: 1})-[:E]->(b) RETURN count(*) AS c", options: options).rows, [[.int(8)]])
    }

    func testCancellingStopsInMemoryEvaluation() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        var steps = "UNWIND range(1, 300000) AS i"
        for k in 0..<40 { steps += " WITH i WHERE i % \(k + 2) <> 1" }
        let (error, seconds) = run(engine, steps + " RETURN count(*) AS n", cancelAfter: 0.2, QueryCancellation())
        XCTAssertEqual(error?.kind, .cancelled, "\(String(describing: error))")
        XCTAssertLessThan(seconds, 30)
    }

    func testATimeoutIsStillATimeout() throws {
        let engine = try endlessEngine()
        var options = QueryOptions(timeLimit: 0.3)
        options.cancellation = QueryCancellation()
        XCTAssertThrowsError(try engine.run("MATCH (a:K {i: 1})-[*]->(b) RETURN count(*) AS c", options: options)) { error in
            XCTAssertEqual((error as? QueryError)?.kind, .timeout)
        }
    }
}
