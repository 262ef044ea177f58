import Foundation
import XCTest

/// `lexgraph query` runs a variable-length pattern in SQL when it runs once (reading the
/// adjacency cache would cost more than the query) and natively over the cache under
/// `--repeat`, whose warm-up builds it; both give the same rows.
final class QueryTraversalChoiceTests: XCTestCase {
    func testOneShotQueriesUseSQLAndRepeatedOnesTheNativeOperator() throws {
        let db = try CLI.citationGraph(self, nodes: "a,A v. B,1990-01-02\nb,B v. C,1991-01-02\nc,C v. D,1992-01-02\nd,D v. E,1993-01-02\n",
                                       edges: "d,c\nc,b\nb,a\nd,b\nc,a\n")

        let pattern = "MATCH (x:SupremeCourtCase {name: 'D v. E'})-[:CITES*1..3]->(y) RETURN count(*) AS trails"
        let once = try CLI.run(["query", "EXPLAIN " + pattern, "--db", db])
        XCTAssertEqual(once.status, 0, "\(once)")
        XCTAssertFalse(once.stdout.contains("native"), "a one-shot query plans SQL: \(once.stdout)")
        let repeated = try CLI.run(["query", "EXPLAIN " + pattern, "--db", db, "--repeat", "1"])
        XCTAssertEqual(repeated.status, 0, "\(repeated)")
        XCTAssertTrue(repeated.stdout.contains("native trails"), "--repeat plans the native operator: \(repeated.stdout)")

        // d's trails of 1-3 CITES steps: d>c, d>b, d>c>b, d>c>a, d>b>a, d>c>b>a.
        for extra in [[], ["--repeat", "1"]] {
            let run = try CLI.run(["query", pattern, "--db", db, "--format", "csv"] + extra)
            XCTAssertEqual(run.status, 0, "\(run)")
            XCTAssertEqual(run.stdout, "trails\n6\n", "\(extra): \(run)")
        }
    }
}
