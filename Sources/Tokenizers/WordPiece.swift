/// WordPiece: greedy longest-match-first over a word's characters, continuation pieces
/// spelled with a prefix (`##`). A word with a character span no piece covers becomes one
/// unknown token, as does a word longer than `maxInputCharsPerWord`.
///
/// Lookup walks a trie of Unicode scalars instead of building candidate Strings, so one word
/// costs one pass per piece and no allocation.
public struct WordPiece: Sendable {
    public let vocabulary: Vocabulary
    public let unknownTokenId: Int32
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    private let trie: ScalarTrie
    /// Trie roots: pieces that start a word, and pieces that continue one (prefix removed).
    private let wordStartRoot: Int32
    private let continuationRoot: Int32

    public init(vocabulary: Vocabulary, unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) throws {
        guard let unk = vocabulary.id(for: unknownToken) else {
            throw TokenizerError("unknown token '\(unknownToken)' is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.unknownTokenId = unk
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        var trie = ScalarTrie()
        let wordStartRoot = trie.addNode()
        let continuationRoot = trie.addNode()
        let prefix = Array(continuingSubwordPrefix.unicodeScalars)
        // Insert in id order so that, for duplicate texts, the later id wins like `Vocabulary.ids`.
        for (i, token) in vocabulary.tokens.enumerated() {
            let scalars = Array(token.unicodeScalars)
            trie.insert(scalars[...], id: Int32(i), root: wordStartRoot)
            if !prefix.isEmpty, scalars.count > prefix.count, scalars.starts(with: prefix) {
                trie.insert(scalars[prefix.count...], id: Int32(i), root: continuationRoot)
            }
        }
        self.trie = trie
        self.wordStartRoot = wordStartRoot
        self.continuationRoot = continuationRoot
    }

    /// Splits `scalars[word]` (a normalized, pre-tokenized word) into pieces, appending each
    /// piece's id and its range in `scalars`. Appends one unknown token for the whole word when
    /// the pieces cannot cover it.
    @inline(__always)
    public func tokenize(_ scalars: [Unicode.Scalar], word: Range<Int>, ids: inout [Int32], ranges: inout [Range<Int>]) {
        let idMark = ids.count
        let rangeMark = ranges.count
        if word.count <= maxInputCharsPerWord {
            var start = word.lowerBound
            while start < word.upperBound {
                var node = start == word.lowerBound ? wordStartRoot : continuationRoot
                var bestEnd = -1
                var bestId: Int32 = -1
                var i = start
                while i < word.upperBound, let next = trie.child(of: node, scalars[i]) {
                    node = next
                    i += 1
                    let id = trie.values[Int(node)]
                    if id >= 0 {
                        bestEnd = i
                        bestId = id
                    }
                }
                if bestEnd < 0 { break }
                ids.append(bestId)
                ranges.append(start..<bestEnd)
                start = bestEnd
            }
            if start == word.upperBound { return }
            ids.removeSubrange(idMark...)
            ranges.removeSubrange(rangeMark...)
        }
        ids.append(unknownTokenId)
        ranges.append(word)
    }

    /// Convenience for one word given as text (already normalized): the piece texts.
    public func pieces(of word: String) -> [String] {
        let scalars = Array(word.unicodeScalars)
        var ids: [Int32] = []
        var ranges: [Range<Int>] = []
        tokenize(scalars, word: 0..<scalars.count, ids: &ids, ranges: &ranges)
        return ids.map { vocabulary.tokens[Int($0)] }
    }
}

/// A trie over Unicode scalars: one hash table of (node, scalar) -> child and one value per
/// node (the token id ending there, or -1).
struct ScalarTrie: Sendable {
    private var edges: [UInt64: Int32] = [:]
    private(set) var values: [Int32] = []

    mutating func addNode() -> Int32 {
        values.append(-1)
        return Int32(values.count - 1)
    }

    @inline(__always)
    func child(of node: Int32, _ scalar: Unicode.Scalar) -> Int32? {
        edges[UInt64(UInt32(node)) << 21 | UInt64(scalar.value)]
    }

    mutating func insert(_ scalars: ArraySlice<Unicode.Scalar>, id: Int32, root: Int32) {
        var node = root
        for scalar in scalars {
            let key = UInt64(UInt32(node)) << 21 | UInt64(scalar.value)
            if let next = edges[key] {
                node = next
            } else {
                let next = addNode()
                edges[key] = next
                node = next
            }
        }
        values[Int(node)] = id
    }
}
