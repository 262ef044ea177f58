/// Trains a byte-level BPE vocabulary the way Hugging Face `tokenizers`' `BpeTrainer` does
/// for `ByteLevelBPETokenizer.train` (no normalizer, the ByteLevel pre-tokenizer, the 256
/// byte characters as the initial alphabet), so the same corpus gives the same vocabulary
/// and merges:
///
/// - ids: the special tokens in the order given, then the byte alphabet sorted by code point;
/// - words: each text's pre-tokenizer pieces, counted; each starts as one symbol per byte;
/// - merges: `BPEMergeLoop`, the peer's loop.
public struct ByteLevelBPETrainer: Sendable {
    public var vocabularySize: Int
    public var minFrequency: Int
    public var specialTokens: [String]

    public init(vocabularySize: Int, minFrequency: Int = 2, specialTokens: [String] = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]) throws {
        guard vocabularySize > 256 + specialTokens.count else {
            throw TokenizerError("vocabulary size \(vocabularySize) leaves no room for merges: the byte alphabet (256) and \(specialTokens.count) special tokens come first")
        }
        guard minFrequency >= 0 else { throw TokenizerError("minimum frequency must be 0 or more, got \(minFrequency)") }
        if let empty = specialTokens.firstIndex(where: \.isEmpty) { throw TokenizerError("special token \(empty + 1) is empty") }
        self.vocabularySize = vocabularySize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
    }

    /// Word counts over `texts`: each text through the ByteLevel pre-tokenizer, each piece's
    /// UTF-8 bytes one word. Counts from several calls can be added (`merge`).
    public static func countWords(_ texts: some Sequence<String>) -> [[UInt8]: Int] {
        var counts: [[UInt8]: Int] = [:]
        for text in texts {
            let scalars = Array(text.unicodeScalars)
            ByteLevelPreTokenizer.forEachPiece(in: scalars, range: 0..<scalars.count) { piece in
                var bytes: [UInt8] = []
                for k in piece { UTF8.encode(scalars[k]) { bytes.append($0) } }
                counts[bytes, default: 0] += 1
            }
        }
        return counts
    }

    /// The vocabulary (dense ids) and the merges in rank order, from counted words.
    public func train(wordCounts: [[UInt8]: Int]) throws -> (vocabulary: Vocabulary, merges: [(String, String)]) {
        let alphabet = ByteLevelAlphabet.characters.sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value }
        var loop = BPEMergeLoop(tokens: specialTokens + alphabet)
        let byteIds = ByteLevelAlphabet.characters.map { loop.ids[$0]! }
        var words: [[Int32]] = []
        var counts: [Int] = []
        words.reserveCapacity(wordCounts.count)
        for (word, count) in wordCounts {
            words.append(word.map { byteIds[Int($0)] })
            counts.append(count)
        }
        let merges = loop.run(words: &words, counts: counts, vocabularySize: vocabularySize, minFrequency: minFrequency)
        let tokens = loop.tokens
        // As the peer stores merges (a map from pair to rank), a pair merged twice keeps
        // its later rank only.
        var rank: [UInt64: Int] = [:]
        for (i, key) in merges.enumerated() { rank[key] = i }
        let ordered = merges.enumerated().filter { rank[$0.element] == $0.offset }.map(\.element)
        return (Vocabulary(tokens: tokens), ordered.map { key in
            (tokens[Int(Int32(truncatingIfNeeded: key >> 32))], tokens[Int(Int32(truncatingIfNeeded: key & 0xFFFF_FFFF))])
        })
    }

    /// Merges every (a, b) in `word` and returns the pair-count changes (see `BPEMergeLoop.merge`).
    public static func merge(_ word: inout [Int32], _ a: Int32, _ b: Int32, into merged: Int32) -> [(UInt64, Int)] {
        BPEMergeLoop.merge(&word, a, b, into: merged)
    }
}
