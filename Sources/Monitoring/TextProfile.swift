import Tokenizers

/// Per-text figures drift compares for a text column: its length in words and the share of
/// its words the model's WordPiece vocabulary lacks as a whole token (such words reach the
/// model only as sub-word pieces or [UNK]). Words are what the BERT tokenizer splits
/// before WordPiece: the normalized text (lower-cased and accent-stripped as the run's
/// tokenizer does) cut at whitespace and punctuation.
public struct TextProfile: Sendable {
    public let normalizer: BertNormalizer
    public let vocabulary: Vocabulary?

    public init(tokenizer: BertTokenizer?) {
        self.init(normalizer: tokenizer?.normalizer ?? BertNormalizer(), vocabulary: tokenizer?.vocabulary)
    }

    public init(normalizer: BertNormalizer = BertNormalizer(), vocabulary: Vocabulary?) {
        self.normalizer = normalizer
        self.vocabulary = vocabulary
    }

    public struct Figures: Sendable, Equatable {
        public var words: Int
        /// nil without a vocabulary or for a text of no words.
        public var outOfVocabularyRate: Double?

        public init(words: Int, outOfVocabularyRate: Double?) {
            self.words = words
            self.outOfVocabularyRate = outOfVocabularyRate
        }
    }

    public func figures(_ text: String) -> Figures {
        let normalized = normalizer.normalize(text).scalars
        var words = 0, unknown = 0
        BertPreTokenizer.forEachWord(in: normalized) { range in
            words += 1
            guard let vocabulary else { return }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: normalized[range])
            if vocabulary.id(for: String(view)) == nil { unknown += 1 }
        }
        let rate: Double? = vocabulary != nil && words > 0 ? Double(unknown) / Double(words) : nil
        return Figures(words: words, outOfVocabularyRate: rate)
    }
}
