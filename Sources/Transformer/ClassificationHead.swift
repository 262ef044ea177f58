import Tensor

/// Targets for a classification head, one variant per `ProblemType`.
public enum Labels: Sendable {
    /// One class index per batch item (or `Loss.ignoreIndex`).
    case classes([Int])
    /// `[B, numLabels]` targets in [0, 1].
    case multiLabel([Float])
    /// `[B, numLabels]` real targets.
    case regression([Float])
}

/// Loss and logits of one step.
public struct ClassificationResult: Sendable {
    public let loss: Float
    /// `[B, numLabels]` row-major.
    public let logits: [Float]
}

extension BertModel {
    /// Logits `[B, numLabels]` in evaluation mode (no dropout); `input` starts the encoder
    /// at a later layer (see `forward(_:dropout:from:)`).
    public func logits(_ batch: BertBatch, from input: LayerInput? = nil) throws -> [Float] {
        let (ws, head) = try headForward(batch, dropout: false, from: input, forBackward: false)
        return Array(UnsafeBufferPointer(start: ws.logits.data, count: batch.batchSize * head.numLabels))
    }

    /// Forward, loss for `labels` (by the head's problem type) and backward, adding
    /// `lossScale`·∂loss/∂θ into the gradients. Use `lossScale = 1/k` to accumulate `k`
    /// micro-batches into the gradient of their mean loss. `classWeights` (one per label)
    /// weight the loss as torch's `CrossEntropyLoss(weight:)` (single-label) or
    /// `BCEWithLogitsLoss(pos_weight:)` (multi-label) do; see `ClassWeights`.
    @discardableResult
    public func lossAndBackward(_ batch: BertBatch, labels: Labels, dropout: Bool = false, lossScale: Float = 1,
                                from input: LayerInput? = nil, classWeights: [Float]? = nil) throws -> ClassificationResult {
        let (ws, head) = try headForward(batch, dropout: dropout, from: input)
        guard let classifier, let classifierBias else { throw TransformerError("model has no classification head") }
        let b = batch.batchSize, h = config.hiddenSize, n = b * head.numLabels
        let loss: Float
        switch (head.problemType, labels) {
        case (.singleLabelClassification, .classes(let y)):
            loss = try Loss.crossEntropy(logits: ws.logits.data, rows: b, classes: head.numLabels, labels: y, classWeights: classWeights,
                                         dLogits: ws.gradLogits.data)
        case (.multiLabelClassification, .multiLabel(let y)):
            guard y.count == n else { throw TransformerError("\(y.count) multi-label targets, batch needs \(b)x\(head.numLabels) = \(n)") }
            if let w = classWeights, w.count != head.numLabels { throw TransformerError("\(w.count) positive weights for \(head.numLabels) labels") }
            loss = try Loss.binaryCrossEntropyWithLogits(logits: ws.logits.data, targets: y, positiveWeights: classWeights, dLogits: ws.gradLogits.data)
        case (.regression, .regression(let y)):
            guard classWeights == nil else { throw TransformerError("class weights do not apply to a regression head") }
            guard y.count == n else { throw TransformerError("\(y.count) regression targets, batch needs \(b)x\(head.numLabels) = \(n)") }
            loss = try Loss.meanSquaredError(predictions: ws.logits.data, targets: y, dPredictions: ws.gradLogits.data)
        default:
            throw TransformerError("labels \(labels) do not fit a \(head.problemType.rawValue) head")
        }
        let logits = Array(UnsafeBufferPointer(start: ws.logits.data, count: n))
        if lossScale != 1 { Kernels.scale(ws.gradLogits.data, count: n, by: lossScale) }

        Linear.backward(dy: ws.gradLogits.data, x: ws.headInput.data, rows: b, inFeatures: h, outFeatures: head.numLabels,
                        weight: classifier.value.data, dWeight: classifier.grad.data, dBias: classifierBias.grad.data, dx: ws.gradPooled.data)
        let dropout = saved?.dropout ?? false
        if dropout { Kernels.multiply(ws.gradPooled.data, by: ws.headDropMask.data, count: b * h) }
        ws.gradHiddenA.zero()
        switch head.pooling {
        case .cls: poolerBackward(ws: ws)
        case .mean: meanPoolBackward(ws: ws, attentionMask: batch.attentionMask)
        }
        encoderBackward(ws: ws, dropout: dropout)
        return ClassificationResult(loss: loss, logits: logits)
    }

