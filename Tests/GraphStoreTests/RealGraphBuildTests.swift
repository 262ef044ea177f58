import Foundation
import GRDB
import GraphStore
import LexgraphCore
import XCTest
import TestRequirements

/// Builds the real graphs (scotus, echr, contracts) from the shared data in one load and
/// compares the counts per type with those tools/expected_graph_counts.py computed from
/// the same files with Python's csv/json modules (Tests/Fixtures/graphs/expected_counts.json).
final class RealGraphBuildTests: XCTestCase {
    typealias S = LoadTestSupport

    func testBuildAllMatchesTheSourceFilesAndReloadsIdempotently() throws {
        guard let data = S.dataFolder else { throw TestRequirements.missing("shared data folder not found (set LEXGRAPH_DATA)") }
        let dir = try S.tempFolder(self)
        let store = try S.newStore(in: dir)
        var recipes: [Recipe] = []
        for name in BuildCatalog.graphNames {
            recipes += try BuildCatalog.recipes(at: S.root.appendingPathComponent("graphs/\(name).yaml").path)
        }
        XCTAssertEqual(recipes.map(\.name), ["courts", "scotus", "echr", "contracts"])
        let loader = GraphLoader(store: store, dataFolder: data)
        let report = try loader.load(recipes)
        print("build all: \(String(format: "%.1f", report.seconds)) s\n\(report.summary)")

        // Expected counts per type, summed over the graphs.
        let fixture = try Value.parseJSON(String(contentsOf: S.root.appendingPathComponent("Tests/Fixtures/graphs/expected_counts.json"), encoding: .utf8))
        guard case .map(let graphs) = fixture else { return XCTFail("bad fixture") }
        var expectedNodes: [String: Int] = [:], expectedEdges: [String: Int] = [:]
        for (_, graph) in graphs {
            guard case .map(let g) = graph, case .map(let n)? = g["nodes"], case .map(let e)? = g["edges"] else { return XCTFail("bad fixture") }
            for (t, v) in n { expectedNodes[t, default: 0] += Int(v.intValue ?? -1) }
            for (t, v) in e { expectedEdges[t, default: 0] += Int(v.intValue ?? -1) }
        }
        let counts = try store.counts()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: counts.nodes), expectedNodes)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: counts.edges), expectedEdges)
        XCTAssertEqual(report.counts.nodesInserted, expectedNodes.values.reduce(0, +))
        XCTAssertEqual(report.counts.edgesInserted, expectedEdges.values.reduce(0, +))

        // Independent of the fixture: the citation network file has one edge per line.
        let citationLines = try String(contentsOf: data.appendingPathComponent("scotus/citation_edges.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1
        let scotusCites = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM edge e JOIN node n ON n.id = e.src WHERE e.type = 'CITES' AND n.type = 'SupremeCourtCase'") }
        XCTAssertEqual(scotusCites, citationLines)

        // Spot checks against the source rows: SCDB 1965-122 (scdb_cases.csv: 6/13/1966,
        // usid 384US436) is Fowler opinion 23601, which overrules Fowler 21675 and 21680
        // and cites 81 opinions; Fowler 1US1 is dated 1754 only.
        let miranda = try XCTUnwrap(try store.neighbourhood(of: "scotus:384US436", limit: 100))
        XCTAssertEqual(miranda.properties["scdb_case_id"], .string("1965-122"))
        XCTAssertEqual(miranda.properties["decision_date"], .string("1966-06-13"))
        XCTAssertEqual(miranda.validFrom, "1966-06-13")
        XCTAssertEqual(miranda.properties["fowler_id"], .int(23601))
        XCTAssertEqual(miranda.properties["us_cite"], .string("384 U.S. 436"))
        XCTAssertNotNil(miranda.properties["facts"]?.stringValue)
        XCTAssertEqual(miranda.groups.first { $0.direction == "out" && $0.type == "OVERRULES" }?.total, 2)
        XCTAssertEqual(miranda.groups.first { $0.direction == "out" && $0.type == "CITES" }?.total, 81)
        let citeDates = try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT e.valid_from FROM edge e JOIN node n ON n.id = e.src WHERE n.key = 'scotus:384US436'") }
        XCTAssertEqual(citeDates, ["1966-06-13"], "edges start when the citing case was decided")
        let early = try XCTUnwrap(try store.neighbourhood(of: "scotus:1US1"))
        XCTAssertEqual(early.validFrom, "1754-12-31")

        try checkCourtLinks(store)
        // Natural courts are named by their Chief Justice (the raw SCDB file's `chief`
        // column: natural court 1301 is Vinson's).
        let vinson = try XCTUnwrap(try store.neighbourhood(of: "scdb:naturalCourt:1301"))
        XCTAssertEqual(vinson.properties["name"], .string("Vinson Court (SCDB natural court 1301)"))

        // Every case has a decision date, so none is visible before it was decided.
        let undated = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node WHERE type IN ('SupremeCourtCase', 'ECtHRJudgment') AND valid_from IS NULL") }
        XCTAssertEqual(undated, 0)

        try checkIdentifiersAcrossGraphs(store)

        // Loading the same files again changes nothing (echr and contracts: the scotus
        // reload takes as long as its build; the small-file tests cover the same path).
        let small = recipes.filter { $0.name == "echr" || $0.name == "contracts" }
        let again = try loader.load(small)
        XCTAssertEqual(again.counts.nodesInserted + again.counts.nodesUpdated + again.counts.edgesInserted + again.counts.edgesUpdated, 0)
        XCTAssertEqual(again.counts.nodesUnchanged, again.nodesByType.values.reduce(0, +))
        XCTAssertEqual(again.counts.edgesUnchanged, again.edgesByType.values.reduce(0, +))
        XCTAssertGreaterThan(again.counts.nodesUnchanged, 35_000)
        print("reload echr + contracts: \(String(format: "%.1f", again.seconds)) s")
    }

    /// With every graph loaded: an ECtHR judgment is found by the identifiers the
    /// annotated-judgments file gives Coster v. the United Kingdom (ECLI in lower case,
    /// application number with "no."), and the ECtHR graph's CITES edges, later than
    /// any SCOTUS one (the Fowler network ends with an opinion of 2002-02-27), do not
    /// extend the horizon of a SCOTUS answer.
    func checkIdentifiersAcrossGraphs(_ store: GraphStore) throws {
        let coster = "echr:ECLI:CE:ECHR:2001:0118JUD002487694"
        XCTAssertEqual(try store.resolveNode("ecli:ce:echr:2001:0118jud002487694").key, coster)
        XCTAssertEqual(try store.resolveNode("no. 24876/94").key, coster)
        XCTAssertEqual(try store.resolveNode("001-59156").key, coster)
        XCTAssertEqual(try store.resolveNode("Coster v. the United Kingdom").key, coster)
        let scotus = try store.dataHorizon(edgeTypes: ["CITES"], touching: ["SupremeCourtCase"])
        XCTAssertEqual(scotus.latest, LegalDate(iso: "2002-02-27"))
        let all = try XCTUnwrap(try store.dataHorizon(edgeTypes: ["CITES"]).latest)
        XCTAssertGreaterThan(all, LegalDate(iso: "2002-02-27")!)
    }

    /// The SCDB court codes linked to courts-db: exactly one SAME_AS / PART_OF edge per
    /// row of graphs/scotus/scdb_court_links.csv (tools/link_scdb_courts.py), and a case
    /// walks from its lower courts into the courts-db hierarchy.
    func checkCourtLinks(_ store: GraphStore) throws {
        let rows = try CourtLinkRows(contentsOf: S.root.appendingPathComponent("graphs/scotus/scdb_court_links.csv"))
        XCTAssertGreaterThan(rows.sameAs.count, 100, "circuits and districts at least")
        let stored = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.type, s.key AS src, d.key AS dst, json_extract(e.props, '$.basis') AS basis
                FROM edge e JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst
                WHERE e.type = 'SAME_AS' OR (e.type = 'PART_OF' AND s.key LIKE 'scdb:court:%')
                """)
        }
        let sameAs = Set(stored.filter { $0["type"] == "SAME_AS" }.map { "\($0["src"] as String)|\($0["dst"] as String)|\($0["basis"] as String? ?? "")" })
        let partOf = Set(stored.filter { $0["type"] == "PART_OF" }.map { "\($0["src"] as String)|\($0["dst"] as String)" })
        XCTAssertEqual(stored.count, rows.sameAs.count + rows.partOf.count)
        XCTAssertEqual(sameAs, Set(rows.sameAs.map { "scdb:court:\($0.code)|court:\($0.courtId)|\($0.rule)" }))
        XCTAssertEqual(partOf, Set(rows.partOf.map { "scdb:court:\($0.code)|court:\($0.courtId)" }))

        // SCDB 1946-001 (scdb_cases.csv: caseSource 29 = "U.S. Court of Appeals, Ninth
        // Circuit", caseOrigin 51 = "California Southern U.S. District Court") is Fowler's
        // 329US1: it came up from courts-db's ca9 (which has no parent there) and began in
        // casd, PART_OF the U.S. District Courts.
        func walk(_ edge: String) throws -> [String] {
            try store.read { db in
                try String.fetchAll(db, sql: """
                    SELECT s.key || ' > ' || k.key || ifnull(' > ' || p.key, '')
                    FROM node c JOIN edge a ON a.src = c.id AND a.type = ?
                    JOIN node s ON s.id = a.dst
                    JOIN edge l ON l.src = s.id AND l.type = 'SAME_AS' JOIN node k ON k.id = l.dst
                    LEFT JOIN edge po ON po.src = k.id AND po.type = 'PART_OF' LEFT JOIN node p ON p.id = po.dst
                    WHERE c.key = 'scotus:329US1'
                    """, arguments: [edge])
            }
        }
        XCTAssertEqual(try walk("APPEALED_FROM"), ["scdb:court:29 > court:ca9"])
        XCTAssertEqual(try walk("ORIGINATED_IN"), ["scdb:court:51 > court:casd > court:usdistct"])
    }
}

/// The rows of graphs/scotus/scdb_court_links.csv
/// (`scdb_code,relation,court_id,scdb_label,court_name,rule`), split by relation. The
/// first three columns and the last are plain codes; the labels between them may be quoted.
struct CourtLinkRows {
    struct Link { let code: String, courtId: String, rule: String }
    var sameAs: [Link] = [], partOf: [Link] = []

    init(contentsOf url: URL) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "scdb_code,relation,court_id,scdb_label,court_name,rule")
        for line in lines.dropFirst() {
            let head = line.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false)
            let rule = line.split(separator: ",").last.map(String.init) ?? ""
            guard head.count == 4 else { XCTFail("bad links row: \(line)"); continue }
            let link = Link(code: String(head[0]), courtId: String(head[2]), rule: rule)
            switch head[1] {
            case "SAME_AS": sameAs.append(link)
            case "PART_OF": partOf.append(link)
            default: XCTFail("unknown relation in links row: \(line)")
            }
        }
    }
}
