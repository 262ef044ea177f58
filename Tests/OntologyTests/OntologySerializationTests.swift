import XCTest
import Foundation
import Ontology
import LexgraphCore

/// `Ontology.yamlText` reads back to an equal ontology: the store keeps that text as
/// the document of every version an update produces.
final class OntologySerializationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testLegalCoreRoundTrips() throws {
        let path = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        let original = try Ontology(yaml: try String(contentsOfFile: path, encoding: .utf8), file: "legal-core.yaml")
        let text = original.yamlText
        let reread = try Ontology(yaml: text, file: "generated.yaml")
        XCTAssertEqual(reread, original)
        XCTAssertEqual(reread.description, original.description)
        XCTAssertNotNil(original.description)
        XCTAssertEqual(reread.yamlText, text, "the generated document is deterministic")
        // Regular expressions with backslashes survive quoting.
        XCTAssertEqual(reread.identifierFormats["us_reports"]?.pattern, #"[0-9]{1,3} U\.S\. [0-9_]{1,4}"#)
    }

    func testAwkwardStringsRoundTrip() throws {
        let awkward = ["null", "true", "~", "", " leading space", "colon: inside", "hash # inside", "it's", "quote \"double\"",
                       "line\nbreak", "tab\there", "[bracketed]", "{braced}", "a, b", "- dash", "Ünïcödé – ok", "12", "1.5e3", "@at", "back\\slash"]
        var ontology = Ontology(name: "awkward", version: 3, description: "multi\nline description: with 'quotes'")
        ontology.identifierFormats["f"] = IdentifierFormat(name: "f", pattern: #"[a-z]+\d*"#, example: "ab1", description: "a, b: c")
        var properties: [String: PropertySpec] = [:]
        for (i, s) in awkward.enumerated() {
            properties["p\(i)"] = PropertySpec(name: "p\(i)", type: .string, required: i % 2 == 0, allowedValues: [s, "x"], description: s)
        }
        properties["coded"] = PropertySpec(name: "coded", type: .string, format: "f")
        ontology.nodeTypes["Root"] = NodeType(name: "Root", isAbstract: true, properties: ["day": PropertySpec(name: "day", type: .date)])
        ontology.nodeTypes["Leaf"] = NodeType(name: "Leaf", parent: "Root", properties: properties, validFromProperty: "day", description: "null")
        ontology.nodeTypes["Bare"] = NodeType(name: "Bare")
        ontology.edgeTypes["LINK"] = EdgeType(name: "LINK", from: ["Leaf", "Bare"], to: ["Root"], properties: ["w": PropertySpec(name: "w", type: .float)], description: "# not a comment")
        XCTAssertEqual(ontology.check(), [])
        let text = ontology.yamlText
        XCTAssertEqual(try Ontology(yaml: text, file: "awkward.yaml"), ontology, text)
    }

    func testHierarchyOrderPutsSubtypesAfterTheirParent() throws {
        let path = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try Ontology(yaml: try String(contentsOfFile: path, encoding: .utf8), file: "legal-core.yaml").yamlText
        let authority = try XCTUnwrap(text.range(of: "\n  LegalAuthority:")), caseType = try XCTUnwrap(text.range(of: "\n  Case:"))
        let scotus = try XCTUnwrap(text.range(of: "\n  SupremeCourtCase:"))
        XCTAssertLessThan(authority.lowerBound, caseType.lowerBound)
        XCTAssertLessThan(caseType.lowerBound, scotus.lowerBound)
        XCTAssertTrue(text.contains("    ecli: {type: string, format: ecli}\n"), "short property forms stay readable")
    }
}
