import Foundation
import LexgraphCore
import Tensor

/// Hugging Face checkpoint folders: `config.json` + `model.safetensors`.
extension BertModel {
    /// Non-parameter buffers some checkpoints carry; skipped on load.
    static let ignorableTensors: Set<String> = ["embeddings.position_ids", "bert.embeddings.position_ids"]

    /// Whether `name` is a pretraining head's tensor (`cls.*`: the MLM head, next-sentence
    /// prediction) that this model has no place for: skipped on load, as HF's encoder and
    /// classification classes skip them, so a `BertForMaskedLM` folder (`lexgraph pretrain`)
    /// fine-tunes like any encoder. The tied MLM decoder (`cls.predictions.decoder.*`) is
    /// never a parameter; `MaskedLanguageModel` checks it against what it is tied to.
    func isSkippedPretrainingHead(_ name: String) -> Bool {
        name.hasPrefix("cls.") && parameters[name] == nil
    }

    /// Loads `directory/config.json` and `directory/model.safetensors`, checked against each
    /// other before any weight is allocated (`CheckpointFolder`). When `head` is nil and
    /// the file holds `classifier.weight`, the head is taken from it.
    /// `dropoutRate` replaces the config's hidden, attention and classifier dropout (nil: keep).
    public static func load(directory: String, head: ClassificationHeadSpec? = nil, initializeMissingHead: Bool = true, seed: UInt64 = 0,
                            dropoutRate: Double? = nil) throws -> BertModel {
        let folder = try CheckpointFolder(directory: directory, head: head)
        var config = folder.config
        if let p = dropoutRate {
            config.hiddenDropoutProb = p; config.attentionProbsDropoutProb = p
            if config.classifierDropout != nil { config.classifierDropout = p }
        }
        let model = try BertModel(config: config, head: folder.head, seed: seed, randomInitialization: false)
        try model.loadWeights(from: folder.weights, initializeMissingHead: initializeMissingHead)
        try model.loadKeptPooler(directory: directory, weights: folder.weights)
        return model
    }

    /// The file beside a `BertForMaskedLM` checkpoint that keeps the encoder's pooler, which
    /// that class has no place for (transformers would report it as unexpected): a
    /// classifier fine-tuned from the folder with [CLS] pooling then starts from the
    /// pretrained pooler, not a fresh one (HF's own loading initializes it afresh).
    public static let keptPoolerFile = "pooler.safetensors"

    /// Reads `keptPoolerFile` from `directory` when `weights` lack the pooler and it is there.
    func loadKeptPooler(directory: String, weights: SafetensorsFile) throws {
        let path = directory + "/" + Self.keptPoolerFile
        guard config.architecture == .bert, weights.entry("pooler.dense.weight") == nil, weights.entry("bert.pooler.dense.weight") == nil,
              FileManager.default.fileExists(atPath: path) else { return }
        let file = try SafetensorsFile(path: path)
        for param in [pooler, poolerBias] {
            let name = "bert." + param.name
            guard let entry = file.entry(name) else { throw TransformerError("no tensor \"\(name)\"", file: path) }
            guard entry.shape == param.shape else {
                throw TransformerError("tensor \"\(name)\" has shape \(entry.shape) but the model expects \(param.shape)", file: path)
            }
            try file.readFloats(name, into: param.value.data)
        }
    }

    /// Copies every parameter from `file`, accepting names with or without the `bert.`
    /// prefix (the classifier is never prefixed). Missing, extra and mis-shaped tensors are
    /// errors naming the tensor (and both shapes); a missing classifier keeps its random
    /// initialization when `initializeMissingHead` (so does a missing MLM head, `cls.*`), and
    /// so does the pooler a `BertForMaskedLM` file lacks.
    public func loadWeights(from file: SafetensorsFile, initializeMissingHead: Bool = true) throws {
        try loadWeights(from: file, initializeMissingHead: initializeMissingHead,
                        initializingIfMissing: Self.isMaskedLMFile(file) ? poolerParameterNames : [])
    }

    /// Whether `file` is a `BertForMaskedLM` (`AlbertForMaskedLM`: `predictions.*`)
    /// checkpoint, which HF saves without the pooler (`add_pooling_layer=False`): a model
    /// loading it initializes the pooler, as HF does.
    static func isMaskedLMFile(_ file: SafetensorsFile) -> Bool {
        file.entries.contains { $0.name.hasPrefix("cls.predictions.") || $0.name.hasPrefix("predictions.") }
    }

