import Foundation
import Tensor
import Tokenizers
import Transformer

/// A random tiny BERT folder and a topic task (the label is which topic word a text
/// holds), so studies train real runs in milliseconds without a downloaded model.
enum TinyData {
    static let topics = ["contract", "court", "statute"]
    static let fillers = ["the", "a", "party", "shall", "may", "not", "under", "this", "section", "notice", "term", "year", "law", "state"]
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + topics + fillers

    static func lines(_ count: Int, seed: UInt64) throws -> String {
        var rng = SeededGenerator(seed: seed)
        return try (0..<count).map { i in
            var words = (0..<(3 + Int(rng.next() % 8))).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            words.insert(topics[i % 3], at: Int(rng.next() % UInt64(words.count + 1)))
            return String(decoding: try JSONSerialization.data(withJSONObject: ["text": words.joined(separator: " "), "label": topics[i % 3], "id": "t\(i)"],
                                                               options: .sortedKeys), as: UTF8.self) + "\n"
        }.joined()
    }

    /// Model folder and train/dev/test files in `dir`.
    static func inputs(_ dir: String) throws -> (inputs: FineTuneInputs, test: String) {
        let model = dir + "/model"
        let config = BertConfig(vocabSize: vocabulary.count, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32,
                                maxPositionEmbeddings: 32, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1)
        try BertModel(config: config, seed: 21).saveCheckpoint(directory: model)
        try Data((vocabulary.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: model + "/vocab.txt"))
        for (name, count, seed) in [("train", 24, UInt64(1)), ("dev", 9, 2), ("test", 9, 3)] {
            try Data(try lines(count, seed: seed).utf8).write(to: URL(fileURLWithPath: dir + "/\(name).jsonl"))
        }
        return (FineTuneInputs(modelDirectory: model, trainPath: dir + "/train.jsonl", devPath: dir + "/dev.jsonl", fields: TextDatasetFields(id: "id")),
                dir + "/test.jsonl")
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "lexgraph-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
