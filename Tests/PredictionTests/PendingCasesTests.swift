import LexgraphCore
import Prediction
import XCTest

/// `lexgraph predict`'s input: pending cases with allowed fields only; an outcome field
/// is refused with its line, not silently dropped.
final class PendingCasesTests: XCTestCase {
    func read(_ text: String) throws -> [CaseInput] {
        try PendingCases.read(jsonLines: [UInt8](text.utf8), file: "pending.jsonl", scdb: nil)
    }

    func testAllowedFieldsAreRead() throws {
        let cases = try read("""
            {"name": "A v. B", "term_for_split": 2012, "facts": "x", "usid": "567US1", "scdb_issue": 10020, "first_party": "A"}

            {"name": "C v. D", "term_for_split": 2013, "facts": "y"}
            """)
        XCTAssertEqual(cases.map(\.name), ["A v. B", "C v. D"])
        XCTAssertEqual(cases[0].scdbIssue, 10020)
        XCTAssertEqual(cases[0].referenceDate, LegalDate(year: 2012, month: 10, day: 1))
    }

    func testOutcomeFieldIsRefusedWithItsLine() {
        let text = """
            {"name": "A v. B", "term_for_split": 2012, "facts": "x"}
            {"name": "C v. D", "term_for_split": 2013, "facts": "y", "label_first_party_winner": true}
            """
        XCTAssertThrowsError(try read(text)) { error in
            let e = error as? PredictionError
            XCTAssertEqual(e?.location?.file, "pending.jsonl")
            XCTAssertEqual(e?.location?.line, 2)
            XCTAssertTrue(e?.message.contains("'label_first_party_winner'") == true, "\(error)")
        }
        for field in ["decision_date", "majority_vote", "scdb_partyWinning", "oyez_disposition"] {
            XCTAssertThrowsError(try read(#"{"term_for_split": 2012, "facts": "x", "\#(field)": 1}"#), field) {
                XCTAssertTrue("\($0)".contains("pending.jsonl:1") && "\($0)".contains("'\(field)'"), "\($0)")
            }
        }
    }

    func testEmptyOrMalformedInput() {
        XCTAssertThrowsError(try read("\n\n")) { XCTAssertTrue("\($0)".contains("no cases"), "\($0)") }
        XCTAssertThrowsError(try read("{\"term_for_split\": 2012,")) { XCTAssertTrue("\($0)".contains("pending.jsonl:1"), "\($0)") }
        XCTAssertThrowsError(try read(#"{"facts": "no term"}"#)) { XCTAssertTrue("\($0)".contains("term_for_split"), "\($0)") }
    }
}
