import Foundation
import GraphAlgorithms
import GraphStore
import LexgraphCore
import PostgresStore
import TestRequirements
import XCTest

/// Walks over a graph on PostgreSQL give what the same walks give over the SQLite file
/// the graph was copied from: the snapshot holds the same nodes and edges in the same
/// (id) order, so breadth-first order, shortest paths, PageRank and ties all agree.
final class PostgresWalkTests: XCTestCase {
    /// Everything a walk answers, comparable across backends.
    static func answer(_ result: WalkResult) -> [String] {
        ["reached \(result.reachedCount), iterations \(result.pageRankIterations.map(String.init) ?? "-")"]
            + result.hits.map { hit in
                "\(hit.key) \(hit.type) d=\(hit.distance) score=\(hit.score.map { "\($0)" } ?? "-") overruled=\(hit.overruled) via \(hit.pathDescription)"
            }
    }

    func testWalksAnswerAlikeOnBothBackends() throws {
        let url = try PostgresTestServer.freshDatabase("walks")
        defer { PostgresTestServer.drop(url) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-walks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PostgresDifferentialTests.legalGraph(in: dir)
        let server = try PostgresGraphStore(try PostgresLocation(url: url), create: true)
        defer { server.close() }
        try server.replaceGraph(with: store)
        let here = try GraphSnapshot.load(store), there = try GraphSnapshot.load(server)
        XCTAssertEqual(there.nodeCount, here.nodeCount)
        XCTAssertEqual(there.edgeCount, here.edgeCount)
        let seeds: [[WalkSeed]] = [
            [WalkSeed(key: "scotus:367US643")],
            [WalkSeed(key: "scotus:384US436"), WalkSeed(key: "scotus:163US537", weight: 3)],
            [WalkSeed(key: "echr:ECLI:CE:ECHR:2004:0527JUD006674601")],
        ]
        let options: [WalkOptions] = [
            WalkOptions(depth: 2),
            WalkOptions(depth: 3, direction: .both, limit: 50),
            WalkOptions(asOf: LegalDate(year: 1960, month: 1, day: 1), depth: 2, edgeTypes: ["CITES"], direction: .in, skipOverruled: true),
            WalkOptions(depth: 2, direction: .both, pageRank: PageRankOptions(), limit: 30),
            WalkOptions(asOf: LegalDate(year: 2010, month: 6, day: 30), depth: 3, direction: .both, resultNodeTypes: ["SupremeCourtCase"],
                        pageRank: PageRankOptions(scope: .graph), includeSeeds: true, limit: 25),
        ]
        var hits = 0
        for seed in seeds {
            for option in options {
                // A seed not valid on the walk's date is refused alike.
                func run(_ snapshot: GraphSnapshot) -> [String] {
                    do { return Self.answer(try snapshot.walk(from: seed, options: option)) } catch { return ["error: \(error)"] }
                }
                let mine = run(here), theirs = run(there)
                XCTAssertEqual(theirs, mine, "walk from \(seed.map(\.key)) with \(option)")
                hits += mine.count - 1
                XCTAssertEqual(try there.dataHorizon(ofWalkFrom: seed, options: option, remote: server),
                               try here.dataHorizon(ofWalkFrom: seed, options: option, store: store), "data horizon from \(seed.map(\.key))")
            }
        }
        XCTAssertGreaterThan(hits, 200, "the walks reach something")
        XCTAssertNotNil(try here.dataHorizon(ofWalkFrom: seeds[0], options: options[0], store: store).latest, "the legal graph's edges are dated")
    }
}
