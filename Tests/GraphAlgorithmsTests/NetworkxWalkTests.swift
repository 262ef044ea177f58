import XCTest
import GraphAlgorithms
import LexgraphCore

/// Hop distances and personalized PageRank scores agree with networkx (the peer) on
/// every walk of the fixture: dated, typed, in/out/both, seeds weighted, both scopes.
final class NetworkxWalkTests: XCTestCase {
    func testWalksMatchNetworkx() throws {
        let fixture = try FixtureGraph.fixture()
        let snapshot = try FixtureGraph.snapshot()
        XCTAssertEqual(fixture.walks.count, 7)
        for walk in fixture.walks {
            let seeds = try walk.seeds.map { pair -> WalkSeed in
                guard pair.count == 2, case .key(let key) = pair[0], case .weight(let weight) = pair[1] else {
                    throw FixtureError("fixture seed of \(walk.name) is not [key, weight]")
                }
                return WalkSeed(key: key, weight: weight)
            }
            let options = WalkOptions(
                asOf: FixtureGraph.date(walk.as_of), depth: walk.depth, edgeTypes: walk.types.map(Set.init),
                direction: WalkDirection(rawValue: walk.direction)!,
                pageRank: PageRankOptions(maxIterations: 10_000, tolerance: 1e-14, scope: PageRankScope(rawValue: walk.scope)!),
                includeSeeds: true)
            let result = try snapshot.walk(from: seeds, options: options)
            let distances = Dictionary(uniqueKeysWithValues: result.hits.map { ($0.key, $0.distance) })
            XCTAssertEqual(distances, walk.expected.distances, walk.name)
            XCTAssertEqual(result.reachedCount, walk.expected.distances.count, walk.name)
            for hit in result.hits {
                let expected = try XCTUnwrap(walk.expected.scores[hit.key], "\(walk.name): \(hit.key)")
                XCTAssertEqual(try XCTUnwrap(hit.score), expected, accuracy: 1e-10, "\(walk.name): \(hit.key)")
                XCTAssertEqual(hit.path.count, hit.distance, "\(walk.name): \(hit.key)")
            }
            // Ranked by score, best first.
            let scores = result.hits.compactMap(\.score)
            XCTAssertEqual(scores, scores.sorted(by: >), walk.name)
        }
    }
}

/// A fixture that does not have the shape the test reads: a failure, never a skip.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