    /// Encoder, pooling (the pooler on [CLS], or the mask-aware mean of the last hidden
    /// states), dropout (training) and the classifier dense layer; `forBackward: false`
    /// (inference) keeps no activations.
    func headForward(_ batch: BertBatch, dropout: Bool, from input: LayerInput? = nil, forBackward: Bool = true) throws -> (BertWorkspace, ClassificationHeadSpec) {
        guard let head, let classifier, let classifierBias else { throw TransformerError("model has no classification head") }
        let ws = try encode(batch, dropout: dropout, from: input, forBackward: forBackward, pooler: head.pooling == .cls)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize
        switch head.pooling {
        case .cls:
            ws.headInput.copy(from: ws.pooled)
        case .mean:
            batch.attentionMask.withUnsafeBufferPointer {
                SentenceEmbedding.meanPool(ws.hidden[config.numHiddenLayers].data, attentionMask: $0.baseAddress!, batchSize: b,
                                           sequenceLength: t, hiddenSize: h, into: ws.headInput.data)
            }
        }
        if saved?.dropout == true {
            Dropout.fillMask(ws.headDropMask.data, count: b * h, p: Float(config.classifierDropout ?? config.hiddenDropoutProb), rng: &rng)
            Kernels.multiply(ws.headInput.data, by: ws.headDropMask.data, count: b * h)
        }
        Linear.forward(x: ws.headInput.data, rows: b, inFeatures: h, outFeatures: head.numLabels, weight: classifier.value.data,
                       bias: classifierBias.value.data, y: ws.logits.data)
        return (ws, head)
    }
}

/// Sentence embeddings from token states, as sentence-transformers computes them.
public enum SentenceEmbedding {
    /// Mask-aware mean over tokens: Σ_t mask·h / max(Σ_t mask, 1e-9). Returns `[B, H]`.
    public static func meanPooled(_ hidden: Tensor, attentionMask: [Float]) -> Tensor {
        let b = hidden.shape[0], t = hidden.shape[1], h = hidden.shape[2]
        let out = Tensor(shape: [b, h])
        attentionMask.withUnsafeBufferPointer {
            meanPool(hidden.data, attentionMask: $0.baseAddress!, batchSize: b, sequenceLength: t, hiddenSize: h, into: out.data)
        }
        return out
    }

    /// The same over raw `[B, T, H]` states into `out` `[B, H]` (overwritten).
    static func meanPool(_ hidden: UnsafePointer<Float>, attentionMask: UnsafePointer<Float>, batchSize b: Int, sequenceLength t: Int,
                         hiddenSize h: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: b * h)
        for i in 0..<b {
            var count: Float = 0
            let o = out + i * h
            for j in 0..<t where attentionMask[i * t + j] != 0 {
                let m = attentionMask[i * t + j]
                count += m
                let row = hidden + (i * t + j) * h
                for k in 0..<h { o[k] += m * row[k] }
            }
            Kernels.scale(o, count: h, by: 1 / max(count, 1e-9))
        }
    }

    /// Rows scaled to unit L2 norm (sentence-transformers `Normalize`).
    public static func l2Normalized(_ x: Tensor) -> Tensor {
        let out = x.clone()
        let rows = x.shape[0], cols = x.count / max(rows, 1)
        for i in 0..<rows {
            let r = out.data + i * cols
            let norm = Float(Kernels.sumOfSquares(r, count: cols).squareRoot())
            Kernels.scale(r, count: cols, by: 1 / max(norm, 1e-12))
        }
        return out
    }
}
