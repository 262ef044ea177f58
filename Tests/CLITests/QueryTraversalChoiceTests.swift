import Foundation
import XCTest

/// `lexgraph query` runs a variable-length pattern in SQL when it runs once (reading the
/// adjacency cache would cost more than the query) and natively over the cache under
/// `--repeat`, whose warm-up builds it; both give the same rows.
final class QueryTraversalChoiceTests: XCTestCase {
    func testOneShotQueriesUseSQLAndRepeatedOnesTheNativeOperator() throws {
        let dir = try CLI.temporaryFolder(self)
        try "key,name,date\na,A v. B,1990-01-02\nb,B v. C,1991-01-02\nc,C v. D,1992-01-02\nd,D v. E,1993-01-02\n"
            .write(to: dir.appendingPathComponent("nodes.csv"), atomically: true, encoding: .utf8)
        try "from,to\nd,c\nc,b\nb,a\nd,b\nc,a\n".write(to: dir.appendingPathComponent("edges.csv"), atomically: true, encoding: .utf8)
        try """
            recipe: chain
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, decision_date: date}}]
              - file: edges.csv
                edges: [{type: CITES, from: "{from}", to: "{to}", key: "c{_row}"}]
            """.write(to: dir.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("g.sqlite").path
        let load = try CLI.run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path])
        XCTAssertEqual(load.status, 0, "\(load)")

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
