import Foundation
import Prediction
import Tensor
import Transformer
import XCTest

/// The graph-feature head's hand-written backward against central finite differences,
/// for both fusions and without the graph branch; and the head's gradient flowing through
/// the encoder's backward into its parameters.
///
/// The differences are taken of a Double re-implementation of the head's documented
/// forward (checked against the Float forward first), with a step of 1e-6: truncation
/// (~ε²) and rounding (~1e-16/ε) errors are both below 1e-9, so the Float analytic gradient
/// is held to 1e-4 relative. Differencing the Float forward itself cannot do that: its
/// rounding noise (~1e-7 × |loss| / ε) and the truncation error of GELU's and the gate's
/// curvature (~ε²) leave no step with an error below ~1e-3, which is why that check
/// needed 2e-3 absolute.
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

        /// The head's logits in Double from `GraphHeadShape`'s documented math, with
        /// parameters and pooled input given by name ("pooled" for the input).
        func referenceLogits(_ v: [String: [Double]]) -> [Double] {
            let s = head.shape, h = s.hiddenSize, m = s.mlpHidden, rows = weights.count
            /// y = W x + b for W stored [out, in] row-major.
            func linear(_ w: [Double], _ b: [Double], _ x: [Double]) -> [Double] {
                var y = b
                for o in 0..<b.count {
                    for i in 0..<x.count { y[o] += w[o * x.count + i] * x[i] }
                }
                return y
            }
            func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
            func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
            let embeddings = head.parameters.parameters.map(\.name).filter { $0.hasPrefix("graph.embedding.") }
            return (0..<rows).map { r in
                let pool = Array(v["pooled"]![(r * h)..<((r + 1) * h)])
                guard s.usesGraph else { return linear(v["classifier.weight"]!, v["classifier.bias"]!, pool)[0] }
                var x = features[(r * s.featureCount)..<((r + 1) * s.featureCount)].map(Double.init)
                for (k, name) in embeddings.enumerated() {
                    let row = Int(seeds[r * embeddings.count + k])
                    x += v[name]![(row * s.embeddingSize)..<((row + 1) * s.embeddingSize)]
                }
                let g = linear(v["graph.mlp.weight"]!, v["graph.mlp.bias"]!, x).map(gelu)
                XCTAssertEqual(g.count, m)
                switch s.fusion {
                case .concat:
                    return linear(v["classifier.weight"]!, v["classifier.bias"]!, pool + g)[0]
                case .gating:
                    let gate = linear(v["gate.weight"]!, v["gate.bias"]!, pool + g).map(sigmoid)
                    let projected = linear(v["graph_projection.weight"]!, v["graph_projection.bias"]!, g)
                    let fused = (0..<h).map { gate[$0] * pool[$0] + (1 - gate[$0]) * projected[$0] }
                    return linear(v["classifier.weight"]!, v["classifier.bias"]!, fused)[0]
                }
            }
        }

        func referenceLoss(_ v: [String: [Double]]) -> Double {
            zip(referenceLogits(v), weights).reduce(0.0) { $0 + $1.0 * Double($1.1) }
        }

        /// The current parameters and pooled input, widened to Double.
        func values() -> [String: [Double]] {
            var v = Dictionary(uniqueKeysWithValues: head.parameters.parameters.map { ($0.name, $0.value.toArray().map(Double.init)) })
            v["pooled"] = pooled.toArray().map(Double.init)
            return v
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
        let logits = try p.head.forward(pooled: p.pooled, features: p.features, seeds: p.seeds)
        let dPooled = try p.head.backward(dLogits: p.weights)
        let base = p.values()
        // The reference is the head: its logits agree with the Float forward to float precision.
        for (got, expected) in zip(logits, p.referenceLogits(base)) {
            XCTAssertEqual(Double(got), expected, accuracy: 1e-5 * max(1, abs(expected)), "\(label): Double reference forward")
        }
        let eps = 1e-6
        func numeric(_ name: String, _ i: Int) -> Double {
            var v = base
            v[name]![i] = base[name]![i] + eps; let up = p.referenceLoss(v)
            v[name]![i] = base[name]![i] - eps; let down = p.referenceLoss(v)
            return (up - down) / (2 * eps)
        }
        var worst = 0.0, checked = 0
        func compare(_ got: Double, _ expected: Double, _ what: String) {
            let err = abs(got - expected)
            worst = max(worst, err / max(abs(expected), 1e-3))
            checked += 1
            XCTAssertEqual(got, expected, accuracy: 1e-4 * abs(expected) + 1e-7, "\(label): \(what)")
        }
        for param in p.head.parameters.parameters {
            for i in 0..<param.value.count { compare(Double(param.grad[i]), numeric(param.name, i), "\(param.name)[\(i)]") }
        }
        for i in 0..<p.pooled.count { compare(Double(dPooled[i]), numeric("pooled", i), "dPooled[\(i)]") }
        XCTAssertGreaterThan(checked, 20)
        print("[\(label)] \(checked) gradients, worst relative error \(worst)")
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
        // The encoder runs in Float, so a plain central difference is either noisy (small
        // step) or biased (large step). Richardson extrapolation of two central differences,
        // (4 D(h/2) - D(h)) / 3, cancels the O(h²) bias, leaving O(h⁴) ≈ 1e-8 at h = 2e-2,
        // and the Float noise (~1e-7 |loss| / h) stays near 1e-5.
        let h: Float = 2e-2
        func central(_ p: Parameter, _ i: Int, _ step: Float) throws -> Double {
            let keep = p.value[i]
            p.value[i] = keep + step; let up = try loss()
            p.value[i] = keep - step; let down = try loss()
            p.value[i] = keep
            return (up - down) / Double(2 * step)
        }
        var worst = 0.0
        for name in ["pooler.dense.weight", "encoder.layer.1.output.dense.weight", "encoder.layer.0.output.dense.weight",
                     "embeddings.word_embeddings.weight"] {
            let p = try XCTUnwrap(encoder.parameters[name])
            // The entries with the largest analytic gradients (well above float noise).
            let order = (0..<p.value.count).sorted { abs(p.grad[$0]) > abs(p.grad[$1]) }.prefix(3)
            XCTAssertGreaterThan(abs(p.grad[order.first ?? 0]), 1e-4, "\(name) gets gradient from the head")
            for i in order {
                let expected = (4 * (try central(p, i, h / 2)) - (try central(p, i, h))) / 3
                worst = max(worst, abs(Double(p.grad[i]) - expected))
                XCTAssertEqual(Double(p.grad[i]), expected, accuracy: 3e-5 + 1e-3 * abs(expected), "\(name)[\(i)]")
            }
        }
        print("[head into encoder] worst |Δ| \(worst)")
    }
}
