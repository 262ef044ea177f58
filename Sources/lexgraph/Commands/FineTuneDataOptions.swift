import ArgumentParser
import Transformer

/// The base model and the labelled training file that `finetune` and `tune` read, with the
/// fields that hold each part of an example; each command adds its own dev and test files.
struct FineTuneDataOptions: ParsableArguments {
    @Option(name: .long, help: "Base model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Option(name: .long, help: "Training file (.jsonl or .tsv).")
    var train: String
    @Option(name: .long, help: "classify (one label per text) or multilabel.")
    var task: FineTuneTask
    @Option(name: .long, help: "Field/column with the text.")
    var textField = "text"
    @Option(name: .long, help: "Field/column with a second text (encoded as a pair).")
    var pairField: String?
    @Option(name: .long, help: "Field/column with the label(s).")
    var labelField = "label"
    @Option(name: .long, help: "Field/column with an id copied into the predictions.")
    var idField: String?

    func inputs(dev: String?) throws -> FineTuneInputs {
        FineTuneInputs(modelDirectory: try ModelPath.setting(model).require("model folder", folder: true), trainPath: train, devPath: dev,
                       fields: TextDatasetFields(text: textField, pair: pairField, label: labelField, id: idField))
    }
}
