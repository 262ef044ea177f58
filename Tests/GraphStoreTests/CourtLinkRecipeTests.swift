import Foundation
import GRDB
import GraphStore
import XCTest

/// The court-link sources of the real graphs/scotus.yaml (each row of
/// scotus/scdb_court_links.csv becomes a SAME_AS or PART_OF edge from an SCDB court code
/// to a courts-db court), run alone over small files next to a few Court nodes.
final class CourtLinkRecipeTests: XCTestCase {
    typealias S = LoadTestSupport

    static let courts = [
        #"{"key": "scdb:court:29", "type": "Court", "props": {"name": "U.S. Court of Appeals, Ninth Circuit", "scdb_code": 29}}"#,
        #"{"key": "scdb:court:403", "type": "Court", "props": {"name": "Alabama U.S. Circuit Court for (all) District(s) of Alabama", "scdb_code": 403}}"#,
        #"{"key": "court:ca9", "type": "Court", "props": {"name": "Court of Appeals for the Ninth Circuit", "court_id": "ca9"}}"#,
        #"{"key": "court:uscirct", "type": "Court", "props": {"name": "United States Circuit Courts", "court_id": "uscirct"}}"#,
    ]
    static let header = "scdb_code,relation,court_id,scdb_label,court_name,rule"
    static let ninth = #"29,SAME_AS,ca9,"U.S. Court of Appeals, Ninth Circuit",Court of Appeals for the Ninth Circuit,us-court-of-appeals"#
    static let alabama = "403,PART_OF,uscirct,Alabama U.S. Circuit Court for (all) District(s) of Alabama,United States Circuit Courts,us-circuit-courts"

    /// A folder with the Court nodes (the generic recipe) and `links` as
    /// scotus/scdb_court_links.csv; the recipes to load: the nodes, then graphs/scotus.yaml
    /// reduced to its sources reading the links file, reading it from that folder.
    func prepare(links: [String]) throws -> (URL, [Recipe]) {
        let dir = try S.tempFolder(self)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scotus"), withIntermediateDirectories: true)
        try S.write(["nodes.jsonl": Self.courts.joined(separator: "\n") + "\n", "edges.csv": "type,from,to\n",
                     "scotus/scdb_court_links.csv": ([Self.header] + links).joined(separator: "\n") + "\n"], in: dir)
        var scotus = try Recipe(contentsOf: S.root.appendingPathComponent("graphs/scotus.yaml").path, displayName: "graphs/scotus.yaml")
        scotus.sources = scotus.sources.filter { $0.file == "./scotus/scdb_court_links.csv" }
        scotus.lookups = []
        scotus.includes = []
        scotus.folder = dir
        XCTAssertEqual(scotus.sources.count, 2, "one source per relation")
        return (dir, [try S.recipe(S.genericRecipe, in: dir), scotus])
    }

    func testEachRowBecomesOneEdgeOfItsRelation() throws {
        let (dir, recipes) = try prepare(links: [Self.ninth, Self.alabama])
        let store = try S.newStore(in: dir)
        let report = try GraphLoader(store: store, dataFolder: dir).load(recipes)
        XCTAssertEqual(report.edgesByType, ["SAME_AS": 1, "PART_OF": 1])
        let edges = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT s.key || ' -' || e.type || '-> ' || d.key || ' ' || e.props FROM edge e
                JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst ORDER BY e.type
                """)
        }
        XCTAssertEqual(edges, ["scdb:court:403 -PART_OF-> court:uscirct {}",
                               #"scdb:court:29 -SAME_AS-> court:ca9 {"basis":"us-court-of-appeals"}"#])
    }

    func testARowNamingAnUnknownCourtFailsWithFileAndLine() throws {
        let unknown = #"29,SAME_AS,ca99,"U.S. Court of Appeals, Ninth Circuit",Court of Appeals for the 99th Circuit,us-court-of-appeals"#
        let (dir, recipes) = try prepare(links: [Self.ninth, Self.alabama, unknown])
        let store = try S.newStore(in: dir)
        XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load(recipes)) { error in
            guard let failure = error as? LoadFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.total, 1)
            XCTAssertEqual(failure.errors.first?.description,
                           "./scotus/scdb_court_links.csv:4: edge scdb:court:29 -[SAME_AS]-> court:ca99: dangling endpoint: no node 'court:ca99' in this load or the database")
        }
        XCTAssertEqual(try S.count(store, "edge"), 0, "nothing may be written")
        XCTAssertEqual(try S.count(store, "node"), 0, "nothing may be written")
    }
}
