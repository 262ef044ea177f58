import Foundation
import Tensor

/// BERT with the masked-language-modelling head of HF `BertForMaskedLM`: the encoder, then
/// per masked token `cls.predictions.transform` (dense, GELU, LayerNorm) and the decoder
/// tied to `bert.embeddings.word_embeddings.weight` plus `cls.predictions.bias`; the loss
/// is cross-entropy over the masked positions only (label `Loss.ignoreIndex` elsewhere).
///
/// The head's tensors are laid out after the encoder's in the encoder's one
/// `ParameterSet`, so `parameters` is everything AdamW, clipping, zeroing and optimizer
/// checkpoints walk. It is a type of its own rather than an option of `BertModel` because
/// `BertModel`'s head is a per-sequence classifier (pooled `[B, labels]` logits in the
/// encoder workspace) while this one is per token over the vocabulary, sized by the batch's
/// masked count. The head runs on the masked rows only: the other rows' logits never reach
/// the loss, so their gradient is zero and skipping them changes nothing but the cost
/// (the `[tokens, vocab]` decoder GEMM would otherwise match the whole encoder's).
///
/// Not thread-safe: one workspace, overwritten by each pass.
public final class MaskedLanguageModel {
    /// The encoder; its `parameters` hold the MLM head's tensors too.
    public let encoder: BertModel
    public var config: BertConfig { encoder.config }
    public var parameters: ParameterSet { encoder.parameters }
    /// Dropout generator (the encoder's).
    public var rng: SeededGenerator {
        get { encoder.rng }
        set { encoder.rng = newValue }
    }
    /// Parameters the MLM objective never reaches: BERT's pooler, kept (and saved beside
    /// the checkpoint) so a classifier fine-tuned from the adapted encoder with [CLS]
    /// pooling finds it. Give them to `AdamW.frozenParameters`, as torch skips tensors
    /// without a gradient (weight decay would otherwise shrink them).
    public var unusedParameterNames: Set<String> { encoder.poolerParameterNames }

    let transform, transformBias, transformNorm, transformNormBias, decoderBias: Parameter
    var head = MLMHeadBuffers(rows: 0, hidden: 0, vocab: 0)
    /// The last training forward: the batch positions of the masked rows, and whether
    /// backward may run.
    var savedRows: [Int] = []
    var savedDropout = false, readyForBackward = false

    /// The head's tensors (HF names, no `bert.` prefix) in layout order.
    public static func headSpecs(config c: BertConfig) -> [(String, [Int])] {
        let h = c.hiddenSize
        return [("cls.predictions.transform.dense.weight", [h, h]), ("cls.predictions.transform.dense.bias", [h]),
                ("cls.predictions.transform.LayerNorm.weight", [h]), ("cls.predictions.transform.LayerNorm.bias", [h]),
                ("cls.predictions.bias", [c.vocabSize])]
    }

    /// A model with HF `_init_weights` random initialization from `seed`.
    public convenience init(config: BertConfig, seed: UInt64 = 0) throws {
        self.init(encoder: try BertModel(config: config, head: nil, seed: seed, randomInitialization: true,
                                             extraParameters: Self.headSpecs(config: config)))
    }

    init(encoder: BertModel) {
        self.encoder = encoder
        let p = encoder.parameters
        transform = p.required("cls.predictions.transform.dense.weight")
        transformBias = p.required("cls.predictions.transform.dense.bias")
        transformNorm = p.required("cls.predictions.transform.LayerNorm.weight")
        transformNormBias = p.required("cls.predictions.transform.LayerNorm.bias")
        decoderBias = p.required("cls.predictions.bias")
    }

    /// Mean cross-entropy over the masked tokens of one batch, and how many there were
    /// (a perplexity over many batches is exp(Σ sum / Σ tokens), not a mean of means).
    public struct Evaluation: Sendable {
        public let loss: Float
        public let maskedTokens: Int
        /// loss × maskedTokens, in Double.
        public var sum: Double { Double(loss) * Double(maskedTokens) }
    }

