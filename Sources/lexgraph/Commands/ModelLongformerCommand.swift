import ArgumentParser
import Foundation
import Transformer

/// `lexgraph model longformer SRC DST`: turns a BERT or RoBERTa folder into a Longformer one
/// the way the Longformer authors made theirs from RoBERTa (`BertModel.convertedToLongformer`):
/// positions copied out to `--max-positions`, global projections from the local ones,
/// `--attention-window` in every layer. The tokenizer files travel along, with
/// `model_max_length` raised to the new length.
struct ModelLongformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "longformer",
        abstract: "Convert a BERT/RoBERTa folder into a Longformer that reads up to --max-positions tokens.")

    @Argument(help: "Source folder (BERT or RoBERTa) with config.json and model.safetensors.") var source: String
    @Argument(help: "Destination folder (created if needed).") var destination: String
    @Option(help: "Positions the Longformer reads (the source's are repeated out to this).") var maxPositions = 4096
    @Option(help: "Attention window of every layer (even; each token sees half of it on either side).") var attentionWindow = 512

    func run() throws {
        // A bare RoBERTa folder has no head dense layer (RoBERTa's own pooler is dropped on load); it is
        // initialized here and, with no classifier, never saved.
        let model = try BertModel.load(directory: source)
        let converted = try model.convertedToLongformer(maxPositions: maxPositions, attentionWindow: attentionWindow)
        try converted.saveCheckpoint(directory: destination)
        var copied: [String] = []
        for name in TrainingRunFiles.tokenizerFiles {
            let from = source + "/" + name, to = destination + "/" + name
            guard FileManager.default.fileExists(atPath: from) else { continue }
            var data = try Data(contentsOf: URL(fileURLWithPath: from))
            if name == "tokenizer_config.json", var fields = try JSONSerialization.jsonObject(with: data) as? [String: Any],
               fields["model_max_length"] != nil {
                fields["model_max_length"] = maxPositions
                data = try JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys])
            }
            try? FileManager.default.removeItem(atPath: to)
            try data.write(to: URL(fileURLWithPath: to))
            copied.append(name)
        }
        let c = converted.config
        Console.text("wrote \(destination): longformer from \(model.config.architecture.rawValue), \(converted.parameterCount) parameters, "
                     + "\(maxPositions) positions (max_position_embeddings \(c.maxPositionEmbeddings)), attention window \(attentionWindow) in "
                     + "\(c.numHiddenLayers) layers, global projections from the local ones"
                     + (converted.head.map { ", head \($0.numLabels) labels" } ?? ""))
        if !copied.isEmpty { Console.text("tokenizer: " + copied.joined(separator: ", ")) }
    }
}
