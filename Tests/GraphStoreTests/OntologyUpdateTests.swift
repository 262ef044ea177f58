import XCTest
import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Ontology

/// Applying ontology updates to a stored graph: ordering and idempotence, counts of
/// affected items, migrations in SQL, `--force`, and all-or-nothing transactions.
final class OntologyUpdateTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let ontologyText = """
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
          extra: list
      Memo:
        is_a: Doc
        properties:
          author: string
          score: int
    edge_types:
      REFERS:
        from: Doc
        to: Doc
        properties:
          weight: int
    """

    /// Three rulings, two memos, three REFERS edges.
    func makeStore() throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: Self.ontologyText, file: "test.yaml"), documentText: Self.ontologyText)
        try store.write { w in
            try w.upsert(NodeInput(key: "r1", type: "Ruling", properties: ["title": .string("Alpha"), "decided": .string("2001-02-03"), "status": .string("stayed"),
                                                                          "count": .string("12"), "extra": .list([.bool(true), .int(1)]), "body": .string("tenancy eviction")]))
            try w.upsert(NodeInput(key: "r2", type: "Ruling", properties: ["title": .string("Beta"), "status": .string("open"), "count": .string("abc")]))
            try w.upsert(NodeInput(key: "r3", type: "Ruling", properties: ["title": .string("Gamma"), "status": .string("stayed"), "code": .string("ABC-7")]))
            try w.upsert(NodeInput(key: "m1", type: "Memo", properties: ["title": .string("Note"), "author": .string("Kim"), "body": .string("memo text")]))
            try w.upsert(NodeInput(key: "m2", type: "Memo", properties: ["title": .string("Other"), "score": .int(3)]))
            try w.upsert(EdgeInput(key: "REFERS|r1|r2", type: "REFERS", from: "r1", to: "r2", properties: ["weight": .int(2)]))
            try w.upsert(EdgeInput(key: "REFERS|m1|r1", type: "REFERS", from: "m1", to: "r1"))
            try w.upsert(EdgeInput(key: "REFERS|r3|m2", type: "REFERS", from: "r3", to: "m2"))
        }
        return store
    }

    func update(_ changes: String, number: Int = 2, file: String = "u.yaml") throws -> OntologyUpdate {
        try OntologyUpdate(yaml: "update: \(number)\ndate: 2026-11-29\nbase_version: \(number - 1)\ndescription: test update \(number)\nchanges:\n" + changes, file: file)
    }

    func props(_ store: GraphStore, _ key: String) throws -> [String: Value] {
        let text = try store.read { db in try String.fetchOne(db, sql: "SELECT props FROM node WHERE key = ?", arguments: [key]) }
        guard case .map(let m) = try Value.parseJSON(try XCTUnwrap(text)) else { return [:] }
        return m
    }

    /// Everything a failed update must leave as it was.
    func snapshot(_ store: GraphStore) throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT 'node ' || key || ' ' || type || ' ' || props FROM node
                UNION ALL SELECT 'label ' || label || ' ' || node_id FROM node_label
                UNION ALL SELECT 'edge ' || coalesce(key, '') || ' ' || type || ' ' || props FROM edge
                UNION ALL SELECT 'version ' || version || ' ' || checksum FROM ontology_version
                UNION ALL SELECT 'fts ' || rowid || ' ' || text FROM node_fts
                ORDER BY 1
                """)
        }
    }

    // MARK: Additive

    func testAdditiveUpdateAppliesAndIsRecorded() throws {
        let store = try makeStore()
        let u = try update("""
          - op: add_property
            node_type: Memo
            name: pages
            definition: int
          - op: add_node_type
            name: Order
            definition: {is_a: Doc}
        """)
        let report = try store.applyOntologyUpdate(u)
        XCTAssertEqual(report.status, .applied)
        XCTAssertEqual(report.outcomes.map(\.action), [.nothingStored, .nothingStored])
        let active = try store.activeOntology()
        XCTAssertEqual(active.version, 2)
        XCTAssertEqual(active.nodeTypes["Memo"]?.properties["pages"]?.type, .int)
        // Writes are now checked against version 2.
        _ = try store.write { w in try w.upsert(NodeInput(key: "o1", type: "Order", properties: ["title": .string("O")])) }
        let history = try store.ontologyHistory()
        XCTAssertEqual(history.map(\.version), [1, 2])
        XCTAssertEqual(history[1].checksum, u.checksum)
        XCTAssertEqual(history[1].checksum, Checksum.sha256Hex("update: 2\ndate: 2026-11-29\nbase_version: 1\ndescription: test update 2\nchanges:\n" + """
          - op: add_property
            node_type: Memo
            name: pages
            definition: int
          - op: add_node_type
            name: Order
            definition: {is_a: Doc}
        """))
        XCTAssertEqual(history[1].source, "u.yaml")
        XCTAssertEqual(history[1].summary, """
            test update 2
            + add property 'pages': int to node type 'Memo' [additive]: touches no stored items
            + add node type 'Order' (is_a Doc) [additive]: touches no stored items
            """)
    }

    // MARK: Ordering

    func testApplyingTwiceIsANoOpAndADifferentFileWithTheSameNumberIsAnError() throws {
        let store = try makeStore()
        let u = try update("  - op: add_property\n    node_type: Memo\n    name: pages\n    definition: int\n")
        _ = try store.applyOntologyUpdate(u)
        let before = try snapshot(store)
        let again = try store.applyOntologyUpdate(u)
        XCTAssertEqual(again.status, .alreadyApplied)
        XCTAssertEqual(try snapshot(store), before)
        let edited = try update("  - op: add_property\n    node_type: Memo\n    name: pagez\n    definition: int\n")
        XCTAssertThrowsError(try store.applyOntologyUpdate(edited)) { error in
            XCTAssertTrue("\(error)".hasPrefix("u.yaml: version 2 was already applied from a different file (u.yaml, checksum \(u.checksum.prefix(12))…"), "\(error)")
        }
        XCTAssertEqual(try snapshot(store), before)
    }

    func testOutOfOrderIsRefused() throws {
        let store = try makeStore()
        let u3 = try update("  - op: add_property\n    node_type: Memo\n    name: pages\n    definition: int\n", number: 3, file: "u3.yaml")
        XCTAssertThrowsError(try store.applyOntologyUpdate(u3)) { error in
            XCTAssertEqual("\(error)", "u3.yaml: update 3 is out of order: the database is at ontology version 1, so the next update must be number 2")
        }
        XCTAssertEqual(try store.activeOntology().version, 1)
    }

    func testSchemaFreeDatabaseHasNoOntologyToUpdate() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        XCTAssertThrowsError(try store.applyOntologyUpdate(try update("  - op: remove_node_type\n    name: X\n"))) { error in
            XCTAssertEqual("\(error)", "u.yaml: the database is schema-free (permissive): it has no ontology to update")
        }
    }

    // MARK: Breaking changes are counted and refused

    func testBreakingChangesAreRefusedWithExactCounts() throws {
        let store = try makeStore()
        let before = try snapshot(store)
        let u = try update("""
          - op: remove_property
            node_type: Ruling
            property: count
          - op: remove_allowed_values
            node_type: Ruling
            property: status
            values: [stayed]
          - op: remove_edge_type
            name: REFERS
          - op: make_required
            node_type: Memo
            property: author
          - op: add_property
            node_type: Memo
            name: pages
            definition: int
          - op: rename_node_type
            from: Memo
            to: Note
        """)
        XCTAssertThrowsError(try store.applyOntologyUpdate(u)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("u.yaml: update 2 refused, database unchanged:\n"), text)
            XCTAssertTrue(text.contains("\n  u.yaml:6:5: ! remove property 'count' of node type 'Ruling' [breaking]: 2 nodes (e.g. r1, r2): REFUSED, 2 would break: rename it"), text)
            XCTAssertTrue(text.contains("\n  u.yaml:9:5: ! disallow values stayed for property 'status' of node type 'Ruling' [breaking]: 2 nodes (e.g. r1, r3): REFUSED, 2 would break: map them"), text)
            XCTAssertTrue(text.contains("\n  u.yaml:13:5: ! remove edge type 'REFERS' [breaking]: 3 edges (e.g. REFERS|m1|r1, REFERS|r1|r2, REFERS|r3|m2): REFUSED, 3 would break: pass --force"), text)
            XCTAssertTrue(text.contains("\n  u.yaml:15:5: ! make property 'author' of node type 'Memo' required [breaking]: 1 node (e.g. m2): REFUSED, 1 would break: give the change a 'default:'"), text)
            XCTAssertTrue(text.contains("\n  u.yaml:22:5: ! rename node type 'Memo' to 'Note' [breaking]: 2 nodes (e.g. m1, m2): REFUSED, 2 would break: add 'migrate: true'"), text)
            XCTAssertFalse(text.contains("pages"), "additive changes are not refused")
        }
        XCTAssertEqual(try snapshot(store), before)

        let report = try store.applyOntologyUpdate(u, options: OntologyApplyOptions(dryRun: true))
        XCTAssertEqual(report.status, .dryRun)
        XCTAssertFalse(report.isApplicable)
        XCTAssertEqual(report.refused.count, 5)
        XCTAssertEqual(report.outcomes.map(\.touched.nodes), [2, 2, 0, 1, 0, 2])
        XCTAssertEqual(report.outcomes.map(\.touched.edges), [0, 0, 3, 0, 0, 0])
        XCTAssertEqual(report.outcomes[3].action, .refused(count: 1, reason: "give the change a 'default:' to store in them"))
        XCTAssertEqual(report.outcomes[4].action, .nothingStored)
        XCTAssertEqual(try snapshot(store), before, "a dry run leaves the database as it was")
    }

    func testBreakingChangeTouchingNothingApplies() throws {
        let store = try makeStore()
        // No ruling is 'closed', so disallowing it breaks nothing stored.
        let report = try store.applyOntologyUpdate(try update("  - op: remove_allowed_values\n    node_type: Ruling\n    property: status\n    values: [closed]\n"))
        XCTAssertEqual(report.status, .applied)
        XCTAssertEqual(report.outcomes.first?.impact, .breaking)
        XCTAssertEqual(report.outcomes.first?.action, .nothingStored)
        XCTAssertEqual(try store.activeOntology().nodeTypes["Ruling"]?.properties["status"]?.allowedValues, ["open", "stayed"])
    }

    // MARK: Migrations

    func testRenameNodeTypeWithMigrationMovesTypeAndLabels() throws {
        let store = try makeStore()
        let report = try store.applyOntologyUpdate(try update("  - op: rename_node_type\n    from: Memo\n    to: Note\n    migrate: true\n"))
        XCTAssertEqual(report.outcomes.first?.action, .migrated)
        XCTAssertEqual(report.outcomes.first?.touched, StoredItems(nodes: 2, sampleKeys: ["m1", "m2"]))
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT n.key, n.type, group_concat(l.label) AS labels FROM node n JOIN node_label l ON l.node_id = n.id WHERE n.key LIKE 'm%' GROUP BY n.id ORDER BY n.key")
        }
        XCTAssertEqual(rows.map { "\($0["key"] as String) \($0["type"] as String) \($0["labels"] as String)" }, ["m1 Note Note", "m2 Note Note"])
        XCTAssertEqual(try props(store, "m1"), ["title": .string("Note"), "author": .string("Kim"), "body": .string("memo text")])
        XCTAssertEqual(try store.activeOntology().edgeTypes["REFERS"]?.from, ["Doc"])
        // Re-loading a record under the new name finds the same node.
        let outcome = try store.write { w in try w.upsert(NodeInput(key: "m1", type: "Note", properties: ["title": .string("Note"), "author": .string("Kim"), "body": .string("memo text")])) }
        XCTAssertEqual(outcome, .unchanged)
    }

    func testRenameEdgeTypeKeepsConventionalKeysInStep() throws {
        let store = try makeStore()
        _ = try store.applyOntologyUpdate(try update("  - op: rename_edge_type\n    from: REFERS\n    to: MENTIONS\n    migrate: true\n"))
        let keys = try store.read { db in try String.fetchAll(db, sql: "SELECT key || ' ' || type FROM edge ORDER BY key") }
        XCTAssertEqual(keys, ["MENTIONS|m1|r1 MENTIONS", "MENTIONS|r1|r2 MENTIONS", "MENTIONS|r3|m2 MENTIONS"])
        let outcome = try store.write { w in
            try w.upsert(EdgeInput(key: EdgeInput.defaultKey(type: "MENTIONS", from: "r1", to: "r2"), type: "MENTIONS", from: "r1", to: "r2", properties: ["weight": .int(2)]))
        }
        XCTAssertEqual(outcome, .unchanged)
    }

    func testRenamePropertyWithMigrationMovesValuesAndReindexesText() throws {
        let store = try makeStore()
        let report = try store.applyOntologyUpdate(try update("""
          - op: rename_property
            node_type: Ruling
            from: extra
            to: extras
            migrate: true
          - op: rename_property
            node_type: Doc
            from: body
            to: summary
            migrate: true
        """))
        XCTAssertEqual(report.outcomes.map(\.action), [.migrated, .migrated])
        XCTAssertEqual(report.outcomes.map(\.touched.nodes), [1, 2])
        XCTAssertEqual(try props(store, "r1")["extras"], .list([.bool(true), .int(1)]))
        XCTAssertNil(try props(store, "r1")["extra"])
        XCTAssertEqual(try props(store, "r1")["summary"], .string("tenancy eviction"))
        // Stored JSON stays in the writer's canonical form, so a re-load reports "unchanged".
        let stored = try store.read { db in try String.fetchOne(db, sql: "SELECT props FROM node WHERE key = 'r1'") }
        XCTAssertEqual(stored, Value.map(try props(store, "r1")).jsonText)
        let hits = try store.read { db in try String.fetchAll(db, sql: "SELECT n.key FROM node_fts f JOIN node n ON n.id = f.rowid WHERE node_fts MATCH 'eviction'") }
        XCTAssertEqual(hits, ["r1"])
    }

    func testMapValuesThenRemoveAllowedValues() throws {
        let store = try makeStore()
        let report = try store.applyOntologyUpdate(try update("""
          - op: map_values
            node_type: Ruling
            property: status
            mapping: {stayed: open}
          - op: remove_allowed_values
            node_type: Ruling
            property: status
            values: [stayed]
        """))
        XCTAssertEqual(report.outcomes.map(\.action), [.migrated, .nothingStored])
        XCTAssertEqual(report.outcomes[0].touched, StoredItems(nodes: 2, sampleKeys: ["r1", "r3"]))
        XCTAssertEqual(try ["r1", "r2", "r3"].map { try props(store, $0)["status"] }, [.string("open"), .string("open"), .string("open")])
        XCTAssertEqual(try store.activeOntology().nodeTypes["Ruling"]?.properties["status"]?.allowedValues, ["open", "closed"])
    }

    func testForceDropsRemovedData() throws {
        let store = try makeStore()
        let u = try update("""
          - op: remove_property
            node_type: Memo
            property: author
          - op: remove_node_type
            name: Memo
        """)
        XCTAssertThrowsError(try store.applyOntologyUpdate(u))
        let report = try store.applyOntologyUpdate(u, options: OntologyApplyOptions(force: true))
        XCTAssertEqual(report.outcomes.map(\.action), [.dropped, .dropped])
        XCTAssertEqual(report.outcomes[1].touched, StoredItems(nodes: 2, edges: 2, sampleKeys: ["m1", "m2", "REFERS|m1|r1"]))
        let counts = try store.counts()
        XCTAssertEqual(counts.nodes.map { "\($0.0) \($0.1)" }, ["Ruling 3"])
        XCTAssertEqual(counts.edges.map { "\($0.0) \($0.1)" }, ["REFERS 1"])
        XCTAssertEqual(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node_label WHERE label = 'Memo'") }, 0)
    }

    func testTighteningATypeConvertsValuesOrNeedsForce() throws {
        let store = try makeStore()
        let u = try update("  - op: change_property_type\n    node_type: Ruling\n    property: count\n    type: int\n")
        XCTAssertThrowsError(try store.applyOntologyUpdate(u)) { error in
            XCTAssertTrue("\(error)".contains("2 nodes (e.g. r1, r2): REFUSED, 1 would break: these values do not convert to int; fix them or pass --force to drop them; e.g. node 'r2' has \"abc\""), "\(error)")
        }
        let report = try store.applyOntologyUpdate(u, options: OntologyApplyOptions(force: true))
        XCTAssertEqual(report.outcomes.first?.action, .dropped)
        XCTAssertEqual(try props(store, "r1")["count"], .int(12))
        XCTAssertNil(try props(store, "r2")["count"])
    }

    func testMakeRequiredWithDefaultFillsTheGaps() throws {
        let store = try makeStore()
        let report = try store.applyOntologyUpdate(try update("  - op: make_required\n    node_type: Memo\n    property: score\n    default: 0\n"))
        XCTAssertEqual(report.outcomes.first?.action, .migrated)
        XCTAssertEqual(report.outcomes.first?.touched, StoredItems(nodes: 1, sampleKeys: ["m1"]))
        XCTAssertEqual(try props(store, "m1")["score"], .int(0))
        XCTAssertEqual(try props(store, "m2")["score"], .int(3))
    }

    func testReparentingIsCheckedAgainstStoredItems() throws {
        let store = try makeStore()
        // Memo as a root type loses the inherited 'title' and 'body', and leaves REFERS's
        // domain and range (Doc): both memos and both of their edges break.
        let u = try update("  - op: set_parent\n    node_type: Memo\n    is_a: null\n")
        let report = try store.applyOntologyUpdate(u, options: OntologyApplyOptions(dryRun: true))
        XCTAssertEqual(report.outcomes.first?.touched, StoredItems(nodes: 2, edges: 2, sampleKeys: ["m1", "m2", "REFERS|m1|r1"]))
        guard case .refused(let count, let reason)? = report.outcomes.first?.action else { return XCTFail("not refused") }
        XCTAssertEqual(count, 4)
        XCTAssertEqual(reason, "these items would violate the new definition; migrate them first; e.g. node 'm1': unknown property 'body' for node type 'Memo'")
    }

    // MARK: All or nothing

    func testViolationAfterMigrationRollsEverythingBack() throws {
        let store = try makeStore()
        let before = try snapshot(store)
        let countsBefore = try store.counts()
        // Memo declares its own 'score: int'. Moving Doc's text 'body' to a Doc property
        // named 'score' is a valid plan, and every step counts nothing breaking, but the
        // memo m1 then holds text where its type wants an int: only the final
        // re-validation sees it, and the whole update (rename of Memo included) rolls back.
        let u = try update("""
          - op: rename_node_type
            from: Memo
            to: Note
            migrate: true
          - op: rename_property
            node_type: Doc
            from: body
            to: score
            migrate: true
        """)
        XCTAssertThrowsError(try store.applyOntologyUpdate(u)) { error in
            XCTAssertEqual("\(error)", """
                u.yaml: update 2 refused, database unchanged:
                  after the migrations 1 stored item(s) would violate version 2, e.g.:
                    node 'm1': property 'score' must be int, got "memo text"
                """)
        }
        XCTAssertEqual(try snapshot(store), before)
        XCTAssertEqual(try store.counts().nodes.map { "\($0.0) \($0.1)" }, countsBefore.nodes.map { "\($0.0) \($0.1)" })
        XCTAssertEqual(try store.counts().nodes.map { "\($0.0) \($0.1)" }, ["Memo 2", "Ruling 3"])
        XCTAssertEqual(try store.activeOntology().version, 1)
        XCTAssertEqual(try store.ontologyHistory().count, 1)
    }

    func testWideningTheTextPropertiesReindexesEveryNode() throws {
        let store = try makeStore()
        func search(_ word: String) throws -> [String] {
            try store.read { db in try String.fetchAll(db, sql: "SELECT n.key FROM node_fts f JOIN node n ON n.id = f.rowid WHERE node_fts MATCH ? ORDER BY n.key", arguments: [word]) }
        }
        XCTAssertEqual(try search("kim"), [])
        let report = try store.applyOntologyUpdate(try update("  - op: change_property_type\n    node_type: Memo\n    property: author\n    type: text\n"))
        XCTAssertEqual(report.outcomes.first?.impact, .additive)
        XCTAssertEqual(try search("kim"), ["m1"])
        XCTAssertEqual(try search("eviction"), ["r1"])
    }

    // MARK: The shipped update

    func legalCoreStore() throws -> GraphStore {
        let path = Self.root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: path), documentText: text)
        try store.write { w in
            try w.upsert(NodeInput(key: "echr:001-57574", type: "ECtHRCase", properties: [
                "name": .string("Gillow v. the United Kingdom"), "ecli": .string("ECLI:CE:ECHR:1986:1124JUD000906380"),
                "application_number": .string("9063/80"), "decision_date": .string("1986-11-24"), "violation": .string("violation")]))
            try w.upsert(NodeInput(key: "echr:001-90000", type: "ECtHRCase", properties: [
                "name": .string("McCann v. the United Kingdom"), "application_number": .string("19009/04"), "decision_date": .string("2008-05-13")]))
            try w.upsert(NodeInput(key: "scotus:case:1961-091", type: "SupremeCourtCase", properties: ["name": .string("Mapp v. Ohio"), "us_cite": .string("367 U.S. 643")]))
            try w.upsert(NodeInput(key: "echr:article:8", type: "Article", properties: ["name": .string("Article 8"), "number": .string("8")]))
            try w.upsert(EdgeInput(key: "CITES|echr:001-90000|echr:001-57574", type: "CITES", from: "echr:001-90000", to: "echr:001-57574", properties: ["treatment": .string("followed")]))
            try w.upsert(EdgeInput(key: "APPLIES|echr:001-90000|echr:article:8", type: "APPLIES", from: "echr:001-90000", to: "echr:article:8"))
        }
        return store
    }

    func testShippedUpdateTwoMigratesECtHRCases() throws {
        let store = try legalCoreStore()
        let gillowBefore = try props(store, "echr:001-57574")
        // The shipped file itself (later updates in the folder must not change this test).
        let file = Self.root.appendingPathComponent("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml").path
        guard case .update(let shipped) = try OntologyFile.read(path: file) else { return XCTFail("not an update file") }
        let reports = [try store.applyOntologyUpdate(shipped)]
        XCTAssertEqual(reports.map(\.status), [.applied])
        XCTAssertEqual(reports[0].number, 2)
        XCTAssertEqual(reports[0].outcomes.first?.touched, StoredItems(nodes: 2, sampleKeys: ["echr:001-57574", "echr:001-90000"]))
        XCTAssertEqual(reports[0].outcomes.first?.action, .migrated)

        let active = try store.activeOntology()
        XCTAssertEqual(active.version, 2)
        XCTAssertNil(active.nodeTypes["ECtHRCase"])
        XCTAssertEqual(try store.counts().nodes.map { "\($0.0) \($0.1)" }, ["Article 1", "ECtHRJudgment 2", "SupremeCourtCase 1"])
        XCTAssertEqual(try store.counts().edges.map { "\($0.0) \($0.1)" }, ["APPLIES 1", "CITES 1"])
        let labels = try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT label FROM node_label ORDER BY label") }
        XCTAssertEqual(labels, ["Article", "ECtHRJudgment", "SupremeCourtCase"])
        XCTAssertEqual(try props(store, "echr:001-57574"), gillowBefore)

        // Writes now follow version 2: the new property is accepted, the old name is not.
        let outcome = try store.write { w in
            try w.upsert(NodeInput(key: "echr:001-57574", type: "ECtHRJudgment", properties: gillowBefore.merging(["importance_level": .int(1)]) { a, _ in a }))
        }
        XCTAssertEqual(outcome, .updated)
        XCTAssertThrowsError(try store.write { w in try w.upsert(NodeInput(key: "echr:new", type: "ECtHRCase", properties: ["name": .string("X")])) }) { error in
            XCTAssertTrue("\(error)".hasPrefix("node 'echr:new': unknown node type 'ECtHRCase'"), "\(error)")
        }

        let history = try store.ontologyHistory()
        XCTAssertEqual(history.map(\.version), [1, 2])
        XCTAssertTrue(history[1].source.hasSuffix("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml"), history[1].source)
        XCTAssertTrue(history[1].summary.contains("! rename node type 'ECtHRCase' to 'ECtHRJudgment' (migrating stored nodes) [breaking]: 2 nodes (e.g. echr:001-57574, echr:001-90000): migrated"), history[1].summary)

        // Applying it again: nothing left to do.
        XCTAssertEqual(try store.applyOntologyUpdate(shipped).status, .alreadyApplied)
        XCTAssertEqual(try store.ontologyHistory().count, 2)
    }

    func testPendingUpdatesApplyInOrderToADatabaseFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-ontology-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let updates = dir.appendingPathComponent("updates")
        try FileManager.default.createDirectory(at: updates, withIntermediateDirectories: true)
        // Written out of name order on purpose; the numbers decide.
        try "update: 3\ndate: 2026-11-30\nbase_version: 2\ndescription: three\nchanges:\n  - op: add_property\n    node_type: Memo\n    name: pages\n    definition: int\n"
            .write(to: updates.appendingPathComponent("0003-2026-11-30-pages.yaml"), atomically: true, encoding: .utf8)
        try "update: 2\ndate: 2026-11-29\nbase_version: 1\ndescription: two\nchanges:\n  - op: rename_node_type\n    from: Memo\n    to: Note\n    migrate: true\n"
            .write(to: updates.appendingPathComponent("0002-2026-11-29-note.yaml"), atomically: true, encoding: .utf8)
        try "not an update".write(to: updates.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("graph.sqlite").path
        do {
            let store = try GraphStore(path: path, create: true)
            try store.installOntology(try Ontology(yaml: Self.ontologyText, file: "test.yaml"), documentText: Self.ontologyText, source: "test.yaml", summary: "initial")
            _ = try store.write { w in try w.upsert(NodeInput(key: "m1", type: "Memo", properties: ["title": .string("Note")])) }
            XCTAssertThrowsError(try store.applyPending(updatesFolder: updates.path)) { error in
                XCTAssertTrue("\(error)".contains("0003-2026-11-30-pages.yaml:"), "\(error)")
            }
        }
        // The rename made Memo unknown to update 3: fix update 3 and run again.
        try "update: 3\ndate: 2026-11-30\nbase_version: 2\ndescription: three\nchanges:\n  - op: add_property\n    node_type: Note\n    name: pages\n    definition: int\n"
            .write(to: updates.appendingPathComponent("0003-2026-11-30-pages.yaml"), atomically: true, encoding: .utf8)
        let store = try GraphStore(path: path)
        let reports = try store.applyPending(updatesFolder: updates.path)
        XCTAssertEqual(reports.map(\.status), [.alreadyApplied, .applied])
        XCTAssertEqual(try store.activeOntology().version, 3)
        XCTAssertEqual(try store.counts().nodes.map { "\($0.0) \($0.1)" }, ["Note 1"])
        XCTAssertEqual(try store.ontologyHistory().map(\.version), [1, 2, 3])
    }
}
