/// The BERT-family encoders `BertModel` runs. Their encoder layers are the same
/// post-LayerNorm layer (self-attention, residual, LayerNorm, GELU FFN, residual,
/// LayerNorm), so one layer stack serves all four; they differ in the embeddings, the
/// classification head, a dropout or two and the Hugging Face tensor names, which this
/// type maps. Parameters keep BERT's names inside lexgraph (`parameterSpecs`); only
/// checkpoint files see the architecture's own names.
public enum EncoderArchitecture: String, Sendable, CaseIterable {
    /// HF `BertForSequenceClassification`: word + position + token-type embeddings;
    /// head dropout(tanh(pooler([CLS]))) → classifier.
    case bert
    /// HF `DistilBertForSequenceClassification`: word + position embeddings (no token
    /// types); no dropout after the attention output projection; head
    /// dropout(ReLU(pre_classifier([CLS]))) → classifier.
    case distilbert
    /// HF `RobertaForSequenceClassification`: position ids offset past the padding index
    /// (pads sit at `pad_token_id`, real tokens count on from it), one token type; head
    /// out_proj(dropout(tanh(dense(dropout(<s>))))).
    case roberta
    /// HF `AlbertForSequenceClassification`: factorized embeddings (tables `embedding_size`
    /// wide, LayerNorm there, then `encoder.embedding_hidden_mapping_in` to hidden_size);
    /// ONE layer's weights run `num_hidden_layers` times (one parameter set, whose gradient
    /// sums over its uses); no dropout after the FFN output; head
    /// dropout(tanh(pooler([CLS]))) → classifier, as BERT.
    case albert
    /// HF `LongformerForSequenceClassification`: RoBERTa's embeddings and head, and in each
    /// layer sliding-window attention (`attention_window` per layer, one-sided half of it)
    /// plus global attention on chosen tokens ([CLS] by default) through a second set of
    /// projections, `query_global`/`key_global`/`value_global` (`LongformerAttention.swift`).
    case longformer

    /// The config's `model_type`; nil (older BERT configs carry none) means BERT.
    public init(modelType: String?, path: String?) throws {
        guard let modelType else { self = .bert; return }
        guard let a = EncoderArchitecture(rawValue: modelType) else {
            throw TransformerError("config \"model_type\" \"\(modelType)\" is not supported (one of "
                                   + Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ")", file: path)
        }
        self = a
    }

    /// The prefix HF's task classes put before encoder tensors.
    public var prefix: String { rawValue + "." }

    /// The HF class names of the bare encoder and of the sequence classifier.
    public var baseClass: String {
        ["bert": "BertModel", "distilbert": "DistilBertModel", "roberta": "RobertaModel", "albert": "AlbertModel",
         "longformer": "LongformerModel"][rawValue]!
    }
    public var classifierClass: String { baseClass.replacingOccurrences(of: "Model", with: "ForSequenceClassification") }

    /// Whether the architecture embeds token types (DistilBERT has no such table).
    var hasTokenTypes: Bool { self != .distilbert }
    /// Whether hidden dropout follows the attention output projection (not in DistilBERT).
    var dropsAttentionOutput: Bool { self != .distilbert }
    /// Whether hidden dropout follows the FFN output projection (HF's `AlbertLayer` defines
    /// that dropout but never applies it).
    var dropsFeedForwardOutput: Bool { self != .albert }
    /// Whether every encoder layer runs the same weights (ALBERT): the model then holds one
    /// layer's parameters, `encoder.layer.0.*`.
    public var sharesLayers: Bool { self == .albert }
    /// Whether the embeddings are narrower than the hidden size and projected up to it by
    /// `encoder.embedding_hidden_mapping_in` (ALBERT).
    var projectsEmbeddings: Bool { self == .albert }
    /// Whether the head's dense layer on the first token belongs to the classification head
    /// (saved unprefixed, absent from a bare encoder), rather than to the encoder (BERT's and ALBERT's pooler).
    var headOwnsPooler: Bool { self == .distilbert || usesRobertaHead }
    /// Whether the head is RoBERTa's: dropout on the first token, dense, tanh, dropout,
    /// `classifier.out_proj` (RoBERTa; Longformer's `LongformerClassificationHead` is the same).
    var usesRobertaHead: Bool { self == .roberta || self == .longformer }
    /// Whether positions count on past `pad_token_id` (RoBERTa's embeddings, which Longformer keeps).
    public var offsetsPositions: Bool { self == .roberta || self == .longformer }
    /// Whether layers attend in sliding windows with global tokens (Longformer).
    public var isLongformer: Bool { self == .longformer }

