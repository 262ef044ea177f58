import Foundation
import Grounding
import Tensor
import Tokenizers
import Transformer

/// One case ready for the fused model: its transformer input and, for the graph head, its
/// standardized graph features and seed embedding rows.
public struct PreparedCase: Sendable {
    public var encoded: EncodedCase
    public var features: [Float]
    public var seeds: [Int32]
    /// The context facts the input holds, in encoder order (explanations name them).
    public var context: [GraphFact]
}

/// The graph-fused transformer outcome model: a BERT encoder over the case's facts text
/// with its graph context fused in (`FusionMode`), plus the graph-feature head
/// (`GraphFeatureHead`), trained jointly with binary cross-entropy.
///
/// Mode `none` with the head off is the text-only transformer. Early stopping keeps the
/// epoch with the best dev ROC AUC (not accuracy: the dev years are petitioner-heavy, and
/// predicted labels use the fixed `decisionThreshold` of 0.5 anyway).
public final class FusedOutcomeModel: RunnableOutcomeModel {
    public static let kind = "fused-transformer"

    public let options: FusedModelOptions
    public let grounder: CaseGrounder
    public let encoder: BertModel
    public let tokenizer: BertTokenizer
    public let textEncoder: CaseTextEncoder
    /// Folder the tokenizer files are copied from when saving (nil: vocab.txt is written).
    let tokenizerDirectory: String?
    public internal(set) var head: GraphFeatureHead
    public internal(set) var vocabulary: SeedVocabulary
    public internal(set) var standardizer: FeatureStandardizer
    public internal(set) var history: [EpochRecord] = []
    /// Called during `fit` (grounding, caching, each training batch, dev evaluation).
    public var progress: ((FusionProgress) -> Void)?
    /// Frozen-layer states shared by every `fit` and `predictProbabilities` of a run (the
    /// folds of a walk-forward evaluation). Nil: each fit caches its own cases afresh and
    /// predictions run the whole encoder. `RunModels.make` sets one.
    public var runCache: FusedRunCache?
    /// The encoder weights the model was made with: every `fit` starts from them, so a
    /// model refit per fold never carries one fold's training into the next.
    let initialEncoderWeights: [Float]

    public var name: String {
        "fused-transformer[\(options.fusion.rawValue)\(options.graphHead ? "+head-\(options.headFusion.rawValue)" : "")]"
    }

    /// A model from the encoder folder `modelDirectory` (HF layout: config.json,
    /// model.safetensors, vocab.txt or tokenizer.json), untrained head.
    public convenience init(modelDirectory: String = "models/all-minilm-l6-v2", grounder: CaseGrounder, options: FusedModelOptions = FusedModelOptions(),
                            progress: ((FusionProgress) -> Void)? = nil) throws {
        let encoder = try BertModel.load(directory: modelDirectory, seed: options.seed)
        let tokenizer = try BertTokenizer.load(directory: modelDirectory)
        try self.init(encoder: encoder, tokenizer: tokenizer, tokenizerDirectory: modelDirectory, grounder: grounder, options: options)
        self.progress = progress
    }

    /// A model over a given encoder and tokenizer (tests use a tiny random encoder).
    public init(encoder: BertModel, tokenizer: BertTokenizer, tokenizerDirectory: String? = nil, grounder: CaseGrounder,
                options: FusedModelOptions = FusedModelOptions()) throws {
        try options.validate()
        guard options.includeOwnCitations == grounder.options.includeOwnCitations else {
            throw PredictionError("fused model option include-own-citations is \(options.includeOwnCitations) but the grounder's is \(grounder.options.includeOwnCitations)")
        }
        guard tokenizer.vocabulary.count <= encoder.config.vocabSize else {
            throw PredictionError("tokenizer has \(tokenizer.vocabulary.count) tokens, the encoder's vocabulary only \(encoder.config.vocabSize)")
        }
        guard options.maxLength <= encoder.config.maxPositionEmbeddings else {
            throw PredictionError("max length \(options.maxLength) exceeds the encoder's max_position_embeddings \(encoder.config.maxPositionEmbeddings)")
        }
        self.options = options
        self.grounder = grounder
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.tokenizerDirectory = tokenizerDirectory
        textEncoder = try CaseTextEncoder(tokenizer: tokenizer, mode: options.fusion, maxLength: options.maxLength, contextTokens: options.contextTokens)
        vocabulary = SeedVocabulary(keys: [:])
        standardizer = FeatureStandardizer(means: [], deviations: [])
        head = try GraphFeatureHead(shape: GraphHeadShape(hiddenSize: encoder.config.hiddenSize, usesGraph: false), seed: options.seed)
        initialEncoderWeights = snapshot(encoder.parameters)
    }

