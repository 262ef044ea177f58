import Foundation
import Tensor
import Tokenizers
import Transformer

/// A small synthetic text task for fine-tuning tests that need no downloaded model: a
/// random tiny BERT, a vocabulary of its words, and texts whose label is which topic word
/// they contain.
enum TinyTask {
    static let topics = ["contract", "court", "statute"]
    static let fillers = ["the", "a", "party", "shall", "may", "not", "under", "this", "section", "notice",
                          "term", "year", "law", "state", "right", "claim", "fee", "day"]
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + topics + fillers

    static func config(layers: Int = 3) -> BertConfig {
        BertConfig(vocabSize: vocabulary.count, hiddenSize: 16, numHiddenLayers: layers, numAttentionHeads: 2, intermediateSize: 32,
                   maxPositionEmbeddings: 32, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1)
    }

    static func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(vocabulary: Vocabulary(tokens: vocabulary))
    }

    /// `count` texts of 3...14 words; text i contains topic i % 3 once at a seeded position.
    static func items(_ count: Int, seed: UInt64) -> [LabeledText] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            var words = (0..<(3 + Int(rng.next() % 12))).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            let topic = topics[i % topics.count]
            words.insert(topic, at: Int(rng.next() % UInt64(words.count + 1)))
            return LabeledText(text: words.joined(separator: " "), labels: [topic], id: "t\(i)", line: i + 1)
        }
    }

    static func examples(_ count: Int, seed: UInt64) throws -> [EncodedExample] {
        let items = items(count, seed: seed)
        return try EncodedExample.encode(items, tokenizer: try tokenizer(), maxLength: 32, labels: try LabelSet(names: topics))
    }

    static func model(layers: Int = 3, seed: UInt64 = 11) throws -> BertModel {
        try BertModel(config: config(layers: layers), head: ClassificationHeadSpec(numLabels: topics.count, problemType: .singleLabelClassification), seed: seed)
    }

    /// A fine-tuning run's inputs in `dir`: a base model folder without a head
    /// (config.json, model.safetensors, vocab.txt; 2 layers) and train/dev JSONL files.
    static func runInputs(_ dir: String, train: [LabeledText] = items(24, seed: 1)) throws -> FineTuneInputs {
        let modelDir = dir + "/model"
        try BertModel(config: config(layers: 2), seed: 21).saveCheckpoint(directory: modelDir)
        try Data((vocabulary.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: modelDir + "/vocab.txt"))
        func write(_ items: [LabeledText], _ name: String) throws -> String {
            let text = try items.map {
                String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0.text, "label": $0.labels[0], "id": $0.id ?? ""], options: .sortedKeys), as: UTF8.self)
            }
            let path = dir + "/" + name
            try Data((text.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        return FineTuneInputs(modelDirectory: modelDir, trainPath: try write(train, "train.jsonl"),
                              devPath: try write(items(9, seed: 2), "dev.jsonl"), fields: TextDatasetFields(id: "id"))
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "lexgraph-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Every parameter value, flat.
    static func values(_ model: BertModel) -> [Float] {
        Array(UnsafeBufferPointer(start: model.parameters.values.base, count: model.parameters.scalarCount))
    }
}
