import ArgumentParser
import Foundation
import Transformer

/// `lexgraph model …`: inspect and benchmark BERT-family checkpoints; the model registry.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect and benchmark BERT-family encoders (Hugging Face folders); register, promote and roll back served models; their arrived outcomes and performance.",
        subcommands: [ModelInfoCommand.self, ModelConvertCommand.self, ModelLongformerCommand.self, ModelBenchCommand.self,
                      ModelRegisterCommand.self, ModelListCommand.self, ModelPromoteCommand.self, ModelRollbackCommand.self, ModelInferCommand.self,
                      ModelOutcomesCommand.self, ModelPerformanceCommand.self]
    )

    /// The default encoder folder: `LEXGRAPH_MODEL`, else `models/all-minilm-l6-v2`.
    static var defaultModelDirectory: String { ModelPath.setting(nil).path }
}
