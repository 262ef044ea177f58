import Foundation
import Tensor
import Transformer

/// Sizes and choices of a `GraphFeatureHead` (saved with the model).
public struct GraphHeadShape: Sendable, Codable, Equatable {
    /// The encoder's hidden size (the pooled [CLS] width).
    public var hiddenSize: Int
    /// Whether the graph branch exists; without it the head is a linear layer on [CLS].
    public var usesGraph: Bool
    public var fusion: HeadFusion
    public var featureCount: Int
    /// Embedding rows per seed role (`SeedVocabulary.sizes`, UNK row 0 included).
    public var seedVocabularySizes: [Int]
    public var embeddingSize: Int
    public var mlpHidden: Int

    public init(hiddenSize: Int, usesGraph: Bool, fusion: HeadFusion = .concat, featureCount: Int = 0, seedVocabularySizes: [Int] = [],
                embeddingSize: Int = 8, mlpHidden: Int = 64) {
        self.hiddenSize = hiddenSize; self.usesGraph = usesGraph; self.fusion = fusion; self.featureCount = featureCount
        self.seedVocabularySizes = seedVocabularySizes; self.embeddingSize = embeddingSize; self.mlpHidden = mlpHidden
    }

    /// Width of the MLP input: standardized features then one embedding per seed role.
    var graphInputWidth: Int { featureCount + seedVocabularySizes.count * embeddingSize }
}

/// The graph-feature head fused with the encoder, and the final classifier.
///
/// Graph branch: x = [standardized graph features; one learned embedding per seed role],
/// g = GELU(W₁x + b₁) (`mlpHidden` wide). Fusion with the pooled [CLS] p:
/// - concat: logit = w·[p; g] + b;
/// - gating: s = σ(W_g[p; g] + b_g), f = s ⊙ p + (1 − s) ⊙ (W_p g + b_p), logit = w·f + b.
/// Without the graph branch: logit = w·p + b (the text-only classifier).
///
/// One logit, P(first party wins) = σ(logit), trained with binary cross-entropy: the
/// outcome is binary, and one logit keeps the probability calibrated to the training base
/// rate without a redundant second class. Forward and backward by hand over `Linear`;
/// `backward` returns the gradient with respect to p, which the caller feeds into the
/// encoder's `backward(dLastHidden:dPooled:)`. Not thread-safe (keeps the last forward).
public final class GraphFeatureHead {
    public let shape: GraphHeadShape
    public let parameters: ParameterSet

    private struct Saved {
        let rows: Int
        let pooled: Tensor, graphInput: Tensor?, pre: Tensor?, graph: Tensor?
        let classifierInput: Tensor
        /// Gating only: the gate's input [p; g], the gate σ(·) and the projection W_p g + b_p.
        let joined: Tensor?, gate: Tensor?, projected: Tensor?
        let seeds: [Int32]
    }
    private var saved: Saved?

    public static func parameterSpecs(_ s: GraphHeadShape) -> [(String, [Int])] {
        let h = s.hiddenSize
        guard s.usesGraph else { return [("classifier.weight", [1, h]), ("classifier.bias", [1])] }
        var specs: [(String, [Int])] = zip(embeddedSeedRoles, s.seedVocabularySizes).map { role, rows in
            ("graph.embedding.\(role.rawValue)", [rows, s.embeddingSize])
        }
        specs += [("graph.mlp.weight", [s.mlpHidden, s.graphInputWidth]), ("graph.mlp.bias", [s.mlpHidden])]
        switch s.fusion {
        case .concat:
            specs += [("classifier.weight", [1, h + s.mlpHidden]), ("classifier.bias", [1])]
        case .gating:
            specs += [("gate.weight", [h, h + s.mlpHidden]), ("gate.bias", [h]),
                      ("graph_projection.weight", [h, s.mlpHidden]), ("graph_projection.bias", [h]),
                      ("classifier.weight", [1, h]), ("classifier.bias", [1])]
        }
        return specs
    }

    /// Random initialization: weights ~ N(0, 1/√fan-in) (embeddings N(0, 0.1)), biases 0.
    public init(shape: GraphHeadShape, seed: UInt64) throws {
        guard shape.hiddenSize > 0, shape.mlpHidden > 0, shape.embeddingSize > 0 else {
            throw PredictionError("graph head sizes must be positive: hidden \(shape.hiddenSize), MLP \(shape.mlpHidden), embedding \(shape.embeddingSize)")
        }
        if shape.usesGraph && shape.seedVocabularySizes.count != embeddedSeedRoles.count {
            throw PredictionError("graph head needs \(embeddedSeedRoles.count) seed vocabularies, got \(shape.seedVocabularySizes.count)")
        }
        self.shape = shape
        parameters = ParameterSet(Self.parameterSpecs(shape))
        var rng = SeededGenerator(seed: seed)
        for p in parameters.parameters where !p.name.hasSuffix(".bias") {
            let std: Float = p.name.contains("embedding") ? 0.1 : 1 / Float(p.shape[1]).squareRoot()
            for i in 0..<p.value.count { p.value[i] = std * rng.nextNormal() }
        }
    }

