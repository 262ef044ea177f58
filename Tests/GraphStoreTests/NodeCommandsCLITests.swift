import Foundation
import GraphStore
import LexgraphCore
import TestRequirements
import XCTest

/// `lexgraph show|context|status|walk` as a user runs them: any identifier finds the
/// case, and every answer says how far the graph's data reaches.
final class NodeCommandsCLITests: XCTestCase {
    private var dbPath: String!

    override func setUpWithError() throws {
        let dir = try LoadTestSupport.tempFolder(self)
        let store = try LoadTestSupport.newStore(in: dir)
        try IdentifiedCasesFixture.write(into: store)
        dbPath = dir.appendingPathComponent("graph.sqlite").path
    }

    /// Runs the binary; (exit status, stdout, stderr).
    private func lexgraph(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try LexgraphBinary.run(arguments + ["--db", dbPath])
        return (r.status, r.stdout, r.stderr)
    }

    private func json(_ text: String) throws -> [String: Value] {
        guard case .map(let m) = try Value.parseJSON(text) else { XCTFail("not a JSON object: \(text)"); return [:] }
        return m
    }

    func testShowFindsACaseByItsUSReportsCite() throws {
        for cite in ["568 U.S. 23", "scotus:568US23", "Arkansas Game and Fish Commission v. United States"] {
            let run = try lexgraph(["show", cite])
            XCTAssertEqual(run.status, 0, run.err)
            XCTAssertTrue(run.out.hasPrefix("scotus:scdb:2012-001  (SupremeCourtCase)"), run.out)
        }
        let json = try json(try lexgraph(["show", "ecli:ce:echr:2001:0118jud002487694", "--format", "json"]).out)
        XCTAssertEqual(json["key"], .string("echr:ECLI:CE:ECHR:2001:0118JUD002487694"))
    }

    func testAnUnknownNameFailsWithDidYouMeanAndAnAmbiguousCiteListsItsCases() throws {
        let miss = try lexgraph(["show", "Mapp v Ohia"])
        XCTAssertNotEqual(miss.status, 0)
        XCTAssertEqual(miss.out, "")
        XCTAssertTrue(miss.err.contains("no node matches 'Mapp v Ohia'"), miss.err)
        XCTAssertTrue(miss.err.contains("did you mean:\n  scotus:367US643  MAPP v. OHIO (1961-06-19)"), miss.err)

        let twice = try lexgraph(["status", "399 U.S. 520"])
        XCTAssertNotEqual(twice.status, 0)
        XCTAssertTrue(twice.err.contains("'399 U.S. 520' names 2 nodes"), twice.err)
        XCTAssertTrue(twice.err.contains("scotus:399US520  CROUSE, WARDEN v. WOOD (1970-06-29)"), twice.err)
        XCTAssertTrue(twice.err.contains("scotus:scdb:1969-136  DUNN v. LOUISIANA (1970-06-29)"), twice.err)
    }

    func testStatusSaysHowFarTheDataReachesAndThatTheSourceDoesNotSayInWholeOrInPart() throws {
        let roe = try lexgraph(["status", "Roe v. Wade", "--as-of", "2026-12-06"])
        XCTAssertEqual(roe.status, 0, roe.err)
        let lines = roe.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "scotus:410US113 as of 2026-12-06, with data to 1989-07-03: overruled")
        XCTAssertTrue(lines.contains("note: 2026-12-06 is past the graph's data (CITES to 1989-07-03, OVERRULES to 1989-07-03); "
                                     + "nothing after that is known, so the answer may be out of date"), roe.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("note: OVERRULES edges come from the Fowler & Jeon citation network")
                                       && $0.contains("do not distinguish overruling in whole from overruling in part") }, roe.out)

        // Lochner: good law, but only as far as the data goes.
        let lochner = try lexgraph(["status", "198 U.S. 45", "--as-of", "2026-12-06", "--format", "json"])
        XCTAssertEqual(lochner.status, 0, lochner.err)
        let status = try json(lochner.out)
        XCTAssertEqual(status["key"], .string("scotus:198US45"))
        XCTAssertEqual(status["level"], .string("good law"))
        XCTAssertEqual(status["data_to"], .string("1989-07-03"))
        XCTAssertEqual(status["data_horizon"], .map(["CITES": .string("1989-07-03"), "OVERRULES": .string("1989-07-03")]))
        guard case .list(let caveats)? = status["caveats"] else { return XCTFail("no caveats: \(lochner.out)") }
        XCTAssertEqual(caveats.count, 1, "no OVERRULES edge in Lochner's evidence, so no in-whole-or-in-part note")
        XCTAssertTrue(caveats.first?.stringValue?.hasPrefix("note: 2026-12-06 is past the graph's data") == true, "\(caveats)")

        // Within the data: no warning.
        let early = try lexgraph(["status", "scotus:198US45", "--as-of", "1980-01-01"])
        XCTAssertEqual(early.out.split(separator: "\n").first.map(String.init), "scotus:198US45 as of 1980-01-01, with data to 1989-07-03: good law")
        XCTAssertFalse(early.out.contains("past the graph's data"), early.out)
    }

    func testWalkAndContextTakeIdentifiersAndCarryTheHorizon() throws {
        let walk = try lexgraph(["walk", "410 U.S. 113", "--direction", "in", "--types", "CITES,OVERRULES", "--as-of", "2000-01-01"])
        XCTAssertEqual(walk.status, 0, walk.err)
        let lines = walk.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "as of 2000-01-01, with data to 1989-07-03")
        XCTAssertTrue(lines.dropFirst().first?.hasPrefix("note: 2000-01-01 is past the graph's data (CITES to 1989-07-03, OVERRULES to 1989-07-03)") == true,
                      walk.out)
        XCTAssertTrue(walk.out.contains("scotus:492US490"), walk.out)

        let walkJSON = try json(try lexgraph(["walk", "Mapp v Ohio", "--direction", "in", "--format", "json"]).out)
        XCTAssertEqual(walkJSON["data_to"], .string("1989-07-03"))
        XCTAssertEqual(walkJSON["caveats"], .list([]), "no --as-of: the whole history, nothing to flag")

        let context = try lexgraph(["context", "568 US 23"])
        XCTAssertEqual(context.status, 0, context.err)
        let first = context.out.split(separator: "\n").first.map(String.init)
        XCTAssertEqual(first, "scotus:scdb:2012-001 as of 2012-10-01, with data to 1989-07-03 (only what is dated before it)")
        XCTAssertTrue(context.out.contains("note: 2012-10-01 is past the graph's data (CITES to 1989-07-03, OVERRULES to 1989-07-03)"), context.out)
        let contextJSON = try json(try lexgraph(["context", "2012-001", "--format", "json"]).out)
        XCTAssertEqual(contextJSON["key"], .string("scotus:scdb:2012-001"))
        XCTAssertEqual(contextJSON["data_to"], .string("1989-07-03"))
    }
}
