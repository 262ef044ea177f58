import Foundation
import LexgraphCore
import Tensor

/// Hugging Face folders for the MLM model: read from an encoder or `BertForMaskedLM`
/// folder, written as a `BertForMaskedLM` folder.
extension MaskedLanguageModel {
    /// Loads `directory` (`config.json` + `model.safetensors`). The MLM head is read when
    /// the file has it (`cls.predictions.*`: all of it, or none); otherwise it gets HF's
    /// `_init_weights` from `seed` (dense ~ N(0, initializer_range), biases 0, LayerNorm
    /// γ 1 β 0) and `headWasLoaded` is false. A tied decoder the file stores
    /// (`cls.predictions.decoder.weight`/`.bias`) must equal what it is tied to.
    public static func load(directory: String, seed: UInt64 = 0) throws -> (model: MaskedLanguageModel, headWasLoaded: Bool) {
        let folder = try CheckpointFolder(directory: directory)
        let file = folder.weights
        guard folder.config.architecture == .bert else {
            throw TransformerError("MLM pretraining supports BERT checkpoints only, this one is \(folder.config.architecture.rawValue)", file: folder.configPath)
        }
        if folder.head != nil {
            throw TransformerError("this checkpoint holds a classification head (classifier.weight); MLM pretraining starts from an encoder "
                                   + "or a BertForMaskedLM folder", file: file.path)
        }
        let specs = headSpecs(config: folder.config)
        let present = specs.map(\.0).filter { file.entry($0) != nil }
        if !present.isEmpty && present.count != specs.count {
            let absent = specs.map(\.0).filter { file.entry($0) == nil }
            throw TransformerError("the MLM head is incomplete: it has \(present.joined(separator: ", ")) but lacks \(absent.joined(separator: ", "))",
                                   file: file.path)
        }
        let encoder = try BertModel(config: folder.config, head: nil, seed: seed, randomInitialization: false, extraParameters: specs)
        try encoder.loadWeights(from: file, initializeMissingHead: true,
                                initializingIfMissing: BertModel.isMaskedLMFile(file) ? encoder.poolerParameterNames : [])
        try encoder.loadKeptPooler(directory: directory, weights: file)
        let model = MaskedLanguageModel(encoder: encoder)
        try model.checkTiedDecoder(in: file)
        return (model, !present.isEmpty)
    }

    /// A stored decoder must be the tied one: anything else is a model this one is not.
    func checkTiedDecoder(in file: SafetensorsFile) throws {
        for (name, tied) in [("cls.predictions.decoder.weight", encoder.wordEmbeddings), ("cls.predictions.decoder.bias", decoderBias)] {
            guard let entry = file.entry(name) else { continue }
            guard entry.shape == tied.shape else {
                throw TransformerError("tensor \"\(name)\" has shape \(entry.shape); the decoder tied to \"\(tied.name)\" needs \(tied.shape)", file: file.path)
            }
            let stored = Tensor(shape: entry.shape)
            try file.readFloats(name, into: stored.data)
            for i in 0..<stored.count where stored[i] != tied.value[i] {
                throw TransformerError("tensor \"\(name)\" differs from \"\(tied.name)\" at element \(i) (\(stored[i]) vs \(tied.value[i])): "
                                       + "an untied MLM decoder is not supported", file: file.path)
            }
        }
    }

    /// The tensors under HF `BertForMaskedLM` names: the encoder with the `bert.` prefix,
    /// the head's as `cls.predictions.*`; neither the tied decoder (`save_pretrained` leaves
    /// it out) nor the pooler (the class has none).
    public func namedTensors() -> [(name: String, tensor: Tensor)] {
        parameters.parameters.filter { !unusedParameterNames.contains($0.name) }.map { p in
            (name: (p.name.hasPrefix("cls.") ? "" : "bert.") + p.name, tensor: p.value)
        }
    }

    /// Writes a folder `transformers` loads as `BertForMaskedLM` with no missing or
    /// unexpected weights: `config.json`, `model.safetensors`, the tokenizer files of
    /// `tokenizerFrom` that exist, and the pooler in `BertModel.keptPoolerFile`, which
    /// transformers ignores and lexgraph's loaders read.
    public func save(directory: String, tokenizerFrom source: String?) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TransformerError("cannot create checkpoint folder: \(error.localizedDescription)", file: directory)
        }
        var config = self.config
        config.numLabels = nil
        config.problemType = nil
        config.headPooling = nil
        let configPath = directory + "/config.json"
        do { try Data(config.json(architecture: "BertForMaskedLM").jsonText.utf8).write(to: URL(fileURLWithPath: configPath), options: .atomic) } catch {
            throw TransformerError("cannot write config: \(error.localizedDescription)", file: configPath)
        }
        try SafetensorsWriter.write(namedTensors(), metadata: ["format": "pt"], to: directory + "/model.safetensors")
        try SafetensorsWriter.write([encoder.pooler, encoder.poolerBias].map { (name: "bert." + $0.name, tensor: $0.value) }, metadata: ["format": "pt"],
                                    to: directory + "/" + BertModel.keptPoolerFile)
        if let source { try TrainingRunFiles.copyTokenizerFiles(from: source, to: directory) }
    }
}
