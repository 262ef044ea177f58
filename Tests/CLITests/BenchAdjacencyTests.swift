import Foundation
import XCTest

/// `lexgraph bench adjacency` writes edges into a copy of the database (the original is
/// left as it was), brings the shared cache forward after each write, checks it against a
/// full read, and reports both times and the memory per reader.
final class BenchAdjacencyTests: XCTestCase {
    func testReportsIncrementalAndFullTimesOnACopy() throws {
        let db = try CLI.citationGraph(self, nodes: "a,A v. B,1990-01-02\nb,B v. C,1991-01-02\nc,C v. D,1992-01-02\nd,D v. E,1993-01-02\n",
                                       edges: "d,c\nc,b\nb,a\nd,b\nc,a\n")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let run = try CLI.run(["bench", "adjacency", "--db", db, "--edges", "1,3", "--rounds", "2", "--readers", "3"])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("(type CITES)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("first read: 5 edges"), run.stdout)
        XCTAssertNotNil(run.stdout.range(of: #"\n\| 1 \| [0-9.]+ \| [0-9.]+ \| [0-9]+x \|\n\| 3 \| "#, options: .regularExpression), run.stdout)
        XCTAssertTrue(run.stdout.contains("in 1 snapshot; 3 readers at once"), run.stdout)
        XCTAssertTrue(run.stdout.contains("in 1 snapshot(s)"), run.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "the database itself is not written")

        let bad = try CLI.run(["bench", "adjacency", "--db", db, "--edges", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--edges 0"), bad.stderr)
    }
}
