import Foundation
import LexgraphCore

/// A Hugging Face folder (`config.json` + `model.safetensors`) read and cross-checked
/// before any weight is allocated: the config's dimensions must agree with every tensor
/// shape the safetensors header declares, so a config that says `vocab_size: 100000000`
/// next to a 30,522-row embedding is an error naming the key, its value and both files,
/// not a 150 GB allocation. Only the header is parsed here (the file is memory-mapped).
public struct CheckpointFolder {
    public let config: BertConfig
    public let weights: SafetensorsFile
    /// The head the weights carry (from `classifier.weight`), or the one asked for.
    public let head: ClassificationHeadSpec?
    public let configPath: String

    /// Reads both files and checks them against each other. When `head` is nil and the
    /// file holds `classifier.weight`, the head is taken from it (labels from its shape,
    /// problem type from the config, else regression for 1 label and single-label
    /// classification otherwise, as HF decides; pooling from `lexgraph_pooling`, else
    /// [CLS]). A `head` whose pooling differs from the one the file's classifier was
    /// trained with is an error: its logits would silently mean something else.
    public init(directory: String, head: ClassificationHeadSpec? = nil) throws {
        configPath = directory + "/config.json"
        config = try BertConfig(contentsOf: configPath)
        weights = try SafetensorsFile(path: directory + "/model.safetensors")
        var head = head
        let savedPooling = config.headPooling ?? .cls
        let classifierName = config.architecture.fileName("classifier.weight")
        if let head, weights.entry(classifierName) != nil, head.pooling != savedPooling {
            throw TransformerError("the checkpoint's classifier was trained with \(savedPooling.rawValue) pooling (config \"\(HeadPooling.configKey)\"), "
                                   + "a \(head.pooling.rawValue)-pooling head was asked for", file: configPath)
        }
        if head == nil, let e = weights.entry(classifierName) {
            guard e.shape.count == 2, e.shape[0] >= 1 else {
                throw TransformerError("tensor \"\(classifierName)\" has shape \(e.shape), expected [labels, \(config.hiddenSize)]", file: weights.path)
            }
            let problem = config.problemType.flatMap(ProblemType.init(rawValue:)) ?? (e.shape[0] == 1 ? .regression : .singleLabelClassification)
            head = ClassificationHeadSpec(numLabels: e.shape[0], problemType: problem, pooling: savedPooling)
        }
        self.head = head
        try BertModel.checkShapes(config: config, head: head, against: weights, configPath: configPath)
    }
}

extension BertModel {
    /// The config key behind each dimension of a parameter (HF names without `bert.`):
    /// what a shape mismatch is reported against.
    /// (`embeddingKey`: what sizes the embedding tables, ALBERT's `embedding_size`.)
    static func dimensionKeys(of name: String, embeddingKey e: String = "hidden_size") -> [String] {
        let h = "hidden_size", i = "intermediate_size"
        switch name {
        case "embeddings.word_embeddings.weight": return ["vocab_size", e]
        case "embeddings.position_embeddings.weight": return ["max_position_embeddings", e]
        case "embeddings.token_type_embeddings.weight": return ["type_vocab_size", e]
        case "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias": return [e]
        case embeddingProjectionName + "weight": return [h, e]
        case "classifier.weight": return ["number of labels", h]
        case "classifier.bias": return ["number of labels"]
        default:
            if name.hasSuffix(".intermediate.dense.weight") { return [i, h] }
            if name.hasSuffix(".intermediate.dense.bias") { return [i] }
            if name.hasSuffix(".output.dense.weight") && !name.contains(".attention.") { return [h, i] }
            return name.hasSuffix(".weight") && !name.contains("LayerNorm") ? [h, h] : [h]
        }
    }

    /// Checks `config` (and `head`) against the tensor shapes `file`'s header declares,
    /// before anything is allocated: the layer count, then each parameter's shape, naming
    /// the config key whose value disagrees. Tensors the file lacks are left to
    /// `loadWeights` (a missing head may be initialized), but they cannot pass with a
    /// config larger than the file: every encoder tensor must be present here.
    static func checkShapes(config: BertConfig, head: ClassificationHeadSpec?, against file: SafetensorsFile, configPath: String) throws {
        func mismatch(_ what: String, _ detail: String) -> TransformerError {
            TransformerError("\(what) does not match the weights in \(file.path): \(detail)", file: configPath)
        }
        // Layer count first: it is the one dimension no single tensor shape shows.
        let architecture = config.architecture
        var layerIndices = Set<Int>()
        for e in file.entries {
            let parts = e.name.split(separator: ".", omittingEmptySubsequences: false)
            let rest = parts.first.map(String.init) == architecture.rawValue ? parts.dropFirst() : parts[...]
            if rest.count > 3, rest[rest.startIndex] == architecture.layerContainer, rest[rest.startIndex + 1] == "layer",
               let n = Int(rest[rest.startIndex + 2]), n >= 0 { layerIndices.insert(n) }
        }
        if !layerIndices.isEmpty, layerIndices.count != config.numHiddenLayers || layerIndices.max()! != config.numHiddenLayers - 1 {
            let c = architecture.layerContainer
            throw mismatch("num_hidden_layers \(config.numHiddenLayers)", "they hold \(layerIndices.count) layer(s), "
                           + "\(c).layer.\(layerIndices.min()!) to \(c).layer.\(layerIndices.max()!)")
        }
        var missing: [String] = []
        for (name, shape) in parameterSpecs(config: config, head: head) {
            let isHead = architecture.isHeadParameter(name)
            guard let entry = architecture.fileNames(name).lazy.compactMap({ file.entry($0) }).first else {
                // A BertForMaskedLM file has no pooler (the loader initializes it).
                if !isHead && !(name.hasPrefix("pooler.") && BertModel.isMaskedLMFile(file)) { missing.append(name) }
                continue
            }
            guard entry.shape.count == shape.count else {
                throw mismatch("the config", "tensor \"\(entry.name)\" has shape \(entry.shape), the config implies \(shape)")
            }
            let keys = dimensionKeys(of: name, embeddingKey: architecture.projectsEmbeddings ? "embedding_size" : "hidden_size")
            for (d, (found, expected)) in zip(entry.shape, shape).enumerated() where found != expected {
                let key = d < keys.count ? keys[d] : "dimension \(d)"
                throw mismatch("\(key) \(expected)", "tensor \"\(entry.name)\" has shape \(entry.shape), the config implies \(shape)")
            }
        }
        if !missing.isEmpty {
            throw mismatch("the config", "\(missing.count) tensor(s) it implies are absent: " + missing.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")
                           + (missing.count > 4 ? ", ..." : ""))
        }
    }
}
