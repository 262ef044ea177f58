import Foundation
import Grounding
import Tokenizers
import Transformer

/// `fused_model.json`: everything besides weights that predicting again needs.
struct FusedModelManifest: Codable {
    var kind: String
    var options: FusedModelOptions
    var head: GraphHeadShape
    var vocabulary: SeedVocabulary
    var standardizer: FeatureStandardizer
    var featureNames: [String]
    var history: [EpochRecord]
}

extension FusedOutcomeModel {
    static let manifestFile = "fused_model.json"
    static let headFile = "graph_head.safetensors"
    static let encoderFolder = "encoder"
    static let tokenizerFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// Writes `directory/encoder/` (an HF-loadable `BertModel` folder with the tokenizer
    /// files), `graph_head.safetensors` and `fused_model.json` (options, head shape, seed
    /// vocabularies, feature standardization, learning curve).
    public func save(to directory: String) throws {
        let encoderDirectory = directory + "/" + Self.encoderFolder
        try encoder.saveCheckpoint(directory: encoderDirectory)
        let fm = FileManager.default
        var copied = false
        if let source = tokenizerDirectory {
            for name in Self.tokenizerFiles where fm.fileExists(atPath: source + "/" + name) {
                let target = encoderDirectory + "/" + name
                do {
                    if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
                    try fm.copyItem(atPath: source + "/" + name, toPath: target)
                } catch {
                    throw PredictionError("cannot copy tokenizer file: \(error.localizedDescription)", at: .init(file: target))
                }
                copied = true
            }
        }
        if !copied {
            let path = encoderDirectory + "/vocab.txt"
            do { try Data((tokenizer.vocabulary.tokens.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw PredictionError("cannot write vocabulary: \(error.localizedDescription)", at: .init(file: path))
            }
        }
        try SafetensorsWriter.write(head.parameters.parameters.map { (name: $0.name, tensor: $0.value) }, metadata: ["format": "pt"],
                                    to: directory + "/" + Self.headFile)
        let manifest = FusedModelManifest(kind: Self.kind, options: options, head: head.shape, vocabulary: vocabulary, standardizer: standardizer,
                                          featureNames: GraphFeatures.names, history: history)
        let encoderJSON = JSONEncoder()
        encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = directory + "/" + Self.manifestFile
        do { try encoderJSON.encode(manifest).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw PredictionError("cannot write model manifest: \(error.localizedDescription)", at: .init(file: path))
        }
    }

    /// Reloads a model `save(to:)` wrote; grounding goes through `grounder`, whose
    /// own-citation setting must match the saved one.
    public static func load(from directory: String, grounder: CaseGrounder) throws -> FusedOutcomeModel {
        let path = directory + "/" + manifestFile
        let manifest: FusedModelManifest
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try RunFiles.refuseRepeatedKeys(data, path: path, what: "fused model manifest")
            manifest = try JSONDecoder().decode(FusedModelManifest.self, from: data)
        } catch let error as PredictionError {
            throw error
        } catch {
            throw PredictionError("cannot read fused model manifest: \(error)", at: .init(file: path))
        }
        guard manifest.kind == kind else { throw PredictionError("model kind is \"\(manifest.kind)\", expected \"\(kind)\"", at: .init(file: path)) }
        guard manifest.featureNames == GraphFeatures.names else {
            throw PredictionError("the model was trained on \(manifest.featureNames.count) graph features that differ from this build's \(GraphFeatures.names.count)",
                                  at: .init(file: path))
        }
        let encoderDirectory = directory + "/" + encoderFolder
        let model = try FusedOutcomeModel(encoder: try BertModel.load(directory: encoderDirectory, seed: manifest.options.seed),
                                          tokenizer: try BertTokenizer.load(directory: encoderDirectory), tokenizerDirectory: encoderDirectory,
                                          grounder: grounder, options: manifest.options)
        model.vocabulary = manifest.vocabulary
        model.standardizer = manifest.standardizer
        model.history = manifest.history
        guard manifest.head == model.headShape else {
            throw PredictionError("graph head shape in the manifest does not match its options and vocabularies", at: .init(file: path))
        }
        // The manifest's sizes are checked against the file's header before the head is
        // allocated, so a corrupt manifest cannot ask for more memory than the file holds.
        let file = try SafetensorsFile(path: directory + "/" + headFile)
        for (name, shape) in GraphFeatureHead.parameterSpecs(manifest.head) {
            guard let entry = file.entry(name) else { throw PredictionError("graph head tensor \"\(name)\" is missing", at: .init(file: file.path)) }
            guard entry.shape == shape else {
                throw PredictionError("graph head tensor \"\(name)\" has shape \(entry.shape), the manifest \(path) implies \(shape)", at: .init(file: file.path))
            }
        }
        model.head = try GraphFeatureHead(shape: manifest.head, seed: manifest.options.seed)
        for p in model.head.parameters.parameters { try file.readFloats(p.name, into: p.value.data) }
        return model
    }
}
