import Foundation
import Tensor

/// What a classification head predicts, and so which loss trains it (HF `problem_type`).
public enum ProblemType: String, Sendable {
    /// Softmax over classes, cross-entropy against one class index per item.
    case singleLabelClassification = "single_label_classification"
    /// Independent sigmoid per label, binary cross-entropy against 0/1 targets.
    case multiLabelClassification = "multi_label_classification"
    /// Raw outputs, mean squared error against real targets.
    case regression
}

/// How a classification head reduces the encoder's token states to one vector per input.
public enum HeadPooling: String, Sendable, Codable, CaseIterable {
    /// BERT's pooler, tanh(dense(h_[CLS])), as HF `BertForSequenceClassification` does.
    case cls
    /// The mask-aware mean of the last hidden states, as sentence-transformers pools MiniLM
    /// (the encoder was trained for it); the pooler is not used and gets no gradient.
    case mean

    /// The `config.json` key a checkpoint records a non-default pooling under. Transformers
    /// ignores it: a mean-pooled checkpoint loaded there as `BertForSequenceClassification`
    /// pools [CLS] and predicts differently; lexgraph restores it.
    public static let configKey = "lexgraph_pooling"
}

/// A dense head (`classifier.weight [labels, H]`, `classifier.bias`) on the pooled encoder
/// output: the pooler over [CLS] as in HF `BertForSequenceClassification`, or the mean of
/// the tokens' last hidden states.
public struct ClassificationHeadSpec: Sendable, Equatable {
    public var numLabels: Int
    public var problemType: ProblemType
    public var pooling: HeadPooling
    public init(numLabels: Int, problemType: ProblemType, pooling: HeadPooling = .cls) {
        self.numLabels = numLabels
        self.problemType = problemType
        self.pooling = pooling
    }
}

/// A BERT encoder (embeddings, `numHiddenLayers` post-LayerNorm transformer layers, tanh
/// pooler) with an optional classification head; forward and backward are written by hand
/// over the Tensor kernels. All parameters live in one `ParameterSet`.
///
/// Not thread-safe: a model owns one workspace that each forward overwrites.
public final class BertModel {
    public let config: BertConfig
    public let head: ClassificationHeadSpec?
    public let parameters: ParameterSet
    /// Generator for dropout masks; reseed for reproducible training.
    public var rng: SeededGenerator

    /// One per encoder layer; under ALBERT every entry is the one shared layer.
    let layers: [LayerParameters]
    let wordEmbeddings, positionEmbeddings, embeddingNorm, embeddingNormBias: Parameter
    /// ALBERT's `encoder.embedding_hidden_mapping_in` (embedding width → hidden size); nil elsewhere.
    let embeddingProjection, embeddingProjectionBias: Parameter?
    /// Nil for an architecture without token types (DistilBERT).
    let tokenTypeEmbeddings: Parameter?
    let pooler, poolerBias: Parameter
    let baseClassifier, baseClassifierBias: Parameter?
    /// Low-rank adapters the encoder runs with (`attachLoRA`, `loadLoRA`); while set, the
    /// base parameters are frozen and get no gradients.
    public internal(set) var adapters: LoRAAdapters?
    /// The classifier the head runs: the adapters' trainable copy while they are attached
    /// (peft `modules_to_save`), else the model's own.
    var classifier: Parameter? { adapters?.classifier ?? baseClassifier }
    var classifierBias: Parameter? { adapters?.classifierBias ?? baseClassifierBias }

    var workspace: BertWorkspace?
    /// The batch and options of the last forward, which backward differentiates.
    var saved: SavedForward?

    struct SavedForward {
        let batch: BertBatch
        let dropout: Bool
        let pooled: Bool
        /// The first encoder layer this forward ran (> 0 when it started from a `LayerInput`);
        /// backward stops there and leaves the layers below and the embeddings without gradients.
        var firstLayer: Int = 0
    }

