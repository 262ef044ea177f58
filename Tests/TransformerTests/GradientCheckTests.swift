import Foundation
import Tensor
import Transformer
import XCTest

/// Finite-difference checks of the hand-written backward on a tiny model with non-trivial
/// weights, padding, token types, an additive attention bias and dropout ON (the generator
/// is reseeded before every forward so each evaluation uses the same masks).
///
/// For every parameter tensor W with analytic gradient G, along the unit direction
/// d = normalize(Ĝ + r̂) (r random): central difference (L(W+εd) − L(W−εd)) / 2ε with
/// ε = 1e-2 must match G·d to 2% relative + 2e-5 absolute (float forward noise ~1e-7/ε).
final class GradientCheckTests: XCTestCase {
    func makeModel(_ architecture: EncoderArchitecture = .bert) throws -> BertModel {
        var config = BertConfig(vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16,
                                maxPositionEmbeddings: 16, typeVocabSize: 2, layerNormEps: 1e-12,
                                hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, initializerRange: 0.4)
        config.architecture = architecture
        if architecture == .distilbert { config.typeVocabSize = 0; config.classifierDropout = 0.2 }
        if architecture == .roberta { config.typeVocabSize = 1; config.padTokenId = 1 }
        if architecture == .longformer { config.typeVocabSize = 1; config.padTokenId = 1; config.attentionWindow = [2, 4] }
        if architecture == .albert { config.embeddingSize = 6; config.hiddenAct = "gelu_new"; config.classifierDropout = 0.1 }
        let model = try BertModel(config: config, head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification), seed: 42)
        var rng = SeededGenerator(seed: 9)
        for p in model.parameters.parameters where p.name.contains("LayerNorm") || p.name.hasSuffix(".bias") {
            for i in 0..<p.value.count { p.value[i] += 0.2 * rng.nextNormal() }
        }
        return model
    }

    func makeBatch(bias: Bool, _ architecture: EncoderArchitecture = .bert) throws -> BertBatch {
        // RoBERTa: one token type, and pad id 1 (the pad sits at the position RoBERTa gives pads).
        let robertaLike = architecture.offsetsPositions
        let ids: [Int32] = robertaLike ? [0, 5, 7, 11, 2, 1, 0, 13, 19, 4, 6, 2] : [2, 5, 7, 11, 3, 0, 2, 13, 19, 4, 1, 3]
        let types: [Int32] = robertaLike ? [Int32](repeating: 0, count: 12) : [0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1]
        let mask: [Float] = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
        var b: [Float]? = nil
        if bias {
            var rng = SeededGenerator(seed: 5)
            b = (0..<(2 * 6 * 6)).map { _ in rng.nextUnitFloat() < 0.2 ? -10000 : 0.5 * rng.nextNormal() }
        }
        // Longformer: global tokens beside <s> (one inside and one outside the others' windows).
        let global: [Int32]? = architecture == .longformer ? [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1] : nil
        return try BertBatch(batchSize: 2, sequenceLength: 6, inputIds: ids, tokenTypeIds: types, attentionMask: mask, attentionBias: b,
                             globalAttentionMask: global)
    }

    func check(labels: Labels, problem: ProblemType, bias: Bool, architecture: EncoderArchitecture = .bert) throws {
        let base = try makeModel(architecture)
        let model = try BertModel(config: base.config, head: ClassificationHeadSpec(numLabels: 3, problemType: problem), seed: 42)
        model.parameters.values.base.update(from: base.parameters.values.base, count: model.parameters.scalarCount)
        let batch = try makeBatch(bias: bias, architecture)
        func loss() throws -> Double {
            model.rng = SeededGenerator(seed: 77)
            return Double(try model.lossAndBackward(batch, labels: labels, dropout: true).loss)
        }
        // The masks change the loss, so this check covers backward through dropout.
        let withoutDropout = Double(try model.lossAndBackward(batch, labels: labels, dropout: false).loss)
        XCTAssertGreaterThan(abs(try loss() - withoutDropout), 1e-4, "dropout changes the loss")
        model.parameters.zeroGrad()
        _ = try loss()
        let analytic = Tensor(shape: [model.parameters.scalarCount])
        analytic.data.update(from: model.parameters.grads.base, count: analytic.count)

        var rng = SeededGenerator(seed: 3)
        let eps = 1e-2
        var worst = 0.0
        for p in model.parameters.parameters {
            let g = analytic.data + p.value.offset
            let n = p.value.count
            var d = [Double](repeating: 0, count: n)
            let gNorm = (0..<n).reduce(0.0) { $0 + Double(g[$1]) * Double(g[$1]) }.squareRoot()
            for i in 0..<n { d[i] = Double(rng.nextNormal()) }
            let rNorm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<n { d[i] = d[i] / rNorm + (gNorm > 0 ? Double(g[i]) / gNorm : 0) }
            let dNorm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<n { d[i] /= dNorm }
            let saved = p.value.toArray()
            for i in 0..<n { p.value[i] = Float(Double(saved[i]) + eps * d[i]) }
            let plus = try loss()
            for i in 0..<n { p.value[i] = Float(Double(saved[i]) - eps * d[i]) }
            let minus = try loss()
            for i in 0..<n { p.value[i] = saved[i] }
            let numeric = (plus - minus) / (2 * eps)
            let exact = (0..<n).reduce(0.0) { $0 + Double(g[$1]) * d[$1] }
            let err = abs(numeric - exact)
            worst = max(worst, err / max(abs(exact), 1e-3))
            XCTAssertLessThanOrEqual(err, 2e-2 * abs(exact) + 2e-5, "\(p.name): finite difference \(numeric) vs analytic \(exact)")
        }
        print("[gradient check \(architecture) \(problem.rawValue), bias \(bias)] worst relative error \(worst)")
    }

    func testCrossEntropyWithBiasAndDropout() throws {
        try check(labels: .classes([2, 0]), problem: .singleLabelClassification, bias: true)
    }

    func testMultiLabelWithDropout() throws {
        try check(labels: .multiLabel([1, 0, 1, 0, 1, 1]), problem: .multiLabelClassification, bias: false)
    }

    /// DistilBERT: ReLU pre-classifier, no attention-output dropout, the head's own dropout.
    func testDistilBertWithDropout() throws {
        try check(labels: .classes([2, 0]), problem: .singleLabelClassification, bias: true, architecture: .distilbert)
    }

    /// RoBERTa: offset positions and dropout on <s> before the head's dense layer.
    func testRobertaWithDropout() throws {
        try check(labels: .classes([1, 0]), problem: .singleLabelClassification, bias: false, architecture: .roberta)
    }

    /// ALBERT: both layers run one shared weight set (its gradient sums both uses), the
    /// 6-wide embeddings are projected to 8, tanh GELU, no FFN-output dropout.
    func testAlbertWithDropout() throws {
        try check(labels: .classes([1, 2]), problem: .singleLabelClassification, bias: true, architecture: .albert)
    }

    /// Longformer: windows 2 and 4 over 6 tokens, global tokens, attention dropout on the
    /// banded rows and on the global rows.
    func testLongformerWithDropout() throws {
        try check(labels: .classes([1, 2]), problem: .singleLabelClassification, bias: false, architecture: .longformer)
    }

    func testRegressionWithDropout() throws {
        try check(labels: .regression([0.5, -1, 2, 1.5, 0, -0.5]), problem: .regression, bias: false)
    }
}
