import Foundation
import Prediction
import Tensor
import Transformer
import XCTest

/// The graph-feature head's hand-written backward against central finite differences,
/// for both fusions and without the graph branch; and the head's gradient flowing through
/// the encoder's backward into its parameters.
final class GraphFeatureHeadTests: XCTestCase {
    /// Loss = Σ cᵢ · logitᵢ with fixed random cᵢ.
    struct Problem {
        let head: GraphFeatureHead
        let pooled: Tensor
        let features: [Float]
        let seeds: [Int32]
        let weights: [Float]

        func loss() throws -> Double {
            let z = try head.forward(pooled: pooled, features: features, seeds: seeds)
            return zip(z, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }

    func problem(_ fusion: HeadFusion, usesGraph: Bool = true) throws -> Problem {
        let rows = 3, hidden = 6, featureCount = 5
        let sizes = [3, 2, 2, 2, 3, 2, 2, 2, 2]
        let shape = GraphHeadShape(hiddenSize: hidden, usesGraph: usesGraph, fusion: fusion, featureCount: featureCount,
                                   seedVocabularySizes: sizes, embeddingSize: 2, mlpHidden: 4)
        let head = try GraphFeatureHead(shape: shape, seed: 11)
        var rng = SeededGenerator(seed: 5)
        // Non-zero biases so their paths are exercised.
        for p in head.parameters.parameters where p.name.hasSuffix(".bias") { for i in 0..<p.value.count { p.value[i] = 0.3 * rng.nextNormal() } }
        let pooled = Tensor(shape: [rows, hidden], values: (0..<(rows * hidden)).map { _ in rng.nextNormal() })
        let features = (0..<(rows * featureCount)).map { _ in rng.nextNormal() }
        let seeds: [Int32] = (0..<rows).flatMap { r in sizes.map { Int32((r + $0) % $0) } }
        let weights = (0..<rows).map { _ in rng.nextNormal() }
        return Problem(head: head, pooled: pooled, features: features, seeds: seeds, weights: weights)
    }

    func checkGradients(_ p: Problem, label: String) throws {
        p.head.parameters.zeroGrad()
        _ = try p.loss()
        let dPooled = try p.head.backward(dLogits: p.weights)
        let eps: Float = 1e-2
        var worst = 0.0, checked = 0
        func numeric(_ x: UnsafeMutablePointer<Float>) throws -> Double {
            let keep = x.pointee
            x.pointee = keep + eps; let up = try p.loss()
            x.pointee = keep - eps; let down = try p.loss()
            x.pointee = keep
            return (up - down) / Double(2 * eps)
        }
        for param in p.head.parameters.parameters {
            for i in 0..<param.value.count {
                let expected = try numeric(param.value.data + i), got = Double(param.grad[i])
                let err = abs(expected - got)
                worst = max(worst, err)
                checked += 1
                XCTAssertEqual(got, expected, accuracy: 2e-3 + 1e-2 * abs(expected), "\(label): \(param.name)[\(i)]")
            }
        }
        for i in 0..<p.pooled.count {
            let expected = try numeric(p.pooled.data + i)
            XCTAssertEqual(Double(dPooled[i]), expected, accuracy: 2e-3 + 1e-2 * abs(expected), "\(label): dPooled[\(i)]")
        }
        // Embedding rows no case used get no gradient.
        print("[\(label)] \(checked) parameter gradients, max |Δ| = \(worst)")
    }

    func testConcatHeadGradients() throws { try checkGradients(try problem(.concat), label: "concat") }
    func testGatingHeadGradients() throws { try checkGradients(try problem(.gating), label: "gating") }
    func testPlainClassifierGradients() throws { try checkGradients(try problem(.concat, usesGraph: false), label: "no graph") }

    func testBadInputsAreErrors() throws {
        let p = try problem(.concat)
        XCTAssertThrowsError(try p.head.forward(pooled: p.pooled, features: Array(p.features.dropLast()), seeds: p.seeds))
        var seeds = p.seeds
        seeds[0] = 3  // role issue has 3 rows
        XCTAssertThrowsError(try p.head.forward(pooled: p.pooled, features: p.features, seeds: seeds)) { error in
            XCTAssertTrue("\(error)".contains("issue"), "\(error)")
        }
    }

    /// The head's dPooled drives the encoder's backward: finite differences on encoder
    /// parameters (pooler, top layer, an embedding) of the head's loss over a tiny BERT.
    func testHeadGradientFlowsIntoTheEncoder() throws {
        let encoder = try BertModel.load(directory: FusionTestGraph.packageRoot + "/Tests/Fixtures/fusion/tiny-bert")
        let shape = GraphHeadShape(hiddenSize: 32, usesGraph: true, fusion: .gating, featureCount: 3, seedVocabularySizes: [Int](repeating: 2, count: 9),
                                   embeddingSize: 2, mlpHidden: 4)
        let head = try GraphFeatureHead(shape: shape, seed: 3)
        let batch = try BertBatch(sequences: [[2, 17, 40, 3], [2, 55, 3]])
        let features: [Float] = [0.5, -1, 2, 1, 0, -0.5]
        let seeds = [Int32](repeating: 1, count: 18)
        let weights: [Float] = [1.0, -0.7]
        func loss() throws -> Double {
            let out = try encoder.forward(batch)
            let z = try head.forward(pooled: out.pooledOutput, features: features, seeds: seeds)
            return zip(z, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        encoder.parameters.zeroGrad()
        _ = try loss()
        try encoder.backward(dLastHidden: nil, dPooled: try head.backward(dLogits: weights))
        let eps: Float = 5e-3
        for name in ["pooler.dense.weight", "encoder.layer.1.output.dense.weight", "encoder.layer.0.output.dense.weight",
                     "embeddings.word_embeddings.weight"] {
            let p = try XCTUnwrap(encoder.parameters[name])
            // The entries with the largest analytic gradients (well above float noise).
            let order = (0..<p.value.count).sorted { abs(p.grad[$0]) > abs(p.grad[$1]) }.prefix(3)
            XCTAssertGreaterThan(abs(p.grad[order.first ?? 0]), 1e-4, "\(name) gets gradient from the head")
            for i in order {
                let keep = p.value[i]
                p.value[i] = keep + eps; let up = try loss()
                p.value[i] = keep - eps; let down = try loss()
                p.value[i] = keep
                let expected = (up - down) / Double(2 * eps)
                XCTAssertEqual(Double(p.grad[i]), expected, accuracy: 2e-3 + 2e-2 * abs(expected), "\(name)[\(i)]")
            }
        }
    }
}
