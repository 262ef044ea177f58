/// Trains a WordPiece vocabulary the way Hugging Face `tokenizers`' `WordPieceTrainer` does
/// for `BertWordPieceTokenizer.train` (BERT's normalizer and pre-tokenizer, then the BPE merge
/// loop with the `##` continuing-subword prefix), so the same corpus gives the same
/// vocabulary:
///
/// - ids: the special tokens in the order given, then the alphabet (every character of the
///   words, the `limitAlphabet` most frequent when there are more) by code point, then the
///   `##` form of each alphabet character seen after a word's first character, then merges;
/// - a character outside the alphabet is dropped from its word (a later one still takes `##`);
/// - merges: `BPEMergeLoop`, a merged token being the left text and the right one without `##`.
///
/// The peer gives the `##` characters their ids in the order it meets them while walking a
/// hash map of words, which changes from run to run (and through the tie rule, so do the
/// merges of equal count: two runs of the peer on the same corpus give different
/// vocabularies). Here they come by code point, so training is deterministic;
/// `continuationOrder` takes another order, such as the one a peer run used, and with it the
/// vocabulary is that run's token for token.
public struct WordPieceTrainer: Sendable {
    public var vocabularySize: Int
    public var minFrequency: Int
    public var specialTokens: [String]
    public var limitAlphabet: Int?
    public var continuingSubwordPrefix: String

    public static let bertSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public init(vocabularySize: Int, minFrequency: Int = 2, specialTokens: [String] = WordPieceTrainer.bertSpecialTokens,
                limitAlphabet: Int? = 1000, continuingSubwordPrefix: String = "##") throws {
        guard vocabularySize > specialTokens.count else {
            throw TokenizerError("vocabulary size \(vocabularySize) leaves no room beyond the \(specialTokens.count) special tokens")
        }
        guard minFrequency >= 0 else { throw TokenizerError("minimum frequency must be 0 or more, got \(minFrequency)") }
        if let limitAlphabet, limitAlphabet < 0 { throw TokenizerError("alphabet limit must be 0 or more, got \(limitAlphabet)") }
        if let empty = specialTokens.firstIndex(where: \.isEmpty) { throw TokenizerError("special token \(empty + 1) is empty") }
        guard !continuingSubwordPrefix.isEmpty else { throw TokenizerError("the continuing-subword prefix must not be empty") }
        self.vocabularySize = vocabularySize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
        self.limitAlphabet = limitAlphabet
        self.continuingSubwordPrefix = continuingSubwordPrefix
    }

    /// Word counts over `texts`: each text through `normalizer` and `BertPreTokenizer`, each
    /// word (as scalars) counted. Counts from several calls can be added (`merge`).
    public static func countWords(_ texts: some Sequence<String>, normalizer: BertNormalizer = BertNormalizer()) -> [[Unicode.Scalar]: Int] {
        var counts: [[Unicode.Scalar]: Int] = [:]
        var normalized = NormalizedText()
        for text in texts {
            normalizer.normalize(Array(text.unicodeScalars), into: &normalized)
            let scalars = normalized.scalars
            BertPreTokenizer.forEachWord(in: scalars) { counts[Array(scalars[$0]), default: 0] += 1 }
        }
        return counts
    }

    /// The vocabulary (dense ids) from counted words.
    public func train(wordCounts: [[Unicode.Scalar]: Int], continuationOrder: [Unicode.Scalar] = []) throws -> Vocabulary {
        var frequency: [Unicode.Scalar: Int] = [:]
        for (word, count) in wordCounts { for s in word { frequency[s, default: 0] += count } }
        var kept = Array(frequency.keys)
        if let limitAlphabet, kept.count > limitAlphabet {
            // The peer drops the rarest; among equal counts its unstable sort picks, here
            // the higher code points go first.
            kept.sort { frequency[$0]! != frequency[$1]! ? frequency[$0]! > frequency[$1]! : $0.value < $1.value }
            kept.removeLast(kept.count - limitAlphabet)
        }
        kept.sort { $0.value < $1.value }
        var loop = BPEMergeLoop(tokens: specialTokens)
        for s in kept { _ = loop.add(String(s)) }
        let alphabet = Set(kept)

        var continued = Set<Unicode.Scalar>()
        for word in wordCounts.keys { for s in word.dropFirst() where alphabet.contains(s) { continued.insert(s) } }
        let given = continuationOrder.filter { continued.contains($0) }
        for s in given + continued.subtracting(given).sorted(by: { $0.value < $1.value }) {
            _ = loop.add(continuingSubwordPrefix + String(s))
        }

        // Words in a fixed order: the merge loop's result does not depend on it (counts are
        // sums, ties go by ids), only its speed would.
        var words: [[Int32]] = []
        var counts: [Int] = []
        for (word, count) in wordCounts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) { $0.value < $1.value } }) {
            var symbols: [Int32] = []
            for (i, s) in word.enumerated() where alphabet.contains(s) {
                symbols.append(loop.ids[i == 0 ? String(s) : continuingSubwordPrefix + String(s)]!)
            }
            words.append(symbols)
            counts.append(count)
        }
        _ = loop.run(words: &words, counts: counts, vocabularySize: vocabularySize, minFrequency: minFrequency,
                     continuingPrefix: continuingSubwordPrefix)
        return Vocabulary(tokens: loop.tokens)
    }
}