    private func param(_ name: String) -> Parameter {
        guard let p = parameters[name] else { preconditionFailure("graph head layout has no \(name)") }
        return p
    }

    /// Logits `[rows]` for pooled outputs `[rows, H]`; `features` is `[rows, featureCount]`
    /// (standardized) and `seeds` `[rows, roles]` embedding rows, both ignored without the
    /// graph branch.
    public func forward(pooled: Tensor, features: [Float], seeds: [Int32]) throws -> [Float] {
        let s = shape, h = s.hiddenSize
        guard pooled.count % h == 0 else { throw PredictionError("pooled output has shape \(pooled.shape), expected [rows, \(h)]") }
        let rows = pooled.count / h
        let p = pooled.clone()
        var graphInput: Tensor?, pre: Tensor?, graph: Tensor?, joinedInput: Tensor?, gate: Tensor?, projected: Tensor?
        var classifierInput = p
        if s.usesGraph {
            let roles = s.seedVocabularySizes.count, e = s.embeddingSize, f = s.featureCount, width = s.graphInputWidth
            guard features.count == rows * f else { throw PredictionError("graph features have \(features.count) values, \(rows) rows need \(rows * f)") }
            guard seeds.count == rows * roles else { throw PredictionError("seed indices have \(seeds.count) values, \(rows) rows need \(rows * roles)") }
            let x = Tensor(shape: [rows, width])
            for r in 0..<rows {
                for j in 0..<f { x[r * width + j] = features[r * f + j] }
                for (k, role) in embeddedSeedRoles.enumerated() {
                    let row = Int(seeds[r * roles + k])
                    guard (0..<s.seedVocabularySizes[k]).contains(row) else {
                        throw PredictionError("seed index \(row) for role \(role.rawValue) is outside 0..<\(s.seedVocabularySizes[k])")
                    }
                    (x.data + r * width + f + k * e).update(from: param("graph.embedding.\(role.rawValue)").value.data + row * e, count: e)
                }
            }
            let u = Tensor(shape: [rows, s.mlpHidden]), g = Tensor(shape: [rows, s.mlpHidden])
            Linear.forward(x: x.data, rows: rows, inFeatures: width, outFeatures: s.mlpHidden, weight: param("graph.mlp.weight").value.data,
                           bias: param("graph.mlp.bias").value.data, y: u.data)
            Kernels.biasGELU(u.data, bias: nil, rows: rows, cols: s.mlpHidden, out: g.data)
            graphInput = x; pre = u; graph = g
            let joined = Tensor(shape: [rows, h + s.mlpHidden])
            for r in 0..<rows {
                (joined.data + r * (h + s.mlpHidden)).update(from: p.data + r * h, count: h)
                (joined.data + r * (h + s.mlpHidden) + h).update(from: g.data + r * s.mlpHidden, count: s.mlpHidden)
            }
            switch s.fusion {
            case .concat:
                classifierInput = joined
            case .gating:
                let a = Tensor(shape: [rows, h]), v = Tensor(shape: [rows, h]), fused = Tensor(shape: [rows, h])
                Linear.forward(x: joined.data, rows: rows, inFeatures: h + s.mlpHidden, outFeatures: h, weight: param("gate.weight").value.data,
                               bias: param("gate.bias").value.data, y: a.data)
                Linear.forward(x: g.data, rows: rows, inFeatures: s.mlpHidden, outFeatures: h, weight: param("graph_projection.weight").value.data,
                               bias: param("graph_projection.bias").value.data, y: v.data)
                for i in 0..<(rows * h) {
                    let sg = 1 / (1 + Foundation.exp(-a[i]))
                    a[i] = sg
                    fused[i] = sg * p[i] + (1 - sg) * v[i]
                }
                joinedInput = joined; gate = a; projected = v
                classifierInput = fused
            }
        }
        let logits = try classify(classifierInput, rows: rows)
        saved = Saved(rows: rows, pooled: p, graphInput: graphInput, pre: pre, graph: graph, classifierInput: classifierInput,
                      joined: joinedInput, gate: gate, projected: projected, seeds: seeds)
        return logits
    }

