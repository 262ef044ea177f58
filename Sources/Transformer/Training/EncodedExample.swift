import Tokenizers

/// A labeled text after tokenization: token ids and segment ids without padding (dynamic
/// padding happens per batch) and the label indices in a `LabelSet`.
public struct EncodedExample: Sendable, Equatable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    /// One class index (classification) or the indices of the present labels (multi-label).
    public var labels: [Int]

    public init(ids: [Int32], typeIds: [Int32], labels: [Int]) {
        self.ids = ids; self.typeIds = typeIds; self.labels = labels
    }

    public var length: Int { ids.count }

    /// Tokenizes `items` (truncating to `maxLength` tokens, special tokens included; nil
    /// keeps every token, for `TextWindows`) and maps label names through `labels`. An
    /// unknown label is an error naming it and its line; `labeled: false` skips labels
    /// (prediction input).
    public static func encode(_ items: [LabeledText], tokenizer: any TextTokenizer, maxLength: Int?, labels: LabelSet,
                              labeled: Bool = true, path: String = "dataset") throws -> [EncodedExample] {
        let options = maxLength.map { EncodeOptions.truncated(to: $0) } ?? EncodeOptions(truncation: .doNotTruncate)
        let encodings: [Encoding]
        if items.allSatisfy({ $0.pair == nil }) {
            encodings = try tokenizer.encodeBatch(items.map(\.text), pairs: nil, options: options)
        } else if items.allSatisfy({ $0.pair != nil }) {
            encodings = try tokenizer.encodeBatch(items.map(\.text), pairs: items.map { $0.pair ?? "" }, options: options)
        } else {
            encodings = try items.map { try tokenizer.encode($0.text, pair: $0.pair, options: options) }
        }
        return try zip(items, encodings).map { item, encoding in
            var indices: [Int] = []
            if labeled {
                indices = try item.labels.map { name in
                    guard let i = labels.index(of: name) else {
                        throw TransformerError("label \"\(name)\" is not among the training labels (\(labels.names.prefix(10).joined(separator: ", "))\(labels.count > 10 ? ", ..." : ""))",
                                               file: path, line: item.line)
                    }
                    return i
                }
            }
            return EncodedExample(ids: encoding.ids, typeIds: encoding.typeIds, labels: indices)
        }
    }
}

/// Builds model inputs for a set of examples: one `BertBatch` padded to the longest of them
/// (dynamic padding) and the matching targets.
public enum BatchCollation {
    public static func batch(_ examples: [EncodedExample], padTokenId: Int32 = 0) throws -> BertBatch {
        try BertBatch(sequences: examples.map(\.ids), tokenTypes: examples.map(\.typeIds), padTokenId: padTokenId)
    }

    /// Class indices, or `[B, labelCount]` multi-hot rows for multi-label heads.
    public static func targets(_ examples: [EncodedExample], problem: ProblemType, labelCount: Int) throws -> Labels {
        switch problem {
        case .singleLabelClassification:
            return .classes(try examples.enumerated().map { i, e in
                guard e.labels.count == 1 else { throw TransformerError("example \(i) has \(e.labels.count) labels, classification needs exactly one") }
                return e.labels[0]
            })
        case .multiLabelClassification:
            var hot = [Float](repeating: 0, count: examples.count * labelCount)
            for (i, e) in examples.enumerated() {
                for l in e.labels {
                    guard (0..<labelCount).contains(l) else { throw TransformerError("example \(i): label index \(l) is outside 0..<\(labelCount)") }
                    hot[i * labelCount + l] = 1
                }
            }
            return .multiLabel(hot)
        case .regression:
            throw TransformerError("regression targets are not built from label names")
        }
    }
}
