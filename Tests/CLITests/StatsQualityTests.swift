import Foundation
import TestRequirements
import XCTest

/// `lexgraph stats --quality [--load ID]`: the data-quality report a load stored, read back
/// later exactly as the load printed it.
final class StatsQualityTests: XCTestCase {
    func testQualityReportOfTheNewestAndOfAGivenLoad() throws {
        let dir = try CLI.temporaryFolder(self)
        let db = dir.appendingPathComponent("g.sqlite").path
        try """
            recipe: small
            sources:
              - file: cases.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
              - file: cites.csv
                edges: [{type: CITES, from: "{from}", to: "{to}", key: "e{_row}"}]
            """.write(to: dir.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        func load(cases: Int) throws -> CLI.Result {
            let rows = (1...cases).map { "c\($0),Case \($0) v. State" }.joined(separator: "\n")
            try "key,name\n\(rows)\n".write(to: dir.appendingPathComponent("cases.csv"), atomically: true, encoding: .utf8)
            try "from,to\nc2,c1\nc3,c1\n".write(to: dir.appendingPathComponent("cites.csv"), atomically: true, encoding: .utf8)
            let r = try CLI.run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path])
            XCTAssertEqual(r.status, 0, "\(r)")
            return r
        }
        let first = try load(cases: 3)
        let second = try load(cases: 8)
        // The quality block is the end of what each load printed.
        func block(_ out: String) throws -> String {
            let start = try XCTUnwrap(out.range(of: "quality: ")).lowerBound
            return String(out[start...])
        }

        let newest = try CLI.run(["stats", "--quality", "--db", db])
        XCTAssertEqual(newest.status, 0, "\(newest)")
        XCTAssertEqual(newest.stdout, "load 2\n" + (try block(second.stdout)))
        XCTAssertTrue(newest.stdout.contains("unresolved references"), newest.stdout)
        XCTAssertTrue(newest.stdout.contains("since load #1"), "compared with the first load: \(newest.stdout)")
        let older = try CLI.run(["stats", "--quality", "--load", "1", "--db", db])
        XCTAssertEqual(older.stdout, "load 1\n" + (try block(first.stdout)), "\(older)")

        let json = try CLI.run(["stats", "--quality", "--format", "json", "--db", db])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(object["load_id"] as? Int, 2)
        XCTAssertNotNil(object["report"] as? [String: Any])

        let missing = try CLI.run(["stats", "--quality", "--load", "99", "--db", db])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("load 99 has no data-quality report"), "\(missing)")
        let alone = try CLI.run(["stats", "--load", "1", "--db", db])
        XCTAssertNotEqual(alone.status, 0)
        XCTAssertTrue(alone.stderr.contains("--load needs --quality"), "\(alone)")
    }
}
