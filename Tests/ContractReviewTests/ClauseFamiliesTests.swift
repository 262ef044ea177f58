import GraphStore
import LexgraphCore
import XCTest
import ContractReview

/// Families of clause types read from a graph shaped as the contracts recipe makes it:
/// `clausetype:clause-corpus:{slug}` -[:IN_FAMILY]-> `clausefamily:{family}`.
final class ClauseFamiliesTests: XCTestCase {
    /// A schema-free in-memory graph with one ClauseType per key of `families` (named by
    /// it) and its IN_FAMILY edge, plus `extra` edges given as (type, family).
    static func graph(families: [String: String], extra: [(String, String)] = []) throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: .permissive)
        try store.write { w in
            for (type, family) in families.sorted(by: { $0.key < $1.key }) + extra {
                _ = try w.upsert(NodeInput(key: "clausetype:clause-corpus:\(type)", type: "ClauseType",
                                           properties: ["name": .string(type), "source": .string("clause-corpus")]))
                _ = try w.upsert(NodeInput(key: "clausefamily:\(family)", type: "ClauseFamily", properties: ["name": .string(family)]))
                _ = try w.upsert(EdgeInput(type: "IN_FAMILY", from: "clausetype:clause-corpus:\(type)", to: "clausefamily:\(family)"))
            }
            // A type of another corpus with a family edge is not a clause-corpus type.
            _ = try w.upsert(NodeInput(key: "clausetype:cuad:governing-law", type: "ClauseType", properties: ["name": .string("Governing Law")]))
            _ = try w.upsert(NodeInput(key: "clausefamily:other", type: "ClauseFamily"))
            _ = try w.upsert(EdgeInput(type: "IN_FAMILY", from: "clausetype:cuad:governing-law", to: "clausefamily:other"))
        }
        return store
    }

    func testFamiliesComeFromTheGraphByTypeName() throws {
        let store = try Self.graph(families: ["amendment": "amendment", "amendments": "amendment", "amendment-and-waiver": "amendment",
                                              "notices": "notices"])
        let families = try ClauseFamilies(store: store)
        XCTAssertEqual(families.familyByType, ["amendment": "clausefamily:amendment", "amendments": "clausefamily:amendment",
                                               "amendment-and-waiver": "clausefamily:amendment", "notices": "clausefamily:notices"])
        XCTAssertEqual(try families.families(of: ["notices", "amendments"]), ["clausefamily:notices", "clausefamily:amendment"])
        XCTAssertEqual(try store.edges(ofType: "IN_FAMILY").count, 5)
        XCTAssertEqual(try store.edges(ofType: "IN_FAMILY").first,
                       EdgeEnds(from: "clausetype:clause-corpus:amendment", fromName: "amendment", to: "clausefamily:amendment", toName: "amendment"))
    }

    func testTypeWithoutFamilyIsAnErrorNamingIt() throws {
        let families = try ClauseFamilies(store: try Self.graph(families: ["notices": "notices"]))
        XCTAssertThrowsError(try families.families(of: ["notices", "severability", "waiver"])) { error in
            XCTAssertTrue("\(error)".contains("2 clause type(s) have no family: \"severability\", \"waiver\""), "\(error)")
        }
        let empty = try ClauseFamilies(store: try GraphStore(inMemoryWith: .permissive))
        XCTAssertThrowsError(try empty.families(of: ["notices"])) { error in
            XCTAssertTrue("\(error)".contains("the graph has no IN_FAMILY edges"), "\(error)")
        }
    }

    func testTypeInTwoFamiliesIsAnError() throws {
        let store = try Self.graph(families: ["waiver": "waiver"], extra: [("waiver", "amendment")])
        XCTAssertThrowsError(try ClauseFamilies(store: store)) { error in
            XCTAssertTrue("\(error)".contains("\"waiver\"") && "\(error)".contains("clausefamily:amendment") && "\(error)".contains("clausefamily:waiver"), "\(error)")
        }
    }
}
