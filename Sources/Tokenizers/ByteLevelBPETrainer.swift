/// Trains a byte-level BPE vocabulary the way Hugging Face `tokenizers`' `BpeTrainer` does
/// for `ByteLevelBPETokenizer.train` (no normalizer, the ByteLevel pre-tokenizer, the 256
/// byte characters as the initial alphabet), so the same corpus gives the same vocabulary
/// and merges:
///
/// - ids: the special tokens in the order given, then the byte alphabet sorted by code point;
/// - words: each text's pre-tokenizer pieces, counted; each starts as one symbol per byte;
/// - merges: the most frequent adjacent pair first, ties to the smallest (left id, right id);
///   counts are updated from each merge's neighbours, and a queued count that has gone stale
///   is refreshed and queued again rather than merged, as the peer does;
/// - stop at `vocabularySize` tokens, or when the best pair is rarer than `minFrequency`.
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
        var tokens: [String] = []
        var ids: [String: Int32] = [:]
        func add(_ token: String) -> Int32 {
            if let id = ids[token] { return id }
            tokens.append(token)
            ids[token] = Int32(tokens.count - 1)
            return Int32(tokens.count - 1)
        }
        for token in specialTokens { _ = add(token) }
        let alphabet = ByteLevelAlphabet.characters.sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value }
        for character in alphabet { _ = add(character) }
        let byteIds = ByteLevelAlphabet.characters.map { ids[$0]! }

        var words: [[Int32]] = []
        var counts: [Int] = []
        words.reserveCapacity(wordCounts.count)
        for (word, count) in wordCounts {
            words.append(word.map { byteIds[Int($0)] })
            counts.append(count)
        }
        var pairCounts: [UInt64: Int] = [:]
        var whereToUpdate: [UInt64: Set<Int>] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for i in 0..<(word.count - 1) {
                let key = BytePairEncoding.pairKey(word[i], word[i + 1])
                pairCounts[key, default: 0] += counts[w]
                whereToUpdate[key, default: []].insert(w)
            }
        }
        // The most frequent pair first, ties to the smallest (left id, right id).
        var queue = BinaryHeap<Candidate> { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        for (key, positions) in whereToUpdate where pairCounts[key]! > 0 {
            queue.push(Candidate(count: pairCounts[key]!, key: key, positions: positions))
        }
        whereToUpdate.removeAll()

        var merges: [(key: UInt64, id: Int32)] = []
        while tokens.count < vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.key] ?? 0
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || minFrequency > top.count { break }
            let (a, b) = (Int32(truncatingIfNeeded: top.key >> 32), Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF))
            let merged = add(tokens[Int(a)] + tokens[Int(b)])
            merges.append((top.key, merged))
            for w in top.positions {
                for (key, change) in Self.merge(&words[w], a, b, into: merged) {
                    pairCounts[key, default: 0] += change * counts[w]
                    if change > 0 { whereToUpdate[key, default: []].insert(w) }
                }
            }
            for (key, positions) in whereToUpdate where pairCounts[key]! > 0 {
                queue.push(Candidate(count: pairCounts[key]!, key: key, positions: positions))
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }
        // As the peer stores merges (a map from pair to rank), a pair merged twice keeps
        // its later rank only.
        var rank: [UInt64: Int] = [:]
        for (i, m) in merges.enumerated() { rank[m.key] = i }
        let ordered = merges.enumerated().filter { rank[$0.element.key] == $0.offset }.map { $0.element.key }
        return (Vocabulary(tokens: tokens), ordered.map { key in
            (tokens[Int(Int32(truncatingIfNeeded: key >> 32))], tokens[Int(Int32(truncatingIfNeeded: key & 0xFFFF_FFFF))])
        })
    }

    /// A pair waiting to be merged: its count when queued and the words it was seen in.
    struct Candidate {
        var count: Int
        var key: UInt64
        var positions: Set<Int>
    }

    /// Merges every (a, b) in `word`, left to right, and returns the pair-count changes
    /// around each merge (the peer's `Word::merge`: the merged pair's own count is left
    /// as it is).
    public static func merge(_ word: inout [Int32], _ a: Int32, _ b: Int32, into merged: Int32) -> [(UInt64, Int)] {
        var changes: [(UInt64, Int)] = []
        var i = 0
        while i < word.count {
            if word[i] == a && i + 1 < word.count && word[i + 1] == b {
                if i > 0 {
                    changes.append((BytePairEncoding.pairKey(word[i - 1], a), -1))
                    changes.append((BytePairEncoding.pairKey(word[i - 1], merged), 1))
                }
                word[i] = merged
                word.remove(at: i + 1)
                if i < word.count - 1 {
                    changes.append((BytePairEncoding.pairKey(b, word[i + 1]), -1))
                    changes.append((BytePairEncoding.pairKey(merged, word[i + 1]), 1))
                }
            }
            i += 1
        }
        return changes
    }
}