    private func classify(_ z: Tensor, rows: Int) throws -> [Float] {
        let width = z.count / rows
        let out = Tensor(shape: [rows, 1])
        Linear.forward(x: z.data, rows: rows, inFeatures: width, outFeatures: 1, weight: param("classifier.weight").value.data,
                       bias: param("classifier.bias").value.data, y: out.data)
        return out.toArray()
    }

    /// Adds the parameters' gradients for upstream `dLogits` `[rows]` into `parameters.grads`
    /// and returns the gradient with respect to the pooled input, `[rows, H]`.
    public func backward(dLogits: [Float]) throws -> Tensor {
        guard let sv = saved else { throw PredictionError("graph head backward called before forward") }
        guard dLogits.count == sv.rows else { throw PredictionError("dLogits has \(dLogits.count) values, the last forward had \(sv.rows) rows") }
        let s = shape, h = s.hiddenSize, rows = sv.rows, m = s.mlpHidden
        let dy = Tensor(shape: [rows, 1], values: dLogits)
        let width = sv.classifierInput.count / rows
        let dz = Tensor(shape: [rows, width])
        let cls = param("classifier.weight"), clsBias = param("classifier.bias")
        Linear.backward(dy: dy.data, x: sv.classifierInput.data, rows: rows, inFeatures: width, outFeatures: 1, weight: cls.value.data,
                        dWeight: cls.grad.data, dBias: clsBias.grad.data, dx: dz.data)
        let dPooled = Tensor(shape: [rows, h])
        guard s.usesGraph, let x = sv.graphInput, let u = sv.pre else {
            dPooled.copy(from: dz)
            return dPooled
        }
        let dg = Tensor(shape: [rows, m])
        switch s.fusion {
        case .concat:
            for r in 0..<rows {
                (dPooled.data + r * h).update(from: dz.data + r * width, count: h)
                (dg.data + r * m).update(from: dz.data + r * width + h, count: m)
            }
        case .gating:
            guard let gate = sv.gate, let v = sv.projected, let g = sv.graph, let joined = sv.joined else {
                throw PredictionError("graph head lost its gating activations")
            }
            let da = Tensor(shape: [rows, h]), dv = Tensor(shape: [rows, h])
            for i in 0..<(rows * h) {
                let sg = gate[i], df = dz[i]
                dPooled[i] = df * sg
                dv[i] = df * (1 - sg)
                da[i] = df * (sv.pooled[i] - v[i]) * sg * (1 - sg)
            }
            let dJoined = Tensor(shape: [rows, h + m])
            let gw = param("gate.weight"), gb = param("gate.bias"), pw = param("graph_projection.weight"), pb = param("graph_projection.bias")
            Linear.backward(dy: da.data, x: joined.data, rows: rows, inFeatures: h + m, outFeatures: h, weight: gw.value.data,
                            dWeight: gw.grad.data, dBias: gb.grad.data, dx: dJoined.data)
            Linear.backward(dy: dv.data, x: g.data, rows: rows, inFeatures: m, outFeatures: h, weight: pw.value.data,
                            dWeight: pw.grad.data, dBias: pb.grad.data, dx: dg.data)
            for r in 0..<rows {
                Kernels.accumulate(dJoined.data + r * (h + m), count: h, into: dPooled.data + r * h)
                Kernels.accumulate(dJoined.data + r * (h + m) + h, count: m, into: dg.data + r * m)
            }
        }
        // Through GELU, the MLP, and into the embedding rows used.
        let du = Tensor(shape: [rows, m])
        Kernels.geluBackward(dg.data, u: u.data, count: rows * m, du: du.data)
        let inWidth = s.graphInputWidth, e = s.embeddingSize, f = s.featureCount, roles = s.seedVocabularySizes.count
        let dx = Tensor(shape: [rows, inWidth])
        let w1 = param("graph.mlp.weight"), b1 = param("graph.mlp.bias")
        Linear.backward(dy: du.data, x: x.data, rows: rows, inFeatures: inWidth, outFeatures: m, weight: w1.value.data,
                        dWeight: w1.grad.data, dBias: b1.grad.data, dx: dx.data)
        for r in 0..<rows {
            for (k, role) in embeddedSeedRoles.enumerated() {
                let row = Int(sv.seeds[r * roles + k])
                Kernels.accumulate(dx.data + r * inWidth + f + k * e, count: e, into: param("graph.embedding.\(role.rawValue)").grad.data + row * e)
            }
        }
        return dPooled
    }
}
