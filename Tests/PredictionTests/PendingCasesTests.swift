import GraphStore
import LexgraphCore
import Ontology
import Prediction
import XCTest

/// `lexgraph predict`'s input: pending cases with allowed fields only; an outcome field
/// is refused with its line, not silently dropped; a repeated key, a malformed usid and a
/// usid the graph does not hold are refused with the line and the value.
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

    /// A store under the real ontology holding two cases: one keyed by its usid, one (as
    /// cases after 2002 are) by its SCDB id with the usid as a property.
    func identifiers() throws -> PendingCaseIdentifiers {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("ontology/legal-core.yaml"), encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: "legal-core.yaml"), documentText: text)
        try store.write { writer in
            _ = try writer.upsert(NodeInput(key: "scotus:384US436", type: "SupremeCourtCase",
                                            properties: ["name": .string("Miranda v. Arizona"), "usid": .string("384US436")]))
            _ = try writer.upsert(NodeInput(key: "scotus:scdb:2012-001", type: "SupremeCourtCase",
                                            properties: ["name": .string("Arkansas Game & Fish Comm'n v. United States"), "usid": .string("568US23")]))
        }
        return try PendingCaseIdentifiers(store: store)
    }

    func testUsidMustBeWellFormedAndInTheGraph() throws {
        let ids = try identifiers()
        func read(_ text: String) throws -> [CaseInput] {
            try PendingCases.read(jsonLines: [UInt8](text.utf8), file: "pending.jsonl", scdb: nil, identifiers: ids)
        }
        let ok = try read("""
            {"term_for_split": 1965, "facts": "x", "usid": "384US436"}
            {"term_for_split": 2012, "facts": "y", "usid": "568US23"}
            {"term_for_split": 2013, "facts": "z"}
            """)
        XCTAssertEqual(ok.map(\.usid), ["384US436", "568US23", nil])
        XCTAssertThrowsError(try read("""
            {"term_for_split": 1965, "facts": "x", "usid": "384US436"}
            {"term_for_split": 2013, "facts": "y", "usid": "384 U.S. 436"}
            """)) { error in
            XCTAssertEqual((error as? PredictionError)?.location, SourceLocation(file: "pending.jsonl", line: 2))
            XCTAssertTrue("\(error)".contains("usid \"384 U.S. 436\" is malformed") && "\(error)".contains("e.g. 384US436"), "\(error)")
        }
        XCTAssertThrowsError(try read(#"{"term_for_split": 2013, "facts": "y", "usid": "999US999"}"#)) { error in
            XCTAssertEqual("\(error)", "pending.jsonl:1: usid \"999US999\" is not in the graph (no SupremeCourtCase has it): "
                           + "correct it, or leave usid out for a case the graph does not hold")
        }
    }

    func testRepeatedKeyIsRefusedWithItsLineAndName() {
        let text = """
            {"term_for_split": 2012, "facts": "x"}
            {"term_for_split": 2013, "facts": "y", "usid": "384US436", "usid": "568US23"}
            """
        XCTAssertThrowsError(try read(text)) { error in
            let e = error as? PredictionError
            XCTAssertEqual(e?.location?.file, "pending.jsonl")
            XCTAssertEqual(e?.location?.line, 2)
            XCTAssertEqual(e?.location?.column, 60)
            XCTAssertTrue(e?.message.contains("duplicate key \"usid\"") == true, "\(error)")
        }
        // A repeated outcome key is caught as repeated before it is caught as an outcome.
        XCTAssertThrowsError(try read(#"{"term_for_split": 2012, "term_for_split": 2013, "facts": "x"}"#)) {
            XCTAssertTrue("\($0)".hasPrefix("pending.jsonl:1:26: invalid JSON: duplicate key \"term_for_split\""), "\($0)")
        }
    }
}