    /// Whether a parameter (lexgraph name) is saved without the architecture prefix.
    func isHeadParameter(_ name: String) -> Bool {
        name.hasPrefix("classifier.") || (headOwnsPooler && name.hasPrefix("pooler."))
    }

    /// The HF name (without prefix) of a parameter named as in `BertModel.parameterSpecs`.
    func fileName(_ name: String) -> String {
        switch self {
        case .bert: return name
        case .albert:
            if name.hasPrefix("pooler.dense.") { return "pooler." + name.dropFirst("pooler.dense.".count) }
            guard name.hasPrefix("encoder.layer.0.") else { return name }
            let rest = name.dropFirst("encoder.layer.0.".count)
            let renames: [(String, String)] = [
                ("attention.self.", "attention."), ("attention.output.dense.", "attention.dense."),
                ("attention.output.LayerNorm.", "attention.LayerNorm."), ("intermediate.dense.", "ffn."),
                ("output.dense.", "ffn_output."), ("output.LayerNorm.", "full_layer_layer_norm."),
            ]
            for (from, to) in renames where rest.hasPrefix(from) {
                return "encoder.albert_layer_groups.0.albert_layers.0." + to + rest.dropFirst(from.count)
            }
            return name
        case .roberta, .longformer:
            if name.hasPrefix("pooler.dense.") { return "classifier.dense." + name.dropFirst("pooler.dense.".count) }
            if name.hasPrefix("classifier.") { return "classifier.out_proj." + name.dropFirst("classifier.".count) }
            return name
        case .distilbert:
            if name.hasPrefix("pooler.dense.") { return "pre_classifier." + name.dropFirst("pooler.dense.".count) }
            guard name.hasPrefix("encoder.layer.") else { return name }
            var rest = name.dropFirst("encoder.layer.".count)
            let index = rest.prefix { $0 != "." }
            rest = rest.dropFirst(index.count + 1)
            let renames: [(String, String)] = [
                ("attention.self.query.", "attention.q_lin."), ("attention.self.key.", "attention.k_lin."),
                ("attention.self.value.", "attention.v_lin."), ("attention.output.dense.", "attention.out_lin."),
                ("attention.output.LayerNorm.", "sa_layer_norm."), ("intermediate.dense.", "ffn.lin1."),
                ("output.dense.", "ffn.lin2."), ("output.LayerNorm.", "output_layer_norm."),
            ]
            for (from, to) in renames where rest.hasPrefix(from) {
                return "transformer.layer.\(index)." + to + rest.dropFirst(from.count)
            }
            return name
        }
    }

    /// The names a file may hold a parameter under: head tensors unprefixed, encoder tensors
    /// with or without the prefix (a task class's file or a bare encoder's).
    func fileNames(_ name: String) -> [String] {
        let n = fileName(name)
        return isHeadParameter(name) ? [n] : [n, prefix + n]
    }

    /// The folder the encoder layers sit in within a file (`encoder.layer.N`, DistilBERT `transformer.layer.N`).
    var layerContainer: String { self == .distilbert ? "transformer" : "encoder" }

    /// File tensors a classifier has no place for and HF's classifier loading drops too:
    /// buffers, the masked-LM heads, and RoBERTa's own pooler (its classifier pools with
    /// `classifier.dense`).
    func isIgnorableTensor(_ name: String) -> Bool {
        if name == "embeddings.position_ids" || name == prefix + "embeddings.position_ids" { return true }
        switch self {
        case .bert: return false
        case .distilbert:
            return ["vocab_transform.", "vocab_layer_norm.", "vocab_projector."].contains { name.hasPrefix($0) }
        case .albert:  // AlbertForMaskedLM / AlbertForPreTraining heads
            return name.hasPrefix("predictions.") || name.hasPrefix("sop_classifier.")
        case .roberta, .longformer:
            return name.hasPrefix("lm_head.") || name.hasPrefix("pooler.") || name.hasPrefix(prefix + "pooler.")
        }
    }
}