    /// The same; `initializingIfMissing` names further parameters that keep a fresh HF
    /// initialization when the file lacks them.
    func loadWeights(from file: SafetensorsFile, initializeMissingHead: Bool, initializingIfMissing optional: Set<String>) throws {
        var used = Set<String>()
        var missing: [String] = []
        let architecture = config.architecture
        for param in parameters.parameters {
            // DistilBERT's pre_classifier and RoBERTa's classifier.dense are head tensors, like the classifier.
            let isHead = param.name.hasPrefix("cls.") || architecture.isHeadParameter(param.name)
            let candidates = param.name.hasPrefix("cls.") ? [param.name] : architecture.fileNames(param.name)
            let present = candidates.filter { file.entry($0) != nil }
            guard let name = present.first else {
                if (isHead && initializeMissingHead) || optional.contains(param.name) { initialize(param) } else { missing.append(param.name) }
                continue
            }
            guard present.count == 1 else {
                throw TransformerError("both \"\(present[0])\" and \"\(present[1])\" are present; which one to load is ambiguous", file: file.path)
            }
            guard let entry = file.entry(name) else { continue }
            guard entry.shape == param.shape else {
                throw TransformerError("tensor \"\(name)\" has shape \(entry.shape) in the file but the model expects \(param.shape)", file: file.path)
            }
            try file.readFloats(name, into: param.value.data)
            used.insert(name)
        }
        if !missing.isEmpty {
            throw TransformerError("missing \(missing.count) tensor(s): " + missing.prefix(8).map { "\"\($0)\" \(parameters[$0]?.shape ?? [])" }.joined(separator: ", ")
                                   + (missing.count > 8 ? ", ..." : ""), file: file.path)
        }
        let extra = file.entries.map(\.name).filter {
            !used.contains($0) && !Self.ignorableTensors.contains($0) && !architecture.isIgnorableTensor($0) && !isSkippedPretrainingHead($0)
        }
        if !extra.isEmpty {
            throw TransformerError("unexpected tensor(s) the model has no place for: "
                                   + extra.prefix(8).map { n in "\"\(n)\" \(file.entry(n)?.shape ?? [])" }.joined(separator: ", ")
                                   + (extra.count > 8 ? ", ..." : ""), file: file.path)
        }
    }

    /// The parameters under Hugging Face names: encoder and pooler with the `bert.` prefix
    /// (as `BertForSequenceClassification` saves) unless `bertPrefix` is false; the
    /// classifier unprefixed.
    /// Another architecture's tensors get its own names and prefix (`EncoderArchitecture`);
    /// without a head it saves no head tensors (its bare encoder class has none).
    public func namedTensors(bertPrefix: Bool = true) -> [(name: String, tensor: Tensor)] {
        let architecture = config.architecture
        guard architecture != .bert else {
            return parameters.parameters.map { p in
                (name: (bertPrefix && !p.name.hasPrefix("classifier.") ? "bert." : "") + p.name, tensor: p.value)
            }
        }
        return parameters.parameters.compactMap { p in
            let isHead = architecture.isHeadParameter(p.name)
            if isHead && head == nil { return nil }
            return (name: (bertPrefix && !isHead ? architecture.prefix : "") + architecture.fileName(p.name), tensor: p.value)
        }
    }

    /// Writes an HF-loadable folder: `config.json` (architecture `BertForSequenceClassification`
    /// when there is a head, `BertModel` otherwise) and `model.safetensors`.
    public func saveCheckpoint(directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TransformerError("cannot create checkpoint folder: \(error.localizedDescription)", file: directory)
        }
        var config = self.config
        config.numLabels = head?.numLabels
        config.problemType = head?.problemType.rawValue
        config.headPooling = head?.pooling == .mean ? .mean : nil  // [CLS] is what every reader assumes
        let json = config.json(architecture: head == nil ? config.architecture.baseClass : config.architecture.classifierClass)
        let configPath = directory + "/config.json"
        do { try Data(json.jsonText.utf8).write(to: URL(fileURLWithPath: configPath), options: .atomic) } catch {
            throw TransformerError("cannot write config: \(error.localizedDescription)", file: configPath)
        }
        try SafetensorsWriter.write(namedTensors(bertPrefix: head != nil), metadata: ["format": "pt"], to: directory + "/model.safetensors")
    }
}
