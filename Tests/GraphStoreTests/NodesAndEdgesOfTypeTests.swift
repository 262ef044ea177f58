import GRDB
import GraphStore
import LexgraphCore
import XCTest

/// The typed reads other modules use instead of SQL over the node and edge tables:
/// nodes of a type, and the nodes an edge type links to or from one node.
final class NodesAndEdgesOfTypeTests: XCTestCase {
    /// A schema-free graph: two contract types expecting clause types (with a `basis` on
    /// the edge), clause types in families, and a node of another type with the same
    /// edge type, written out of key order so ordering is the method's doing.
    private func graph() throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: .permissive)
        try store.write { w in
            for (key, type, name) in [("contracttype:nda", "ContractType", "NDA"), ("contracttype:lease", "ContractType", "Lease"),
                                      ("clausetype:waiver", "ClauseType", "Waiver"), ("clausetype:notices", "ClauseType", "Notices"),
                                      ("clausetype:amendments", "ClauseType", "Amendments"), ("clausefamily:amendment", "ClauseFamily", "amendment"),
                                      ("other:nda-template", "Template", "NDA template")] {
                _ = try w.upsert(NodeInput(key: key, type: type, properties: ["name": .string(name)]))
            }
            _ = try w.upsert(NodeInput(key: "contracttype:dpa", type: "ContractType", properties: ["name": .string("DPA"), "title_words": .string("data processing")]))
            _ = try w.upsert(EdgeInput(type: "EXPECTS", from: "contracttype:nda", to: "clausetype:waiver", properties: ["basis": .string("common")]))
            _ = try w.upsert(EdgeInput(type: "EXPECTS", from: "contracttype:nda", to: "clausetype:notices"))
            _ = try w.upsert(EdgeInput(type: "EXPECTS", from: "contracttype:lease", to: "clausetype:amendments"))
            _ = try w.upsert(EdgeInput(type: "EXPECTS", from: "other:nda-template", to: "clausetype:amendments"))
            _ = try w.upsert(EdgeInput(type: "IN_FAMILY", from: "clausetype:waiver", to: "clausefamily:amendment"))
            _ = try w.upsert(EdgeInput(type: "IN_FAMILY", from: "clausetype:amendments", to: "clausefamily:amendment"))
        }
        return store
    }

    func testNodesOfTypeAreThatTypesNodesInKeyOrderWithTheirProperties() throws {
        let store = try graph()
        XCTAssertEqual(try store.nodes(ofType: "ContractType"), [
            StoredNode(key: "contracttype:dpa", type: "ContractType", properties: ["name": .string("DPA"), "title_words": .string("data processing")]),
            StoredNode(key: "contracttype:lease", type: "ContractType", properties: ["name": .string("Lease")]),
            StoredNode(key: "contracttype:nda", type: "ContractType", properties: ["name": .string("NDA")]),
        ])
        XCTAssertEqual(try store.nodes(ofType: "ClauseFamily").map(\.key), ["clausefamily:amendment"])
        XCTAssertEqual(try store.nodes(ofType: "Lease"), [], "a type no node has")
    }

    func testEdgesFromANodeGiveTheTargetsInKeyOrderWithTheEdgesProperties() throws {
        let store = try graph()
        XCTAssertEqual(try store.edges(ofType: "EXPECTS", from: "contracttype:nda"), [
            LinkedNode(node: StoredNode(key: "clausetype:notices", type: "ClauseType", properties: ["name": .string("Notices")])),
            LinkedNode(node: StoredNode(key: "clausetype:waiver", type: "ClauseType", properties: ["name": .string("Waiver")]),
                       edgeProperties: ["basis": .string("common")]),
        ])
        XCTAssertEqual(try store.edges(ofType: "IN_FAMILY", from: "clausetype:waiver").map(\.node.key), ["clausefamily:amendment"])
        XCTAssertEqual(try store.edges(ofType: "IN_FAMILY", from: "contracttype:nda"), [], "another edge type's source")
        XCTAssertEqual(try store.edges(ofType: "EXPECTS", from: "clausetype:waiver"), [], "edges reaching the node do not leave it")
        XCTAssertEqual(try store.edges(ofType: "EXPECTS", from: "contracttype:none"), [], "no node has the key")
    }

    func testEdgesToANodeGiveTheSourcesInKeyOrder() throws {
        let store = try graph()
        XCTAssertEqual(try store.edges(ofType: "IN_FAMILY", to: "clausefamily:amendment").map(\.node.key),
                       ["clausetype:amendments", "clausetype:waiver"])
        XCTAssertEqual(try store.edges(ofType: "EXPECTS", to: "clausetype:amendments"), [
            LinkedNode(node: StoredNode(key: "contracttype:lease", type: "ContractType", properties: ["name": .string("Lease")])),
            LinkedNode(node: StoredNode(key: "other:nda-template", type: "Template", properties: ["name": .string("NDA template")])),
        ], "sources of every type, each with its own type")
        XCTAssertEqual(try store.edges(ofType: "EXPECTS", to: "contracttype:nda"), [], "edges leaving the node do not reach it")
    }

    func testDamagedPropertiesAreAnErrorNamingTheNodeOrEdge() throws {
        let store = try graph()
        try store.write { w in
            try w.db.execute(sql: "UPDATE node SET props = '[1]' WHERE key = 'contracttype:lease'")
            try w.db.execute(sql: "UPDATE edge SET props = 'not json' WHERE type = 'EXPECTS' AND dst = (SELECT id FROM node WHERE key = 'clausetype:notices')")
        }
        XCTAssertThrowsError(try store.nodes(ofType: "ContractType")) { error in
            XCTAssertTrue("\(error)".contains("node contracttype:lease has stored properties that are not a JSON object: [1]"), "\(error)")
        }
        XCTAssertThrowsError(try store.edges(ofType: "EXPECTS", from: "contracttype:nda")) { error in
            XCTAssertTrue("\(error)".contains("the EXPECTS edge between contracttype:nda and clausetype:notices has stored properties"), "\(error)")
        }
    }
}