    /// Parameter names and shapes in layout order (HF names without `bert.`).
    /// `extra` (another head's tensors, e.g. the MLM head's `cls.predictions.*`) goes last.
    /// ALBERT's shared layer is one set, `encoder.layer.0.*`, after its embedding projection.
    public static func parameterSpecs(config c: BertConfig, head: ClassificationHeadSpec?, extra: [(String, [Int])] = []) -> [(String, [Int])] {
        let h = c.hiddenSize, e = c.embeddingWidth
        var specs: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [c.vocabSize, e]),
            ("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, e]),
        ]
        if c.architecture.hasTokenTypes { specs.append(("embeddings.token_type_embeddings.weight", [c.typeVocabSize, e])) }
        specs += [("embeddings.LayerNorm.weight", [e]), ("embeddings.LayerNorm.bias", [e])]
        if c.architecture.projectsEmbeddings { specs += [(embeddingProjectionName + "weight", [h, e]), (embeddingProjectionName + "bias", [h])] }
        let distinctLayers = c.architecture.sharesLayers ? min(c.numHiddenLayers, 1) : c.numHiddenLayers
        for l in 0..<distinctLayers {
            specs += LayerParameters.specs(layer: l, hidden: h, intermediate: c.intermediateSize, global: c.architecture.isLongformer)
        }
        specs += [("pooler.dense.weight", [h, h]), ("pooler.dense.bias", [h])]
        if let head { specs += [("classifier.weight", [head.numLabels, h]), ("classifier.bias", [head.numLabels])] }
        return specs + extra
    }

    /// ALBERT's embedding projection (its HF name, without the `albert.` prefix).
    static let embeddingProjectionName = "encoder.embedding_hidden_mapping_in."

    /// A model with HF-style random initialization: weights ~ N(0, initializer_range),
    /// biases 0, LayerNorm γ=1 β=0.
    public convenience init(config: BertConfig, head: ClassificationHeadSpec? = nil, seed: UInt64 = 0) throws {
        try self.init(config: config, head: head, seed: seed, randomInitialization: true)
    }

    /// `randomInitialization: false` leaves parameters at zero for a loader to fill;
    /// `extraParameters` are laid out after the encoder's (and initialized the same way), so
    /// a head defined outside this class (`MaskedLanguageModel`) shares the one flat block.
    init(config: BertConfig, head: ClassificationHeadSpec?, seed: UInt64, randomInitialization: Bool,
         extraParameters: [(String, [Int])] = []) throws {
        try config.validate()
        if let head, head.numLabels < 1 { throw TransformerError("classification head needs at least one label, got \(head.numLabels)") }
        try Self.checkMemory(config: config, head: head, extra: extraParameters)
        self.config = config
        self.head = head
        self.rng = SeededGenerator(seed: seed)
        parameters = ParameterSet(Self.parameterSpecs(config: config, head: head, extra: extraParameters))
        let p = parameters
        let shared = config.architecture.sharesLayers
        layers = (0..<config.numHiddenLayers).map { LayerParameters(p, layer: shared ? 0 : $0, global: config.architecture.isLongformer) }
        embeddingProjection = config.architecture.projectsEmbeddings ? p.required(Self.embeddingProjectionName + "weight") : nil
        embeddingProjectionBias = config.architecture.projectsEmbeddings ? p.required(Self.embeddingProjectionName + "bias") : nil
        wordEmbeddings = p.required("embeddings.word_embeddings.weight")
        positionEmbeddings = p.required("embeddings.position_embeddings.weight")
        tokenTypeEmbeddings = config.architecture.hasTokenTypes ? p.required("embeddings.token_type_embeddings.weight") : nil
        embeddingNorm = p.required("embeddings.LayerNorm.weight")
        embeddingNormBias = p.required("embeddings.LayerNorm.bias")
        pooler = p.required("pooler.dense.weight")
        poolerBias = p.required("pooler.dense.bias")
        baseClassifier = head == nil ? nil : p.required("classifier.weight")
        baseClassifierBias = head == nil ? nil : p.required("classifier.bias")
        if randomInitialization { for param in p.parameters { initialize(param) } }
    }

    /// Refuses a model whose values and gradients (8 bytes a parameter) would not fit in
    /// this machine's memory, before allocating them: sizes within `BertConfig.limits` can
    /// still multiply out to terabytes.
    static func checkMemory(config: BertConfig, head: ClassificationHeadSpec?, extra: [(String, [Int])] = []) throws {
        var scalars = 0, overflow = false
        for (_, shape) in parameterSpecs(config: config, head: head, extra: extra) {
            var n = 1
            for d in shape { let (p, o) = n.multipliedReportingOverflow(by: d); n = p; overflow = overflow || o }
            let (sum, o) = scalars.addingReportingOverflow(n)
            scalars = sum; overflow = overflow || o
        }
        let bytes = Double(scalars) * 8, memory = Double(ProcessInfo.processInfo.physicalMemory)
        if overflow || bytes > memory {
            let gb = { (x: Double) in String(format: "%.1f GB", x / 1e9) }
            throw TransformerError("the config's sizes (vocab_size \(config.vocabSize), hidden_size \(config.hiddenSize), num_hidden_layers "
                                   + "\(config.numHiddenLayers), intermediate_size \(config.intermediateSize), max_position_embeddings "
                                   + "\(config.maxPositionEmbeddings)) need \(overflow ? "more than 2^63 bytes" : gb(bytes)) for weights and gradients, "
                                   + "more than this machine's \(gb(memory)) of memory")
        }
    }

    /// HF `_init_weights` for one parameter.
    func initialize(_ param: Parameter) {
        if param.name.contains("LayerNorm") {
            param.value.fill(param.name.hasSuffix(".weight") ? 1 : 0)
        } else if param.name.hasSuffix(".bias") {
            param.value.zero()
        } else {
            let std = Float(config.initializerRange)
            for i in 0..<param.value.count { param.value[i] = std * rng.nextNormal() }
        }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.scalarCount }

    /// The workspace for `batch`, reused when it fits; `keepsActivations` false allows an
    /// inference-only one (layer buffers shared, no backward scratch); `firstLayer` > 0 one
    /// without buffers for the embeddings and layers below it (a pass from a `LayerInput`).
    func workspace(for batch: BertBatch, dropout: Bool, keepsActivations: Bool = true, firstLayer: Int = 0) -> BertWorkspace {
        let hasBias = batch.attentionBias != nil
        let globalCount = batch.globalRows(config).map(\.count).max() ?? 0
        if let w = workspace, w.fits(batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, dropoutMasks: dropout, hasBias: hasBias,
                                     keepsActivations: keepsActivations, firstLayer: firstLayer, globalCount: globalCount) {
            return w
        }
        // Carve the old arena again when it is large enough; otherwise release it before
        // allocating the new one.
        let labels = head?.numLabels ?? 0
        let needed = BertWorkspace.size(config: config, labels: labels, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength,
                                        dropoutMasks: dropout, hasBias: hasBias, keepsActivations: keepsActivations, firstLayer: firstLayer,
                                        globalCount: globalCount).plan.floats
        let previous = workspace.flatMap { $0.storage.count >= needed ? $0 : nil }
        workspace = nil
        let w = BertWorkspace(config: config, labels: labels, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength,
                              dropoutMasks: dropout, hasBias: hasBias, keepsActivations: keepsActivations, firstLayer: firstLayer,
                              globalCount: globalCount, reusing: previous)
        workspace = w
        return w
    }
}
