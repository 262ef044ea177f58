/// A graph fact injected as a K-BERT branch: physically at `start..<start+length` (after
/// the text), logically after token `anchor` of the text.
public struct FactBranch: Sendable, Hashable {
    /// Index of the fact in the context it was encoded from.
    public var fact: Int
    /// Position of the anchor token in the sequence (0 = [CLS]).
    public var anchor: Int
    public var start: Int
    public var length: Int

    public init(fact: Int, anchor: Int, start: Int, length: Int) {
        self.fact = fact; self.anchor = anchor; self.start = start; self.length = length
    }

    public var range: Range<Int> { start..<(start + length) }
}

/// One case's transformer input, unpadded: token ids, token types, position ids, and for
/// K-BERT the branches that define the visibility matrix.
public struct EncodedCase: Sendable, Hashable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var positionIds: [Int32]
    /// Tokens `0..<textLength` are the text (`[CLS] facts [SEP]`, plus segment B in
    /// segment mode); K-BERT branches follow.
    public var textLength: Int
    public var branches: [FactBranch]
    /// How many context facts the input holds (segment B facts or branches).
    public var factCount: Int

    public init(ids: [Int32], typeIds: [Int32], positionIds: [Int32], textLength: Int, branches: [FactBranch] = [], factCount: Int = 0) {
        self.ids = ids; self.typeIds = typeIds; self.positionIds = positionIds
        self.textLength = textLength; self.branches = branches; self.factCount = factCount
    }

    public var length: Int { ids.count }

    /// What the encoder sees of this input: ids, types, positions and visibility, without
    /// the bookkeeping (which context fact a branch came from, how many facts there were).
    /// Two inputs with equal views give the same encoder output, so an explanation runs one
    /// pass per distinct view.
    public var encoderView: EncodedCase {
        EncodedCase(ids: ids, typeIds: typeIds, positionIds: positionIds, textLength: textLength,
                    branches: branches.map { FactBranch(fact: 0, anchor: $0.anchor, start: $0.start, length: $0.length) })
    }

    /// Whether token `query` may attend to token `key` (K-BERT's visibility): text sees
    /// text; a branch sees itself and its anchor; an anchor sees its branches. Without
    /// branches every token sees every token.
    public func isVisible(query: Int, key: Int) -> Bool {
        let qText = query < textLength, kText = key < textLength
        if qText && kText { return true }
        if qText { return branches.contains { $0.range.contains(key) && $0.anchor == query } }
        guard let branch = branches.first(where: { $0.range.contains(query) }) else { return false }
        return branch.range.contains(key) || key == branch.anchor
    }

    /// `[length, length]` row-major, 1 visible, 0 hidden.
    public func visibilityMatrix() -> [UInt8] {
        let n = length
        var m = [UInt8](repeating: 0, count: n * n)
        for q in 0..<n { for k in 0..<n where isVisible(query: q, key: k) { m[q * n + k] = 1 } }
        return m
    }
}