    /// Forward, loss and backward, ADDING `lossScale`·∂loss/∂θ into `parameters.grads` (the
    /// tied decoder's gradient into the word embeddings' with the embedding lookup's).
    /// `maskedLabels` is `[B, T]`: the original token id where a token was masked,
    /// `Loss.ignoreIndex` (-100) elsewhere. A batch without any masked token has loss 0
    /// and adds no gradient (torch would give NaN).
    @discardableResult
    public func lossAndBackward(_ batch: BertBatch, maskedLabels: [Int32], dropout: Bool = false, lossScale: Float = 1) throws -> Float {
        readyForBackward = false
        let (rows, labels) = try maskedRows(batch, maskedLabels)
        guard !rows.isEmpty else { return 0 }
        let ws = try encoder.encode(batch, dropout: dropout, from: nil, forBackward: true, pooler: false)
        headForward(ws: ws, rows: rows)
        let m = rows.count, v = config.vocabSize
        // The loss gradient overwrites the logits (the backward needs only the gradient).
        let loss = try Loss.wideCrossEntropy(logits: head.logits.data, rows: m, classes: v, labels: labels, gradient: true, lossScale: lossScale)
        savedRows = rows
        savedDropout = encoder.saved?.dropout ?? false
        readyForBackward = true
        try backward(ws: ws)
        return loss
    }

    /// The loss without dropout or gradients (evaluation; perplexity = exp(loss)).
    public func evaluate(_ batch: BertBatch, maskedLabels: [Int32]) throws -> Evaluation {
        readyForBackward = false
        let (rows, labels) = try maskedRows(batch, maskedLabels)
        guard !rows.isEmpty else { return Evaluation(loss: 0, maskedTokens: 0) }
        let ws = try encoder.encode(batch, dropout: false, from: nil, forBackward: false, pooler: false)
        headForward(ws: ws, rows: rows)
        let loss = try Loss.wideCrossEntropy(logits: head.logits.data, rows: rows.count, classes: config.vocabSize, labels: labels, gradient: false)
        return Evaluation(loss: loss, maskedTokens: rows.count)
    }

    /// Vocabulary logits `[positions.count, vocab]` at flattened positions `b·T + t` of
    /// `batch`, without dropout.
    public func logits(_ batch: BertBatch, positions: [Int]) throws -> [Float] {
        readyForBackward = false
        let n = batch.batchSize * batch.sequenceLength
        for (i, p) in positions.enumerated() where !(0..<n).contains(p) {
            throw TransformerError("position[\(i)] = \(p) is outside the batch's \(batch.batchSize)x\(batch.sequenceLength) tokens")
        }
        guard !positions.isEmpty else { return [] }
        let ws = try encoder.encode(batch, dropout: false, from: nil, forBackward: false, pooler: false)
        headForward(ws: ws, rows: positions)
        return Array(UnsafeBufferPointer(start: head.logits.data, count: positions.count * config.vocabSize))
    }

    /// The masked positions and their labels, checked against the batch and vocabulary.
    func maskedRows(_ batch: BertBatch, _ maskedLabels: [Int32]) throws -> ([Int], [Int32]) {
        let t = batch.sequenceLength, n = batch.batchSize * t
        guard maskedLabels.count == n else {
            throw TransformerError("maskedLabels has \(maskedLabels.count) values, batch shape \(batch.batchSize)x\(t) needs \(n)")
        }
        var rows: [Int] = [], labels: [Int32] = []
        for (i, y) in maskedLabels.enumerated() where Int(y) != Loss.ignoreIndex {
            guard y >= 0, Int(y) < config.vocabSize else {
                throw TransformerError("maskedLabels[\(i / t)][\(i % t)] = \(y) is neither \(Loss.ignoreIndex) nor a token id in 0..<\(config.vocabSize)")
            }
            guard batch.attentionMask[i] != 0 else {
                throw TransformerError("maskedLabels[\(i / t)][\(i % t)] = \(y) labels a padding position (attention mask 0)")
            }
            rows.append(i)
            labels.append(y)
        }
        return (rows, labels)
    }

    // MARK: The head, forward and backward side by side

