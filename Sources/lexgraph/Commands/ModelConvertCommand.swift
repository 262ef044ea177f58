import ArgumentParser
import Transformer

/// `lexgraph model convert SRC DST`: loads a Hugging Face BERT folder (names with or without
/// `bert.`, F32/F16/BF16) and writes it back as Lexgraph saves checkpoints: F32
/// `model.safetensors` (`bert.`-prefixed when there is a classifier) and `config.json`.
struct ModelConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert", abstract: "Re-save a model folder as an F32 Hugging Face checkpoint.")

    @Argument(help: "Source folder with config.json and model.safetensors.") var source: String
    @Argument(help: "Destination folder (created if needed).") var destination: String

    func run() throws {
        let model = try BertModel.load(directory: source, initializeMissingHead: false)
        try model.saveCheckpoint(directory: destination)
        Console.text("wrote \(destination): \(model.parameterCount) parameters" + (model.head.map { ", head \($0.numLabels) labels (\($0.problemType.rawValue))" } ?? ""))
    }
}
