import Foundation
import Transformer

/// What a study's trials train on, as one text for its fingerprint: the model folder,
/// data files (with digests of their contents, so an edited file is noticed) and fields,
/// and the options the space does not vary.
public enum StudyTask {
    public static func describe(inputs: FineTuneInputs, base: FineTuneOptions) throws -> String {
        struct Task: Encodable { var inputs: FineTuneInputs, options: FineTuneOptions, train_digest: String, dev_digest: String? }
        func digest(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw SearchError("cannot read the data file", file: path) }
            return Study.digest(bytes: data)
        }
        return Study.canonical(Task(inputs: inputs, options: base, train_digest: try digest(inputs.trainPath), dev_digest: try inputs.devPath.map(digest)))
    }
}
