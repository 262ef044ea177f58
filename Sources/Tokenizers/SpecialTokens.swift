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
