import Foundation
import GraphStore
import Query
import XCTest

/// An unanchored pattern over a common relationship type scans a direction index instead
/// of fetching each edge of the type by rowid; a rare type keeps the type index.
final class EdgeTypeFrequencyTests: XCTestCase {
    /// 40 nodes; a COMMON edge i -> j when j = (i*7+3) % 40 or j = (i+1) % 40 (78 edges:
    /// the two rules agree for i = 13 and 33), RARE edges from the first 3 nodes only.
    func engine() throws -> QueryEngine {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        let write = QueryOptions(write: true)
        _ = try engine.run("UNWIND range(0, 39) AS i CREATE (:N {i: i})", options: write)
        _ = try engine.run("MATCH (a:N), (b:N) WHERE b.i = (a.i * 7 + 3) % 40 OR b.i = (a.i + 1) % 40 CREATE (a)-[:COMMON]->(b)", options: write)
        _ = try engine.run("MATCH (a:N), (b:N) WHERE a.i < 3 AND b.i = a.i + 20 CREATE (a)-[:RARE]->(b)", options: write)
        return engine
    }

    /// SQLite's plan of the SQL (the native degree count answers some of these shapes
    /// from the adjacency cache: NativeTraversalTests).
    func plan(_ engine: QueryEngine, _ text: String) throws -> [String] {
        var sqlOnly = QueryOptions()
        sqlOnly.nativeTraversal = false
        return try (engine.run("EXPLAIN " + text, options: sqlOnly).explanation ?? []).filter { $0.hasPrefix("-- plan:") }
    }

    func testACommonTypeIsScannedThroughADirectionIndex() throws {
        let engine = try engine()
        let indegree = "MATCH ()-[:COMMON]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 3"
        let steps = try plan(engine, indegree)
        XCTAssertFalse(steps.contains { $0.contains("edge_by_type") }, steps.joined(separator: "\n"))
        XCTAssertTrue(steps.contains { $0.contains("COVERING INDEX edge_in") }, steps.joined(separator: "\n"))
        // The same count done in Swift over the edges the rules create.
        var indegrees: [Int: Int] = [:]
        for i in 0..<40 { for j in Set([(i * 7 + 3) % 40, (i + 1) % 40]) { indegrees[j, default: 0] += 1 } }
        XCTAssertEqual(indegrees.values.reduce(0, +), 78)
        let rows = try engine.run(indegree).rows
        let ids = try engine.run("MATCH (n:N) RETURN n.i AS i, id(n) AS id").rows
        let idOf = Dictionary(uniqueKeysWithValues: ids.map { (Int(truncating: $0[0]), Int(truncating: $0[1])) })
        let expected = indegrees.map { (id: idOf[$0.key]!, n: $0.value) }.sorted { ($0.n, -$0.id) > ($1.n, -$1.id) }.prefix(3)
        XCTAssertEqual(rows, expected.map { [.int(Int64($0.id)), .int(Int64($0.n))] })
    }

    func testARareTypeKeepsTheTypeIndex() throws {
        let engine = try engine()
        let steps = try plan(engine, "MATCH (a)-[:RARE]->(b) RETURN id(a) AS a, id(b) AS b")
        XCTAssertTrue(steps.first?.contains("edge_by_type") ?? false, steps.joined(separator: "\n"))
        XCTAssertEqual(try engine.run("MATCH (a)-[:RARE]->(b) RETURN a.i AS a, b.i AS b ORDER BY a").rows,
                       [[.int(0), .int(20)], [.int(1), .int(21)], [.int(2), .int(22)]])
    }
}

private extension Int {
    init(truncating value: CypherValue) {
        if case .int(let v) = value { self = Int(v) } else { self = -1 }
    }
}
