import XCTest
import Foundation
import Ontology
import LexgraphCore

/// The shipped ontology parses, is consistent, and checks values as curators expect.
final class LegalCoreTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func load() throws -> Ontology {
        let path = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        return try Ontology(yaml: try String(contentsOfFile: path, encoding: .utf8), file: "ontology/legal-core.yaml")
    }

    func testShippedOntologyIsConsistent() throws {
        let o = try load()
        XCTAssertEqual(o.version, 1)
        XCTAssertEqual(o.check(), [])
        XCTAssertEqual(o.subtypes(of: "Case"), ["Case", "ECtHRCase", "SupremeCourtCase"])
        XCTAssertTrue(o.isA("Article", "LegalAuthority"))
        XCTAssertEqual(o.validFromProperty(ofNodeType: "SupremeCourtCase"), "decision_date")
        XCTAssertEqual(o.properties(ofNodeType: "SupremeCourtCase")["facts"]?.type, .text)
    }

    func testValuesAreCheckedAgainstTypesFormatsAndVocabularies() throws {
        let o = try load()
        XCTAssertEqual(o.violations(nodeType: "SupremeCourtCase", properties: ["name": .string("Mapp v. Ohio"), "us_cite": .string("367 U.S. 643"), "decision_date": .string("1961-06-19")]), [])
        XCTAssertEqual(o.violations(nodeType: "SupremeCourtCase", properties: ["us_cite": .string("367 US 643")]),
                       ["property 'us_cite' value \"367 US 643\" is not a valid us_reports (e.g. 384 U.S. 436)"])
        XCTAssertEqual(o.violations(nodeType: "SupremeCourtCase", properties: ["decision_date": .string("1961-02-30")]),
                       ["property 'decision_date' must be date (YYYY-MM-DD), got \"1961-02-30\""])
        XCTAssertEqual(o.violations(nodeType: "Cse", properties: [:]), ["unknown node type 'Cse' (did you mean 'Case'?)"])
        XCTAssertEqual(o.violations(nodeType: "Case", properties: [:]).first?.hasPrefix("node type 'Case' is abstract"), true)
        XCTAssertEqual(o.violations(nodeType: "Court", properties: [:]), ["missing required property 'name' of node type 'Court'"])
        XCTAssertEqual(o.violations(edgeType: "CITES", fromType: "SupremeCourtCase", toType: "Article", properties: ["treatment": .string("followed")]), [])
        XCTAssertEqual(o.violations(edgeType: "CITES", fromType: "SupremeCourtCase", toType: "Court", properties: ["treatment": .string("praised")]).count, 2)
    }

    func testErrorsInAnOntologyFileNameTheLine() {
        let text = """
        ontology: broken
        version: 1
        node_types:
          Case:
            properties:
              decided: datetime
        """
        XCTAssertThrowsError(try Ontology(yaml: text, file: "broken.yaml")) { error in
            XCTAssertEqual("\(error)", "broken.yaml:6:16: property 'decided': unknown type 'datetime' (types: string, text, int, float, bool, date, list)")
        }
    }
}
