import ArgumentParser
import Foundation
import Transformer

/// `lexgraph model …`: inspect and benchmark BERT-family checkpoints.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect and benchmark BERT-family encoders (Hugging Face folders).",
        subcommands: [ModelInfoCommand.self, ModelConvertCommand.self, ModelBenchCommand.self]
    )

    /// The default encoder folder: `LEXGRAPH_MODEL`, else `models/all-minilm-l6-v2`.
    static var defaultModelDirectory: String { ModelPath.setting(nil).path }
}
