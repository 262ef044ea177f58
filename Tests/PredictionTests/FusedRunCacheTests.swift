import Foundation
import Grounding
import Prediction
import Transformer
import XCTest

/// The fused model's run cache on a tiny encoder, walk-forward style (one model refit per
/// term, as the evaluator does): sharing the frozen-layer states across folds changes no
/// prediction, and a fold fits its seed vocabulary and feature standardization on its own
/// training cases only, whatever later cases the caches already hold.
final class FusedRunCacheTests: XCTestCase {
    func options(trainable: Int) -> FusedModelOptions {
        var o = FusedModelOptions()
        o.fusion = .kbert
        o.graphHead = true
        o.maxLength = 64
        o.contextTokens = 40
        o.epochs = 2
        o.batchSize = 4
        o.blasThreads = 1
        o.seedMinimumCount = 1
        o.trainableTopLayers = trainable
        o.encoderLearningRate = 1e-3
        return o
    }

    func model(_ o: FusedModelOptions, graph: GroundingGraph, cache: FusedRunCache?) throws -> FusedOutcomeModel {
        let m = try FusedOutcomeModel(encoder: try FusionTestGraph.tinyEncoder(), tokenizer: try FusionTestGraph.tokenizer(),
                                      grounder: CaseGrounder(graph: graph), options: o)
        m.runCache = cache
        return m
    }

    /// Train on every term before `term`, predict `term` (two cases a term).
    static let folds = (2001...2003).map { term in
        (train: FusionTestGraph.examples(terms: 1995...(term - 1)), test: FusionTestGraph.examples(terms: term...term).map(\.query))
    }

    /// With 1 of 2 layers trained (cache after layer 1) and with none (cache after the last
    /// layer, only pooler and head train): one cache shared by all folds gives bit-identical
    /// training losses and predictions to a fresh cache per fold, computes each case once,
    /// and agrees with no cache at all (full encoder passes at prediction) to rounding.
    func testSharedCacheGivesEveryFoldThePredictionsOfAFreshCache() throws {
        let graph = try FusionTestGraph.graph()
        for trainable in [1, 0] {
            let o = options(trainable: trainable)
            let shared = FusedRunCache()
            let a = try model(o, graph: graph, cache: shared)
            let b = try model(o, graph: graph, cache: nil)
            let c = try model(o, graph: graph, cache: nil)
            XCTAssertEqual(a.frozenLayerCount, 2 - trainable)
            for (k, fold) in Self.folds.enumerated() {
                try a.fit(train: fold.train, dev: [])
                b.runCache = FusedRunCache()
                try b.fit(train: fold.train, dev: [])
                try c.fit(train: fold.train, dev: [])
                XCTAssertEqual(a.history.map(\.trainLoss), b.history.map(\.trainLoss), "trainable \(trainable), fold \(k): losses")
                XCTAssertEqual(a.history.map(\.trainLoss), c.history.map(\.trainLoss), "trainable \(trainable), fold \(k): losses without cache")
                let pa = try a.predictProbabilities(fold.test), pb = try b.predictProbabilities(fold.test)
                let pc = try c.predictProbabilities(fold.test)
                XCTAssertEqual(pa, pb, "trainable \(trainable), fold \(k): predictions")
                for (x, y) in zip(pa, pc) { XCTAssertEqual(x, y, accuracy: 1e-6, "trainable \(trainable), fold \(k): full pass") }
                XCTAssertTrue(pa.contains { abs($0 - pa[0]) > 1e-9 } || pa.count == 1, "predictions differ between cases")
            }
            // Every case of the run (terms 1995-2003, 2 each) computed once; later folds reuse.
            XCTAssertEqual(shared.computed, 18, "trainable \(trainable)")
            XCTAssertEqual(shared.count, 18)
            XCTAssertEqual(shared.reused, 30, "folds 2 and 3 reuse all their training cases")
            // A fold's training really moved the trained weights (the folds are not no-ops).
            XCTAssertGreaterThan(try XCTUnwrap(a.history.first?.trainLoss), 0)
        }
    }

    /// A model first fit on 1995-2004 (so the grounder and the run cache hold those cases),
    /// then on 1995-1999, has exactly the seed vocabulary, standardization, losses and
    /// predictions of a fresh model fit only on 1995-1999: nothing of the later cases leaks
    /// into the earlier fold, and the encoder restarts from its initial weights.
    func testAFoldFitsItsStandardizationOnItsOwnTrainingCasesOnly() throws {
        let graph = try FusionTestGraph.graph()
        let o = options(trainable: 1)
        let early = FusionTestGraph.examples(terms: 1995...1999), late = FusionTestGraph.examples(terms: 1995...2004)
        let test = FusionTestGraph.examples(terms: 2000...2000).map(\.query)

        let reused = try model(o, graph: graph, cache: FusedRunCache())
        try reused.fit(train: late, dev: [])
        let lateStandardizer = reused.standardizer
        try reused.fit(train: early, dev: [])

        let fresh = try model(o, graph: graph, cache: FusedRunCache())
        try fresh.fit(train: early, dev: [])

        let earlyFeatures = try early.map { try fresh.grounder.grounding(for: $0.query).features.values }
        XCTAssertEqual(reused.standardizer, FeatureStandardizer(training: earlyFeatures))
        XCTAssertNotEqual(reused.standardizer, lateStandardizer, "the later cases do change the standardization")
        XCTAssertEqual(reused.standardizer, fresh.standardizer)
        XCTAssertEqual(reused.vocabulary, fresh.vocabulary)
        XCTAssertEqual(reused.history.map(\.trainLoss), fresh.history.map(\.trainLoss))
        XCTAssertEqual(try reused.predictProbabilities(test), try fresh.predictProbabilities(test))
    }
}