    /// Gathers the encoder's last states at `rows`, then dense + bias + GELU, LayerNorm
    /// and the tied decoder into `head.logits` `[rows, vocab]`.
    func headForward(ws: BertWorkspace, rows: [Int]) {
        let m = rows.count, h = config.hiddenSize, v = config.vocabSize
        if !head.fits(rows: m, hidden: h, vocab: v) { head = MLMHeadBuffers(rows: m, hidden: h, vocab: v) }
        let last = ws.hidden[config.numHiddenLayers].data
        for (i, r) in rows.enumerated() { (head.input.data + i * h).update(from: last + r * h, count: h) }
        Linear.forward(x: head.input.data, rows: m, inFeatures: h, outFeatures: h, weight: transform.value.data, bias: nil,
                       y: head.preActivation.data)
        Kernels.biasGELU(head.preActivation.data, bias: transformBias.value.data, rows: m, cols: h, out: head.activation.data)
        Kernels.layerNormForward(head.activation.data, rows: m, cols: h, gamma: transformNorm.value.data, beta: transformNormBias.value.data,
                                 eps: Float(config.layerNormEps), out: head.normed.data, mean: head.mean.data, rstd: head.rstd.data)
        Linear.forward(x: head.normed.data, rows: m, inFeatures: h, outFeatures: v, weight: encoder.wordEmbeddings.value.data,
                       bias: decoderBias.value.data, y: head.logits.data)
    }

    /// From dLogits (in `head.logits`) back through the head, scattered into the masked
    /// rows of the encoder's output gradient, then through the encoder.
    func backward(ws: BertWorkspace) throws {
        guard readyForBackward else { throw TransformerError("MLM backward without a training forward") }
        let m = savedRows.count, h = config.hiddenSize, v = config.vocabSize
        // Tied decoder: its weight gradient adds into the word embeddings' gradient.
        Linear.backward(dy: head.logits.data, x: head.normed.data, rows: m, inFeatures: h, outFeatures: v,
                        weight: encoder.wordEmbeddings.value.data, dWeight: encoder.wordEmbeddings.grad.data,
                        dBias: decoderBias.grad.data, dx: head.gradNormed.data)
        Kernels.layerNormBackward(head.gradNormed.data, x: head.activation.data, mean: head.mean.data, rstd: head.rstd.data,
                                  gamma: transformNorm.value.data, rows: m, cols: h, dx: head.gradActivation.data,
                                  dGamma: transformNorm.grad.data, dBeta: transformNormBias.grad.data)
        Kernels.geluBackward(head.gradActivation.data, u: head.preActivation.data, count: m * h, du: head.gradActivation.data)
        Linear.backward(dy: head.gradActivation.data, x: head.input.data, rows: m, inFeatures: h, outFeatures: h,
                        weight: transform.value.data, dWeight: transform.grad.data, dBias: transformBias.grad.data, dx: head.gradNormed.data)
        ws.gradHiddenA.zero()
        for (i, r) in savedRows.enumerated() { Kernels.accumulate(head.gradNormed.data + i * h, count: h, into: ws.gradHiddenA.data + r * h) }
        encoder.encoderBackward(ws: ws, dropout: savedDropout)
        readyForBackward = false
    }
}

/// The MLM head's activations and backward scratch for `rows` masked tokens; kept while
/// a batch's masked count fits.
struct MLMHeadBuffers {
    let capacity: Int, hidden: Int, vocab: Int
    let input, preActivation, activation, normed, gradNormed, gradActivation: Tensor  // [rows, H]
    let mean, rstd: Tensor                                                            // [rows]
    /// `[rows, V]`: the logits, then (training) their gradient.
    let logits: Tensor

    init(rows: Int, hidden h: Int, vocab v: Int) {
        let c = rows == 0 ? 0 : max(rows + rows / 4, 64)  // headroom: the masked count varies by batch
        capacity = c; hidden = h; vocab = v
        input = Tensor(shape: [c, h]); preActivation = Tensor(shape: [c, h]); activation = Tensor(shape: [c, h])
        normed = Tensor(shape: [c, h]); gradNormed = Tensor(shape: [c, h]); gradActivation = Tensor(shape: [c, h])
        mean = Tensor(shape: [c]); rstd = Tensor(shape: [c])
        logits = Tensor(shape: [c, v])
    }

    func fits(rows: Int, hidden h: Int, vocab v: Int) -> Bool { rows <= capacity && h == hidden && v == vocab }
}