    /// Encoder layers below this one are frozen (the cache holds their output); the depth
    /// when no encoder layer trains (only the pooler and the head), 0 when all do.
    public var frozenLayerCount: Int {
        let depth = encoder.config.numHiddenLayers
        return depth - min(options.trainableTopLayers, depth)
    }

    /// The head's shape for the current vocabulary and standardization.
    var headShape: GraphHeadShape {
        GraphHeadShape(hiddenSize: encoder.config.hiddenSize, usesGraph: options.graphHead, fusion: options.headFusion,
                       featureCount: GraphFeatures.names.count, seedVocabularySizes: vocabulary.sizes,
                       embeddingSize: options.embeddingSize, mlpHidden: options.mlpHidden)
    }

    /// Display names of the anchors of `facts` (K-BERT places a fact after its anchor's mention).
    func anchorNames(_ facts: [GraphFact]) -> [String: String] {
        var names: [String: String] = [:]
        for f in facts where names[f.anchor.key] == nil { names[f.anchor.key] = grounder.graph.name(of: f.anchor.key) }
        return names
    }

    /// The model input of `query` from its grounding; `context` overrides the selected
    /// facts (occlusion).
    func prepare(_ query: PredictionQuery, grounding: CaseGrounding, context: [GraphFact]? = nil) throws -> PreparedCase {
        let facts = context ?? textEncoder.contextFacts(grounding)
        let encoded = try textEncoder.encode(facts: query.input.facts, context: facts, anchorNames: anchorNames(facts))
        let features = options.graphHead ? try standardizer.apply(grounding.features.values) : []
        let seeds = options.graphHead ? vocabulary.indices(grounding.seeds) : []
        return PreparedCase(encoded: encoded, features: features, seeds: seeds, context: facts)
    }

    public func prepare(_ query: PredictionQuery) throws -> PreparedCase {
        try prepare(query, grounding: try grounder.grounding(for: query))
    }

    /// The padded encoder batch of `cases`.
    func batch(_ cases: [PreparedCase]) throws -> BertBatch {
        try FusionCollation.batch(cases.map(\.encoded), padTokenId: tokenizer.padId)
    }

    /// Logits of `cases` through the head after an encoder forward (from `input` when the
    /// bottom layers are cached).
    func logits(_ cases: [PreparedCase], dropout: Bool, from input: LayerInput? = nil, batch: BertBatch? = nil) throws -> [Float] {
        // Without dropout this is evaluation: no backward follows, so the encoder may use
        // its smaller inference-only workspace.
        let out = try encoder.forward(try batch ?? self.batch(cases), dropout: dropout, from: input, forBackward: dropout)
        return try head.forward(pooled: out.pooledOutput, features: cases.flatMap(\.features), seeds: cases.flatMap(\.seeds))
    }

    /// P(first party wins) for prepared cases, evaluation mode, full encoder pass, batched
    /// by length.
    public func probabilities(_ cases: [PreparedCase]) throws -> [Double] {
        var out = [Double](repeating: 0, count: cases.count)
        for indices in LengthBucketing.sortedBatches(lengths: cases.map(\.encoded.length), batchSize: options.batchSize) {
            let z = try logits(indices.map { cases[$0] }, dropout: false)
            for (row, i) in indices.enumerated() { out[i] = sigmoid(z[row]) }
        }
        return out
    }

    /// Through the run cache's frozen states when the model has one (the frozen layers'
    /// output equals a full pass up to float rounding), else a full encoder pass.
    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        BLAS.threadCount = options.blasThreads
        let cases = try zip(queries, try grounder.groundings(for: queries)).map { try prepare($0, grounding: $1) }
        guard let runCache, frozenLayerCount > 0 else { return try probabilities(cases) }
        return try cachedProbabilities(cases, states: try frozenStates(queries, cases, cache: runCache))
    }
}

/// σ(x) in Double, stable for large |x|.
func sigmoid(_ x: Float) -> Double {
    let d = Double(x)
    return d >= 0 ? 1 / (1 + exp(-d)) : exp(d) / (1 + exp(d))
}
