import Foundation
import LexgraphCore

/// The Hugging Face `BertConfig` fields the encoder uses, read from `config.json`.
public struct BertConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: String
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Double
    public var hiddenDropoutProb: Double
    public var attentionProbsDropoutProb: Double
    public var initializerRange: Double
    /// Labels of a classification head, when the config names them (`id2label`).
    public var numLabels: Int?
    /// HF `problem_type` ("single_label_classification", "multi_label_classification", "regression").
    public var problemType: String?
    /// How the classification head pools (`HeadPooling.configKey`); nil: not recorded (BERT's pooler).
    public var headPooling: HeadPooling?
    /// Which BERT-family encoder the config describes (`model_type`); BERT unless set.
    public var architecture: EncoderArchitecture = .bert
    /// `pad_token_id`: RoBERTa numbers positions past it.
    public var padTokenId: Int = 0
    /// HF `classifier_dropout` (DistilBERT `seq_classif_dropout`): the head's dropout, nil
    /// for the hidden dropout.
    public var classifierDropout: Double?
    /// ALBERT's `embedding_size`: the width of its embedding tables, projected to
    /// hidden_size; nil (the other architectures, or an ALBERT config made in code) means
    /// hidden_size.
    public var embeddingSize: Int?
    /// Longformer's `attention_window`, one entry per layer (an int in the file applies to
    /// every layer): each token attends to the `attention_window / 2` tokens either side of
    /// it. Empty for the other architectures.
    public var attentionWindow: [Int] = []

    /// The width of the embedding tables and their LayerNorm.
    public var embeddingWidth: Int { architecture.projectsEmbeddings ? (embeddingSize ?? hiddenSize) : hiddenSize }

    /// The `hidden_act` values the encoder runs: HF's "gelu" (exact, erf) and its tanh
    /// approximation under both names transformers gives it.
    public static let activations = ["gelu", "gelu_new", "gelu_pytorch_tanh"]
    /// Whether `hidden_act` is the tanh approximation of GELU (ALBERT's default).
    public var usesTanhGELU: Bool { hiddenAct != "gelu" }

    public init(vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
                hiddenAct: String = "gelu", maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Double = 1e-12,
                hiddenDropoutProb: Double = 0.1, attentionProbsDropoutProb: Double = 0.1, initializerRange: Double = 0.02,
                numLabels: Int? = nil, problemType: String? = nil) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
        self.initializerRange = initializerRange
        self.numLabels = numLabels
        self.problemType = problemType
    }

    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Upper bounds on the config's sizes, far above any published BERT-family encoder
    /// (MiniLM: 30,522 / 384 / 6 / 12 / 1,536 / 512 / 2): a value past one is a corrupt or
    /// hostile config, refused with its key before any size is multiplied out.
    public static let limits: [String: Int64] = [
        "vocab_size": 4_194_304, "hidden_size": 65_536, "num_hidden_layers": 1_024, "num_attention_heads": 4_096,
        "intermediate_size": 262_144, "max_position_embeddings": 1_048_576, "type_vocab_size": 65_536, "embedding_size": 65_536,
    ]

    /// Reads and validates `config.json`.
    public init(contentsOf path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw TransformerError("cannot read config file", file: path)
        }
        let json: Value
        do { json = try Value.parseJSON(bytes: [UInt8](bytes)) } catch {
            throw TransformerError("config is not valid JSON: \(error)", file: path)
        }
        try self.init(json: json, path: path)
    }

    public init(json: Value, path: String) throws {
        guard case .map(let f) = json else { throw TransformerError("config JSON is not an object", file: path) }
        architecture = try EncoderArchitecture(modelType: f["model_type"]?.stringValue, path: path)
        // DistilBERT's config names the same sizes differently and fixes a few.
        let distil = architecture == .distilbert
        func key(_ bert: String) -> String {
            guard distil else { return bert }
            return ["hidden_size": "dim", "num_hidden_layers": "n_layers", "num_attention_heads": "n_heads", "intermediate_size": "hidden_dim",
                    "hidden_act": "activation", "hidden_dropout_prob": "dropout", "attention_probs_dropout_prob": "attention_dropout",
                    "classifier_dropout": "seq_classif_dropout"][bert] ?? bert
        }
        func int(_ bertKey: String, _ fallback: Int? = nil) throws -> Int {
            let key = key(bertKey)
            guard let v = f[key] else {
                if let fallback { return fallback }
                throw TransformerError("config is missing \"\(key)\"", file: path)
            }
            guard let i = v.intValue, i > 0, i < Int64(Int32.max) else {
                throw TransformerError("config \"\(key)\" must be a positive integer, found \(v.jsonText)", file: path)
            }
            if let limit = Self.limits[bertKey], i > limit {
                throw TransformerError("config \"\(key)\" is \(i), more than \(limit), the most a BERT-family encoder here may have", file: path)
            }
            return Int(i)
        }
        func prob(_ bertKey: String, _ fallback: Double) throws -> Double {
            let key = key(bertKey)
            guard let v = f[key], !v.isNull else { return fallback }
            guard let d = v.doubleValue, d >= 0, d < 1 else {
                throw TransformerError("config \"\(key)\" must be a number in [0, 1), found \(v.jsonText)", file: path)
            }
            return d
        }
        vocabSize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        numHiddenLayers = try int("num_hidden_layers")
        numAttentionHeads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        let roberta = architecture.offsetsPositions, albert = architecture == .albert
        if architecture.isLongformer { attentionWindow = try Self.attentionWindows(f["attention_window"], layers: numHiddenLayers, path: path) }
        if albert {
            embeddingSize = try int("embedding_size", 128)
            // Groups of distinct layers: lexgraph holds one shared layer (albert-base/large/xlarge/xxlarge v1 and v2 all have 1).
            for groupKey in ["num_hidden_groups", "inner_group_num"] {
                guard try int(groupKey, 1) != 1 else { continue }
                throw TransformerError("config \"\(groupKey)\" is \(f[groupKey]!.jsonText), only 1 is supported "
                                       + "(one ALBERT layer shared by all num_hidden_layers)", file: path)
            }
        }
        // Missing keys take the HF config class's defaults (RobertaConfig's are BERT's, bar pad_token_id).
        maxPositionEmbeddings = try int("max_position_embeddings", 512)
        typeVocabSize = distil ? 0 : try int("type_vocab_size", 2)
        hiddenAct = f[key("hidden_act")]?.stringValue ?? (albert ? "gelu_new" : "gelu")
        if let v = f["pad_token_id"], !v.isNull {
            guard let i = v.intValue, i >= 0, i < Int64(vocabSize) else {
                throw TransformerError("config \"pad_token_id\" must be an integer in 0..<vocab_size \(vocabSize), found \(v.jsonText)", file: path)
            }
            padTokenId = Int(i)
        } else {
            padTokenId = roberta ? 1 : 0
        }
        if distil, let v = f["sinusoidal_pos_embds"], v.boolValue == true {
            throw TransformerError("config \"sinusoidal_pos_embds\" true is not supported (fixed sinusoidal positions get no gradient)", file: path)
        }
        // Relative position embeddings would load without error and compute something else.
        if let v = f["position_embedding_type"], !v.isNull, v.stringValue != "absolute" {
            throw TransformerError("config \"position_embedding_type\" \(v.jsonText) is not supported (only \"absolute\")", file: path)
        }
        // DistilBERT's LayerNorms use a fixed 1e-12.
        let epsValue: Value = distil ? .float(1e-12) : (f["layer_norm_eps"] ?? .float(1e-12))
        guard let eps = epsValue.doubleValue, eps > 0 else {
            throw TransformerError("config \"layer_norm_eps\" must be a positive number", file: path)
        }
        layerNormEps = eps
        // AlbertConfig's dropout defaults are 0 (its classifier's is 0.1).
        hiddenDropoutProb = try prob("hidden_dropout_prob", albert ? 0 : 0.1)
        attentionProbsDropoutProb = try prob("attention_probs_dropout_prob", albert ? 0 : 0.1)
        initializerRange = f["initializer_range"]?.doubleValue ?? 0.02
        if albert { classifierDropout = try prob("classifier_dropout_prob", 0.1) }  // AlbertConfig's name and default
        else if architecture.isLongformer { classifierDropout = nil }  // LongformerClassificationHead drops with hidden_dropout_prob
        else if let v = f[key("classifier_dropout")], !v.isNull { classifierDropout = try prob("classifier_dropout", 0) }
        else if distil { classifierDropout = 0.2 }  // DistilBertConfig's seq_classif_dropout default
        if case .map(let labels)? = f["id2label"] { numLabels = labels.count } else { numLabels = nil }
        problemType = f["problem_type"]?.stringValue
        if let v = f[HeadPooling.configKey], !v.isNull {
            guard let name = v.stringValue, let pooling = HeadPooling(rawValue: name) else {
                throw TransformerError("config \"\(HeadPooling.configKey)\" must be one of \(HeadPooling.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), found \(v.jsonText)",
                                       file: path)
            }
            headPooling = pooling
        }
        try validate(path: path)
    }

    /// Checks the constraints the encoder relies on.
    public func validate(path: String? = nil) throws {
        guard hiddenSize % numAttentionHeads == 0 else {
            throw TransformerError("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)", file: path)
        }
        if architecture.offsetsPositions && padTokenId + 1 >= maxPositionEmbeddings {
            throw TransformerError("max_position_embeddings \(maxPositionEmbeddings) leaves no position past pad_token_id \(padTokenId), "
                                   + "where RoBERTa's positions start", file: path)
        }
        guard Self.activations.contains(hiddenAct) else {
            throw TransformerError("hidden_act \"\(hiddenAct)\" is not supported (one of " + Self.activations.map { "\"\($0)\"" }.joined(separator: ", ")
                                   + ": GELU exact or its tanh approximation)", file: path)
        }
        if architecture.isLongformer {
            guard attentionWindow.count == numHiddenLayers else {
                throw TransformerError("attention_window has \(attentionWindow.count) entries for num_hidden_layers \(numHiddenLayers)", file: path)
            }
            if let (l, w) = attentionWindow.enumerated().first(where: { $0.element < 2 || $0.element % 2 != 0 }) {
                throw TransformerError("attention_window \(w) of layer \(l) must be a positive even number (each side sees half of it)", file: path)
            }
        }
        if let embeddingSize, embeddingSize < 1 {
            throw TransformerError("embedding_size must be a positive integer, found \(embeddingSize)", file: path)
        }
    }

    /// The HF `config.json` for this configuration (BERT model type): the keys
    /// `save_pretrained` writes that decide the model (checked against a folder transformers
    /// wrote by `CheckpointTests.testSavedCheckpointHasHuggingFaceFormat`).
    public func json(architecture: String) -> Value {
        if self.architecture == .distilbert { return distilBertJSON(architecture: architecture) }
        var f: [String: Value] = [
            "architectures": .list([.string(architecture)]),
            "model_type": .string("bert"),
            "vocab_size": .int(Int64(vocabSize)),
            "hidden_size": .int(Int64(hiddenSize)),
            "num_hidden_layers": .int(Int64(numHiddenLayers)),
            "num_attention_heads": .int(Int64(numAttentionHeads)),
            "intermediate_size": .int(Int64(intermediateSize)),
            "hidden_act": .string(hiddenAct),
            "max_position_embeddings": .int(Int64(maxPositionEmbeddings)),
            "type_vocab_size": .int(Int64(typeVocabSize)),
            "layer_norm_eps": .float(layerNormEps),
            "hidden_dropout_prob": .float(hiddenDropoutProb),
            "attention_probs_dropout_prob": .float(attentionProbsDropoutProb),
            "initializer_range": .float(initializerRange),
            "pad_token_id": .int(0),
        ]
        if self.architecture == .roberta {
            // RobertaConfig's defaults for the special tokens `<s>` 0, `<pad>` 1, `</s>` 2.
            f["model_type"] = .string("roberta")
            f["pad_token_id"] = .int(Int64(padTokenId))
            f["bos_token_id"] = .int(0)
            f["eos_token_id"] = .int(2)
        }
        if self.architecture == .longformer {
            // LongformerConfig's names; RoBERTa's special tokens when its pad id says the vocabulary is RoBERTa's.
            f["model_type"] = .string("longformer")
            f["attention_window"] = .list(attentionWindow.map { Value.int(Int64($0)) })
            f["pad_token_id"] = .int(Int64(padTokenId))
            if padTokenId == 1 { f["bos_token_id"] = .int(0); f["eos_token_id"] = .int(2); f["sep_token_id"] = .int(2) }
        }
        if self.architecture == .albert {
            // AlbertConfig's names and special tokens (`[PAD]` 0, `[CLS]` 2, `[SEP]` 3).
            f["model_type"] = .string("albert")
            f["embedding_size"] = .int(Int64(embeddingWidth))
            f["num_hidden_groups"] = .int(1)
            f["inner_group_num"] = .int(1)
            f["pad_token_id"] = .int(Int64(padTokenId))
            f["bos_token_id"] = .int(2)
            f["eos_token_id"] = .int(3)
            f["classifier_dropout_prob"] = .float(classifierDropout ?? hiddenDropoutProb)  // nil: the head drops as the hidden layers
        } else if let classifierDropout { f["classifier_dropout"] = .float(classifierDropout) }
        addHeadKeys(&f)
        return .map(f)
    }

    /// Longformer's `attention_window`: one positive even int for every layer, or a list of
    /// one per layer (LongformerConfig's default: 512).
    static func attentionWindows(_ value: Value?, layers: Int, path: String?) throws -> [Int] {
        let limit = Int64(1 << 20)
        func window(_ v: Value, _ at: String) throws -> Int {
            guard let i = v.intValue, i >= 2, i % 2 == 0, i <= limit else {
                throw TransformerError("config \"attention_window\"\(at) must be a positive even integer up to \(limit), found \(v.jsonText)", file: path)
            }
            return Int(i)
        }
        guard let value, !value.isNull else { return Array(repeating: 512, count: layers) }
        if case .list(let items) = value {
            guard items.count == layers else {
                throw TransformerError("config \"attention_window\" lists \(items.count) windows for num_hidden_layers \(layers)", file: path)
            }
            return try items.enumerated().map { try window($1, "[\($0)]") }
        }
        return Array(repeating: try window(value, ""), count: layers)
    }

    /// DistilBERT's `config.json`: its own names for the sizes and dropouts.
    func distilBertJSON(architecture: String) -> Value {
        var f: [String: Value] = [
            "architectures": .list([.string(architecture)]),
            "model_type": .string("distilbert"),
            "vocab_size": .int(Int64(vocabSize)),
            "dim": .int(Int64(hiddenSize)),
            "n_layers": .int(Int64(numHiddenLayers)),
            "n_heads": .int(Int64(numAttentionHeads)),
            "hidden_dim": .int(Int64(intermediateSize)),
            "activation": .string(hiddenAct),
            "max_position_embeddings": .int(Int64(maxPositionEmbeddings)),
            "dropout": .float(hiddenDropoutProb),
            "attention_dropout": .float(attentionProbsDropoutProb),
            "seq_classif_dropout": .float(classifierDropout ?? 0.2),
            "sinusoidal_pos_embds": .bool(false),
            "initializer_range": .float(initializerRange),
            "pad_token_id": .int(Int64(padTokenId)),
        ]
        addHeadKeys(&f)
        return .map(f)
    }

    func addHeadKeys(_ f: inout [String: Value]) {
        if let numLabels {
            f["id2label"] = .map(Dictionary(uniqueKeysWithValues: (0..<numLabels).map { ("\($0)", Value.string("LABEL_\($0)")) }))
            f["label2id"] = .map(Dictionary(uniqueKeysWithValues: (0..<numLabels).map { ("LABEL_\($0)", Value.int(Int64($0))) }))
        }
        if let problemType { f["problem_type"] = .string(problemType) }
        if let headPooling { f[HeadPooling.configKey] = .string(headPooling.rawValue) }
    }
}
