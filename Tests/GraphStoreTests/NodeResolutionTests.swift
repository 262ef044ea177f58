import Foundation
import GraphStore
import LexgraphCore
import XCTest

/// `GraphStore.resolveNode`: every identifier a lawyer holds finds the case, whatever its
/// internal key; several matches and none are errors that list the candidates.
final class NodeResolutionTests: XCTestCase {
    private var store: GraphStore!

    override func setUpWithError() throws {
        store = try IdentifiedCasesFixture.inMemoryStore(root: LoadTestSupport.root)
    }

    private func resolve(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (key: String, by: String) {
        let match = try store.resolveNode(text)
        return (match.key, match.matchedBy)
    }

    private func lookupError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> NodeLookupError? {
        do {
            let match = try store.resolveNode(text)
            XCTFail("'\(text)' resolved to \(match.key), expected an error", file: file, line: line)
        } catch let error as NodeLookupError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testAUSReportsCiteInEveryCommonSpellingFindsACaseKeyedBySCDBId() throws {
        // The example: Arkansas Game & Fish Commission is keyed scotus:scdb:2012-001.
        for text in ["568 U.S. 23", "568 US 23", "568US23", "568us23", "scotus:568US23", "  568 U. S. 23 ", "568 U.S. 023"] {
            XCTAssertEqual(try resolve(text).key, "scotus:scdb:2012-001", text)
        }
        XCTAssertEqual(try resolve("scotus:scdb:2012-001").by, "key")
        XCTAssertEqual(try resolve("2012-001").key, "scotus:scdb:2012-001")
        XCTAssertEqual(try resolve("2012-001").by, "scdb_case_id")
        XCTAssertEqual(try resolve("scdb:2012-001").key, "scotus:scdb:2012-001")
        XCTAssertEqual(try resolve("367 U.S. 643").key, "scotus:367US643")
    }

    func testECtHRIdentifiersIgnoreLetterCaseAndTheApplicationPrefix() throws {
        let coster = "echr:ECLI:CE:ECHR:2001:0118JUD002487694"
        XCTAssertEqual(try resolve("ECLI:CE:ECHR:2001:0118JUD002487694").key, coster)
        XCTAssertEqual(try resolve("ecli:ce:echr:2001:0118jud002487694").key, coster)
        XCTAssertEqual(try resolve("ecli:ce:echr:2001:0118jud002487694").by, "ecli")
        for text in ["24876/94", "no. 24876/94", "No 24876/94", "Application no. 24876/94", "app. no. 24876 / 94"] {
            XCTAssertEqual(try resolve(text).key, coster, text)
            XCTAssertEqual(try resolve(text).by, "application_number", text)
        }
        XCTAssertEqual(try resolve("001-59156").key, coster)
    }

    func testACaseNameFindsTheOneCaseWithThatName() throws {
        XCTAssertEqual(try resolve("Mapp v Ohio").key, "scotus:367US643")
        XCTAssertEqual(try resolve("Mapp v Ohio").by, "name")
        XCTAssertEqual(try resolve("mapp vs. ohio").key, "scotus:367US643")
        XCTAssertEqual(try resolve("Arkansas Game & Fish Commission v. United States").key, "scotus:scdb:2012-001")
        XCTAssertEqual(try resolve("Coster v. United Kingdom").key, "echr:ECLI:CE:ECHR:2001:0118JUD002487694")
    }

    func testACiteOfTwoCasesIsAmbiguousAndListsBothWithDates() throws {
        let error = try XCTUnwrap(lookupError("399 U.S. 520"))
        XCTAssertEqual(error.kind, .ambiguous)
        XCTAssertEqual(error.candidates.map(\.key), ["scotus:399US520", "scotus:scdb:1969-136"])
        XCTAssertTrue(error.message.contains("'399 U.S. 520' names 2 nodes (by us_cite"), error.message)
        XCTAssertTrue(error.message.contains("scotus:scdb:1969-136  DUNN v. LOUISIANA (1970-06-29)"), error.message)

        let harris = try XCTUnwrap(lookupError("Harris v. United States"))
        XCTAssertEqual(harris.kind, .ambiguous)
        XCTAssertEqual(harris.candidates.map(\.key), ["scotus:331US145", "scotus:390US234"])
        XCTAssertEqual(harris.candidates.map(\.validFrom), ["1947-05-05", "1968-03-05"])
    }

    func testANameThatMatchesNoCaseSuggestsTheClosestOnes() throws {
        let error = try XCTUnwrap(lookupError("Mapp v Ohia"))
        XCTAssertEqual(error.kind, .notFound)
        XCTAssertEqual(error.candidates.first?.key, "scotus:367US643")
        XCTAssertTrue(error.message.contains("did you mean:\n  scotus:367US643  MAPP v. OHIO (1961-06-19)"), error.message)

        let lochner = try XCTUnwrap(lookupError("Lochner v New Yrok"))
        XCTAssertEqual(lochner.candidates.first?.key, "scotus:198US45")
    }

    func testATextLongerThanAnyCaseNameIsNotComparedWithNames() throws {
        let long = String(repeating: "Mapp v Ohio ", count: 100_000)
        let start = Date()
        let error = try XCTUnwrap(lookupError(long))
        XCTAssertEqual(error.kind, .notFound)
        XCTAssertEqual(error.candidates, [])
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertLessThan(error.message.count, 400, "the message quotes the start of the text, not all of it")
        XCTAssertTrue(error.message.contains("… (1200000 characters)"), String(error.message.prefix(400)))
    }

    func testAnUnknownIdentifierSaysWhatWasTried() throws {
        for text in ["999 U.S. 1", "scotus:999US1", "2099-001", "", "   "] {
            let error = try XCTUnwrap(lookupError(text))
            XCTAssertEqual(error.kind, .notFound, text)
            XCTAssertEqual(error.candidates, [], text)
            XCTAssertTrue(error.message.contains("nor an identifier (application_number, ecli, hudoc_item, scdb_case_id, us_cite, usid)"), error.message)
        }
    }
}
