/// Where a token came from in the text it was encoded from: a half-open range of
/// **Unicode scalar** indices (`text.unicodeScalars`), the same numbers Hugging Face returns
/// (Python str indices are code points). Tokens the tokenizer adds ([CLS], [SEP], [PAD]) get
/// 0..<0. Use `String.scalarRange(_:)` to turn one into a `Range<String.Index>`.
public struct TokenOffset: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public static let none = TokenOffset(start: 0, end: 0)

    public var description: String { "(\(start), \(end))" }
}

/// One encoded input (a text or a text pair), ready for the model: the HF `BatchEncoding`
/// fields for one row. All arrays have the same length.
public struct Encoding: Sendable, Hashable {
    public var ids: [Int32]
    /// 0 for the first text and its [CLS]/[SEP], 1 for the second text and its final [SEP].
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// Offsets into the text each token came from (the first or the second text of a pair).
    public var offsets: [TokenOffset]
    /// 1 for tokens the tokenizer added ([CLS], [SEP], [PAD]), 0 for tokens from the text.
    public var specialTokensMask: [Int32]
    /// Which text each token came from: 0 the first, 1 the second of a pair, -1 an added
    /// token (HF `sequence_ids`). Type ids cannot say it for every model: RoBERTa gives
    /// both texts type 0.
    public var sequenceIds: [Int8]

    public init(ids: [Int32] = [], typeIds: [Int32] = [], attentionMask: [Int32] = [], offsets: [TokenOffset] = [], specialTokensMask: [Int32] = [],
                sequenceIds: [Int8]? = nil) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.offsets = offsets
        self.specialTokensMask = specialTokensMask
        self.sequenceIds = sequenceIds ?? zip(specialTokensMask, typeIds).map { special, type in special == 1 ? -1 : Int8(type) }
    }

    public var count: Int { ids.count }

    /// Appends one token.
    mutating func append(id: Int32, typeId: Int32, offset: TokenOffset, sequence: Int8, attended: Bool = true) {
        ids.append(id)
        typeIds.append(typeId)
        attentionMask.append(attended ? 1 : 0)
        offsets.append(offset)
        specialTokensMask.append(sequence < 0 ? 1 : 0)
        sequenceIds.append(sequence)
    }
}

extension String {
    /// The String.Index range of a token offset given in Unicode scalars, or nil when the
    /// offset lies outside this string.
    public func scalarRange(_ offset: TokenOffset) -> Range<String.Index>? {
        let scalars = unicodeScalars
        guard offset.start >= 0, offset.start <= offset.end,
              let lower = scalars.index(scalars.startIndex, offsetBy: offset.start, limitedBy: scalars.endIndex),
              let upper = scalars.index(lower, offsetBy: offset.end - offset.start, limitedBy: scalars.endIndex)
        else { return nil }
        return lower..<upper
    }
}
