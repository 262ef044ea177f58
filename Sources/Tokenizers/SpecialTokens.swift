/// The texts of BERT's special tokens (their ids come from the vocabulary).
public struct SpecialTokens: Sendable, Hashable {
    public var cls: String
    public var sep: String
    public var pad: String
    public var unk: String
    public var mask: String

    public init(cls: String = "[CLS]", sep: String = "[SEP]", pad: String = "[PAD]", unk: String = "[UNK]", mask: String = "[MASK]") {
        self.cls = cls
        self.sep = sep
        self.pad = pad
        self.unk = unk
        self.mask = mask
    }

    /// In the peer's order of ids for BERT vocabularies.
    public var all: [String] { [pad, unk, cls, sep, mask] }
}

/// A token the tokenizer recognizes literally in raw input before normalization (tokenizer.json
/// `added_tokens`). `special` ones are dropped by `decode(_:skipSpecialTokens: true)`; an
/// `lstrip` one swallows the whitespace before it (RoBERTa's `<mask>`). The peer's `rstrip`
/// and `single_word` are refused when a tokenizer.json sets them, and `normalized` has no
/// effect here (added tokens are matched in the raw text, where every special token is).
public struct AddedToken: Sendable, Hashable {
    public var content: String
    public var id: Int32
    public var special: Bool
    public var lstrip: Bool

    public init(content: String, id: Int32, special: Bool = true, lstrip: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.lstrip = lstrip
    }
}
