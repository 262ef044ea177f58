import ArgumentParser
import Foundation
import Transformer

/// `lexgraph model info DIR`: the config, parameter count and a tensor summary of a folder
/// holding `config.json` and `model.safetensors`, then whether the two agree (an error
/// naming the config key and the tensor when they do not).
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a model folder's config and tensors.")

    @Argument(help: "Folder with config.json and model.safetensors (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var directory: String?

    @Flag(help: "List every tensor with its dtype and shape.")
    var tensors = false

    func run() throws {
        let dir = try ModelPath.setting(directory, option: "the folder as an argument").require("model folder", folder: true)
        let c = try BertConfig(contentsOf: dir + "/config.json")
        let file = try SafetensorsFile(path: dir + "/model.safetensors")
        Console.text("model: \(dir)")
        if c.architecture != .bert { Console.text("architecture: \(c.architecture.rawValue) (\(c.architecture.classifierClass) layout)") }
        Console.text("config: vocab \(c.vocabSize), hidden \(c.hiddenSize), layers \(c.numHiddenLayers), heads \(c.numAttentionHeads), "
              + "intermediate \(c.intermediateSize), act \(c.hiddenAct), max positions \(c.maxPositionEmbeddings), "
              + "type vocab \(c.typeVocabSize), layer_norm_eps \(c.layerNormEps), dropout \(c.hiddenDropoutProb)/\(c.attentionProbsDropoutProb)")
        if c.architecture.sharesLayers {
            Console.text("shared layer: one layer's weights run \(c.numHiddenLayers) times; embeddings \(c.embeddingWidth) wide, projected to \(c.hiddenSize)")
        }
        if c.architecture.isLongformer {
            Console.text("attention window: " + c.attentionWindow.map(String.init).joined(separator: ", ") + " (per layer; half on each side), global attention on [CLS] unless a global_attention_mask says otherwise")
        }
        if let n = c.numLabels { Console.text("head: \(n) labels, \(c.problemType ?? "problem type not set")") }
        let floats = file.entries.filter { $0.dtype.isFloatConvertible }
        let count = floats.reduce(0) { $0 + $1.elementCount }
        Console.text("parameters: \(count) (\(String(format: "%.1f", Double(count) / 1e6))M) in \(floats.count) float tensors"
              + (file.entries.count > floats.count ? ", plus \(file.entries.count - floats.count) other buffer(s)" : ""))
        var dtypes: [String: Int] = [:]
        for e in file.entries { dtypes[e.dtype.rawValue, default: 0] += 1 }
        Console.text("dtypes: " + dtypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        var groups: [(String, Int, Int)] = []
        for e in floats {
            let key = Self.group(of: e.name)
            if let i = groups.firstIndex(where: { $0.0 == key }) { groups[i].1 += 1; groups[i].2 += e.elementCount }
            else { groups.append((key, 1, e.elementCount)) }
        }
        for (name, n, scalars) in groups.sorted(by: { $0.0.localizedStandardCompare($1.0) == .orderedAscending }) {
            Console.text("  \(name): \(n) tensors, \(scalars) values")
        }
        if !file.metadata.isEmpty { Console.text("metadata: " + file.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        if tensors {
            for e in file.entries { Console.text("  \(e.name) \(e.dtype.rawValue) \(e.shape)") }
        }
        // What `embed`, `train` and `predict` check before allocating: a mismatch is this
        // command's error too, so a folder that cannot load is never reported as fine.
        let folder = try CheckpointFolder(directory: dir)
        print("check: config.json agrees with every tensor shape in model.safetensors"
              + (folder.head.map { " (head: \($0.numLabels) labels)" } ?? ""))
    }

    /// `bert.encoder.layer.3.attention…` → `encoder.layer.3`; `embeddings.word…` → `embeddings`.
    static func group(of name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        if parts.first == "bert" { parts.removeFirst() }
        if parts.count >= 3, parts[0] == "encoder", parts[1] == "layer" { return parts[0...2].joined(separator: ".") }
        return parts.first ?? name
    }
}
