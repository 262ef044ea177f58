import XCTest
import Foundation
import Ontology
import LexgraphCore

/// Update files parse with positioned errors; each change kind transforms the ontology
/// and is classified additive / data migration / breaking; diffs between documents.
final class OntologyUpdatePlanTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let base = """
    ontology: test
    version: 1
    identifier_formats:
      code: {pattern: '[A-Z]{3}-[0-9]+', example: ABC-1}
    node_types:
      Doc:
        abstract: true
        properties:
          title: {type: string, required: true}
          body: text
      Ruling:
        is_a: Doc
        valid_from: decided
        properties:
          decided: date
          status: {type: string, values: [open, closed, stayed]}
          code: {type: string, format: code}
          count: string
      Memo:
        is_a: Doc
        properties:
          author: string
    edge_types:
      REFERS:
        from: Doc
        to: Doc
        properties:
          weight: int
    """

    func base() throws -> Ontology { try Ontology(yaml: Self.base, file: "test.yaml") }

    func update(_ changes: String, number: Int = 2) -> String {
        "update: \(number)\ndate: 2026-11-29\nbase_version: \(number - 1)\ndescription: test\nchanges:\n" + changes
    }

    func plan(_ changes: String) throws -> OntologyUpdatePlan {
        try OntologyUpdate(yaml: update(changes), file: "u.yaml").plan(on: try base())
    }

    // MARK: The shipped update

    func testShippedUpdateTwoPlansOnLegalCore() throws {
        let corePath = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        let core = try Ontology(yaml: try String(contentsOfFile: corePath, encoding: .utf8), file: corePath)
        let folder = Self.root.appendingPathComponent("ontology/updates")
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("0002-") })
        guard case .update(let update) = try OntologyFile.read(path: folder.appendingPathComponent(name).path) else { return XCTFail("not an update") }
        XCTAssertEqual(update.number, 2)
        XCTAssertEqual(update.baseVersion, 1)
        let plan = try update.plan(on: core)
        XCTAssertEqual(plan.result.version, 2)
        XCTAssertNil(plan.result.nodeTypes["ECtHRCase"])
        XCTAssertEqual(plan.result.nodeTypes["ECtHRJudgment"]?.parent, "Case")
        XCTAssertEqual(plan.result.subtypes(of: "Case"), ["Case", "ECtHRJudgment", "SupremeCourtCase"])
        XCTAssertEqual(plan.result.properties(ofNodeType: "ECtHRJudgment")["importance_level"]?.type, .int)
        XCTAssertEqual(plan.result.properties(ofNodeType: "ECtHRJudgment")["ecli"]?.format, "ecli")
        XCTAssertEqual(plan.steps.map(\.impact), [.breaking, .additive, .additive])
        XCTAssertEqual(plan.steps.first?.change, .renameNodeType(from: "ECtHRCase", to: "ECtHRJudgment", migrate: true))
        // The result's document reads back equal: it is what the store keeps as version 2.
        XCTAssertEqual(try Ontology(yaml: plan.result.yamlText, file: "v2"), plan.result)
    }

    // MARK: Each change kind

    func testAdditiveChanges() throws {
        let p = try plan("""
          - op: add_identifier_format
            name: docket
            definition: {pattern: '[0-9]+-[0-9]+', example: 12-34}
          - op: add_node_type
            name: Order
            definition: {is_a: Doc, properties: {docket: {type: string, format: docket}}}
          - op: add_edge_type
            name: AMENDS
            definition: {from: Order, to: Ruling}
          - op: add_property
            node_type: Memo
            name: pages
            definition: int
          - op: add_allowed_values
            node_type: Ruling
            property: status
            values: [remanded]
          - op: make_optional
            node_type: Doc
            property: title
          - op: set_description
            edge_type: REFERS
            description: One document mentions another.
          - op: change_property_type
            edge_type: REFERS
            property: weight
            type: float
        """)
        XCTAssertEqual(p.steps.map(\.impact), Array(repeating: .additive, count: 8))
        XCTAssertFalse(p.hasBreakingChanges)
        let o = p.result
        XCTAssertEqual(o.version, 2)
        XCTAssertTrue(o.isA("Order", "Doc"))
        XCTAssertEqual(o.edgeTypes["AMENDS"]?.to, ["Ruling"])
        XCTAssertEqual(o.nodeTypes["Memo"]?.properties["pages"]?.type, .int)
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["status"]?.allowedValues, ["open", "closed", "stayed", "remanded"])
        XCTAssertEqual(o.nodeTypes["Doc"]?.properties["title"]?.required, false)
        XCTAssertEqual(o.edgeTypes["REFERS"]?.description, "One document mentions another.")
        XCTAssertEqual(o.edgeTypes["REFERS"]?.properties["weight"]?.type, .float)
        XCTAssertEqual(o.violations(nodeType: "Order", properties: ["docket": .string("12-34")]), [])
    }

    func testRenamesFollowReferences() throws {
        let p = try plan("""
          - op: rename_node_type
            from: Doc
            to: Document
          - op: rename_property
            node_type: Ruling
            from: decided
            to: decision_date
            migrate: true
          - op: rename_edge_type
            from: REFERS
            to: MENTIONS
            migrate: true
        """)
        XCTAssertEqual(p.steps.map(\.impact), [.breaking, .breaking, .breaking])
        let o = p.result
        XCTAssertEqual(o.nodeTypes["Ruling"]?.parent, "Document")
        XCTAssertEqual(o.edgeTypes["MENTIONS"]?.from, ["Document"])
        XCTAssertEqual(o.edgeTypes["MENTIONS"]?.name, "MENTIONS")
        XCTAssertNil(o.edgeTypes["REFERS"])
        XCTAssertEqual(o.validFromProperty(ofNodeType: "Ruling"), "decision_date", "valid_from follows the renamed property")
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["decision_date"]?.type, .date)
    }

    func testBreakingChangesAndTheirClassification() throws {
        let p = try plan("""
          - op: map_values
            node_type: Ruling
            property: status
            mapping: {stayed: open}
          - op: remove_allowed_values
            node_type: Ruling
            property: status
            values: [stayed]
          - op: remove_property
            node_type: Memo
            property: author
          - op: change_property_type
            node_type: Ruling
            property: count
            type: int
          - op: make_required
            node_type: Ruling
            property: code
            default: ABC-0
          - op: set_parent
            node_type: Memo
            is_a: null
          - op: redefine_property
            node_type: Ruling
            property: decided
            definition: {type: date, required: true}
          - op: remove_edge_type
            name: REFERS
          - op: remove_node_type
            name: Memo
        """)
        XCTAssertEqual(p.steps.map(\.impact), [.dataMigration, .breaking, .breaking, .breaking, .breaking, .breaking, .breaking, .breaking, .breaking])
        let o = p.result
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["status"]?.allowedValues, ["open", "closed"])
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["count"]?.type, .int)
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["code"]?.required, true)
        XCTAssertEqual(o.nodeTypes["Ruling"]?.properties["decided"]?.required, true)
        XCTAssertNil(o.nodeTypes["Memo"])
        XCTAssertNil(o.edgeTypes["REFERS"])
        XCTAssertTrue(p.summary.contains("! remove property 'author' of node type 'Memo'"), p.summary)
    }

    func testLooseningRedefinitionIsAdditive() throws {
        let p = try plan("""
          - op: redefine_property
            node_type: Ruling
            property: status
            definition: {type: string, values: [open, closed, stayed, settled]}
          - op: redefine_edge_type
            name: REFERS
            definition: {from: Doc, to: Doc, properties: {weight: float, note: string}}
        """)
        XCTAssertEqual(p.steps.map(\.impact), [.additive, .additive])
    }

    // MARK: Errors name file:line:column

    func testChangeThatDoesNotFitIsAnErrorAtItsLine() throws {
        let text = update("""
          - op: add_property
            node_type: Memo
            name: pages
            definition: int
          - op: remove_node_type
            name: Doc
        """)
        XCTAssertThrowsError(try OntologyUpdate(yaml: text, file: "u.yaml").plan(on: try base())) { error in
            XCTAssertEqual("\(error)", "u.yaml:10:5: remove_node_type: node type 'Doc' still has subtypes: Memo, Ruling (remove or re-parent them first)")
        }
        let renameIntoInherited = update("""
          - op: rename_property
            node_type: Ruling
            from: count
            to: title
        """)
        XCTAssertThrowsError(try OntologyUpdate(yaml: renameIntoInherited, file: "u.yaml").plan(on: try base())) { error in
            XCTAssertEqual("\(error)", "u.yaml:6:5: rename_property: node type 'Ruling' already has property 'title'")
        }
        let inherited = update("""
          - op: remove_property
            node_type: Ruling
            property: title
        """)
        XCTAssertThrowsError(try OntologyUpdate(yaml: inherited, file: "u.yaml").plan(on: try base())) { error in
            XCTAssertEqual("\(error)", "u.yaml:6:5: remove_property: property 'title' is declared on node type 'Doc', not on 'Ruling' (change it there)")
        }
    }

    func testMalformedUpdateFilesNameThePlace() {
        func message(_ text: String, file: String = "u.yaml") -> String {
            do { _ = try OntologyUpdate(yaml: text, file: file); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(update("  - op: rename_node_typ\n    from: A\n    to: B\n")),
                       "u.yaml:6:9: unknown operation 'rename_node_typ' (did you mean 'rename_node_type'?); operations: add_allowed_values, add_edge_type, add_identifier_format, add_node_type, add_property, change_property_type, make_optional, make_required, map_values, redefine_edge_type, redefine_identifier_format, redefine_node_type, redefine_property, remove_allowed_values, remove_edge_type, remove_identifier_format, remove_node_type, remove_property, rename_edge_type, rename_node_type, rename_property, set_description, set_parent")
        XCTAssertEqual(message(update("  - op: rename_node_type\n    from: A\n    too: B\n")),
                       "u.yaml:8:10: unknown key 'too' in rename_node_type (allowed: from, migrate, op, to)")
        XCTAssertEqual(message(update("  - op: remove_property\n    property: x\n")),
                       "u.yaml:6:5: remove_property needs 'node_type: T' or 'edge_type: E' (the type that declares the property)")
        XCTAssertEqual(message("update: 3\ndate: 2026-11-29\nbase_version: 1\ndescription: x\nchanges: []\n"),
                       "u.yaml:3:15: update 3 must apply to version 2, but says base_version: 1")
        XCTAssertEqual(message(update("  - op: remove_node_type\n    name: A\n"), file: "updates/0003-2026-11-29-x.yaml"),
                       "updates/0003-2026-11-29-x.yaml:1:9: the file name says update 3 but the file says update: 2")
        XCTAssertEqual(message(update("  - op: rename_node_type\n    from: A B\n    to: C\n")),
                       "u.yaml:7:11: 'from' must be a name (letters, digits, _), got 'A B'")
    }

    func testValueConversionForTightenedTypes() {
        XCTAssertEqual(PropertyType.int.converting(.string("12")), .int(12))
        XCTAssertEqual(PropertyType.int.converting(.float(3.0)), .int(3))
        XCTAssertNil(PropertyType.int.converting(.float(3.5)))
        XCTAssertNil(PropertyType.int.converting(.string("abc")))
        XCTAssertEqual(PropertyType.float.converting(.int(2)), .float(2))
        XCTAssertEqual(PropertyType.string.converting(.int(7)), .string("7"))
        XCTAssertEqual(PropertyType.bool.converting(.string("yes")), .bool(true))
        XCTAssertEqual(PropertyType.date.converting(.string("2001-02-03")), .string("2001-02-03"))
        XCTAssertNil(PropertyType.date.converting(.string("2001-02-30")))
        XCTAssertNil(PropertyType.list.converting(.string("a")))
        XCTAssertEqual(PropertyType.int.converting(.null), .null)
    }

    // MARK: Diff between documents

    func testDiffOfTwoDocumentsReproducesTheTarget() throws {
        let base = try base()
        let target = try plan("""
          - op: add_node_type
            name: Order
            definition: {is_a: Doc, description: An order.}
          - op: remove_property
            node_type: Memo
            property: author
          - op: change_property_type
            node_type: Ruling
            property: count
            type: int
          - op: set_parent
            node_type: Memo
            is_a: null
          - op: redefine_edge_type
            name: REFERS
            definition: {from: [Ruling, Order], to: Doc}
          - op: set_description
            description: The test ontology.
        """).result
        let changes = try base.changes(to: target)
        let replayed = try OntologyUpdatePlan(base: base, changes: changes.map { LocatedChange($0) }, resultVersion: target.version)
        XCTAssertEqual(replayed.result, target)
        // Memo's new parent makes its change a whole redefinition, which also carries the
        // removal of 'author'; the other differences stay fine-grained.
        XCTAssertEqual(changes.map(\.operationName).sorted(),
                       ["add_node_type", "redefine_edge_type", "redefine_node_type", "redefine_property", "set_description"])
        XCTAssertEqual(try base.changes(to: base), [])
    }
}
