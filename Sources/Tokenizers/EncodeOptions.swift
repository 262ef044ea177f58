/// How an over-long input is cut, with Hugging Face's names and rules (`max_length` counts
/// the added [CLS]/[SEP] tokens).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Leave inputs whole; `maxLength` is then ignored.
    case doNotTruncate = "do_not_truncate"
    /// Cut the longer of the two texts first (a single text is simply cut).
    case longestFirst = "longest_first"
    /// Cut only the first text; an error when that is not enough.
    case onlyFirst = "only_first"
    /// Cut only the second text; an error when that is not enough or there is no second text.
    case onlySecond = "only_second"
}

/// How encodings are padded (right side, [PAD], type id 0, attention 0, offset 0..<0).
public enum PaddingStrategy: String, Sendable, CaseIterable {
    case doNotPad = "do_not_pad"
    /// To the longest encoding of the batch.
    case longest
    /// To `maxLength` (encodings already longer are left as they are).
    case maxLength = "max_length"
}

/// The knobs of one `encode` call, as in `tokenizer(text, truncation=..., max_length=...,
/// padding=..., add_special_tokens=...)`.
public struct EncodeOptions: Sendable, Hashable {
    public var truncation: TruncationStrategy
    /// Total length limit including special tokens; nil means the tokenizer's `modelMaxLength`.
    public var maxLength: Int?
    public var padding: PaddingStrategy
    public var addSpecialTokens: Bool

    public init(truncation: TruncationStrategy = .doNotTruncate, maxLength: Int? = nil, padding: PaddingStrategy = .doNotPad, addSpecialTokens: Bool = true) {
        self.truncation = truncation
        self.maxLength = maxLength
        self.padding = padding
        self.addSpecialTokens = addSpecialTokens
    }

    /// The model's setting: truncate to `maxLength` (default: the model's limit), no padding.
    public static func truncated(to maxLength: Int? = nil) -> EncodeOptions {
        EncodeOptions(truncation: .longestFirst, maxLength: maxLength)
    }
}
