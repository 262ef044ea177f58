import Foundation
import LexgraphCore
import Prediction
import Tokenizers

/// What a case-outcome run learned from, as drift needs it: the training cases (rebuilt
/// from the run's `config.json`: its plan over `cases.jsonl` of its data folder, the same
/// selection `lexgraph train` made) and the WordPiece vocabulary its text went through.
public struct RunTrainingCases: Sendable {
    public let folder: RunFolder
    public let config: RunConfig
    public let cases: [CaseInput]
    public let tokenizer: BertTokenizer?
    /// The folder the tokenizer came from, nil when the run has none.
    public let tokenizerFolder: String?

    /// `dataFolder` overrides the run's own data folder (`--data`), `encoder` its tokenizer
    /// folder (`--encoder`).
    public init(run path: String, dataFolder: String? = nil, encoder: String? = nil) throws {
        folder = try RunFolder(existing: path)
        config = try folder.config()
        guard config.task == RunConfig.scotusOutcome else {
            throw MonitoringError("run \(path) is a '\(config.task)' run; drift compares case-outcome runs (\(RunConfig.scotusOutcome))")
        }
        let dataset = try CaseDataset.load(dataFolder: dataFolder ?? config.dataPath)
        // Every case any fold trained on (walk-forward: every case before its last term).
        var seen = Set<Int>()
        var training: [CaseInput] = []
        for fold in dataset.folds(config.plan.evaluationPlan) {
            for c in fold.train where seen.insert(c.line).inserted { training.append(c.input) }
        }
        cases = training
        let found = try RunTrainingCases.tokenizer(folder: folder, config: config, override: encoder)
        tokenizer = found.0
        tokenizerFolder = found.1
    }

    /// The folder given, else the run's own encoder folder (fused runs save it under
    /// `model/encoder`), else the base encoder its config names, else none (a
    /// graph-features run reads no text). A folder named but missing is an error.
    static func tokenizer(folder: RunFolder, config: RunConfig, override: String?) throws -> (BertTokenizer?, String?) {
        let own = (folder.modelDirectory as NSString).appendingPathComponent("encoder")
        let chosen: String
        if let override { chosen = override }
        else if FileManager.default.fileExists(atPath: own) { chosen = own }
        else if let base = config.encoderPath {
            guard FileManager.default.fileExists(atPath: base) else {
                throw MonitoringError("the run's encoder folder \(base) (config encoder_path) is missing: pass --encoder FOLDER")
            }
            chosen = base
        } else { return (nil, nil) }
        do { return (try BertTokenizer.load(directory: chosen), chosen) } catch {
            throw MonitoringError("cannot read the WordPiece vocabulary of \(chosen): \(error)")
        }
    }
}
