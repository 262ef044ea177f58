import Foundation
import Grounding
import Prediction
import XCTest

/// The shared-pass explanation (`explained`: one encoder pass per distinct input, the head
/// rerun for feature and seed occlusions) against the reference that runs every occlusion
/// through a whole encoder pass of its own (`explainedByFullPasses`), on small trained
/// fused models: the same probability, the same reasons with the same effects, the same
/// ranking, within float rounding.
extension FusedOutcomeModelTests {
    func testSharedPassExplanationsEqualFullPasses() throws {
        let tolerance = 1e-5
        let setups: [(FusionMode, head: Bool, trainable: Int)] = [(.segment, true, 1), (.kbert, true, 0), (.kbert, false, 2), (.none, true, 1)]
        for (mode, head, trainable) in setups {
            var o = options(mode, head: head, epochs: 2)
            o.trainableTopLayers = trainable
            // Without the graph head only the encoder learns: a larger step, so that
            // occluding a fact moves the probability by more than the tolerance.
            if !head { o.encoderLearningRate = 1e-2 }
            let (m, dev) = try fitted(o)
            // Without a run cache (a loaded model, `lexgraph predict`) and with one (the
            // report's samples inside `lexgraph train`: frozen layers from the cache).
            for cache: FusedRunCache? in [nil, FusedRunCache()] {
                m.runCache = cache
                let setup = "\(mode), head \(head), \(trainable) trainable, cache \(cache != nil)"
                var moved = 0
                for query in dev.map(\.query) {
                    let fast = try m.explained(query, top: 100)
                    let reference = try m.explainedByFullPasses(query, top: 100)
                    XCTAssertEqual(fast.probability, reference.probability, accuracy: tolerance, setup)
                    XCTAssertEqual(fast.contributions.count, reference.contributions.count, setup)
                    XCTAssertEqual(try m.explain(query, top: 3), Array(fast.contributions.prefix(3)), setup)
                    // The same reasons with the same effects.
                    func keyed(_ list: [Contribution]) -> [String: Double] {
                        Dictionary(list.map { ("\($0.source.rawValue)|\($0.text)|\($0.path ?? "")", $0.effect) }, uniquingKeysWith: { a, _ in a })
                    }
                    let a = keyed(fast.contributions), b = keyed(reference.contributions)
                    XCTAssertEqual(Set(a.keys), Set(b.keys), setup)
                    for (key, effect) in b { XCTAssertEqual(a[key] ?? .nan, effect, accuracy: tolerance, "\(setup): \(key)") }
                    // The same ranking: a reason may change place only with one whose |effect|
                    // is within rounding of its own.
                    for (f, r) in zip(fast.contributions, reference.contributions) where f.text != r.text {
                        XCTAssertEqual(abs(f.effect), abs(r.effect), accuracy: tolerance, "\(setup): rank of \(f.text) / \(r.text)")
                    }
                    moved += reference.contributions.filter { abs($0.effect) > 1e-4 }.count
                    if mode != .none {
                        XCTAssertTrue(reference.contributions.contains { $0.source == .contextFact }, "\(setup): context facts are explained")
                    }
                    if head { XCTAssertTrue(reference.contributions.contains { $0.source == .graphFeature }, "\(setup): features are explained") }
                }
                XCTAssertGreaterThan(moved, 0, "\(setup): some reason moves a probability (the comparison is not of zeros)")
            }
        }
    }
}
