import Grounding
import Tokenizers

/// Turns a case's facts text and its graph context into transformer input under a token
/// budget, for one `FusionMode`.
///
/// Budget decisions: `maxLength` defaults to 256 tokens — the median SCOTUS facts text is
/// about 200 WordPiece tokens, and attention cost grows with T², so 256 keeps most texts
/// whole while a 2-core epoch stays in minutes. The graph context is limited to
/// `contextTokens` (default 96): the top-ranked facts (seed names, history tallies, a few
/// related cases) fit in that, and it leaves the facts text at least 157 tokens.
/// Facts are taken from `CaseGrounding.context(budget:)` ranked, best first, while their
/// WordPiece count fits the budget.
public struct CaseTextEncoder: Sendable {
    public let tokenizer: BertTokenizer
    public let mode: FusionMode
    public let maxLength: Int
    public let contextTokens: Int

    public init(tokenizer: BertTokenizer, mode: FusionMode, maxLength: Int = 256, contextTokens: Int = 96) throws {
        let minimum = mode == .none ? 3 : contextTokens + 4
        guard maxLength >= minimum else {
            throw PredictionError("max length \(maxLength) is too short for fusion mode \(mode.rawValue) with \(contextTokens) context tokens (needs at least \(minimum))")
        }
        guard contextTokens >= 0 else { throw PredictionError("context token budget must be >= 0, got \(contextTokens)") }
        self.tokenizer = tokenizer
        self.mode = mode
        self.maxLength = maxLength
        self.contextTokens = contextTokens
    }

    /// WordPiece ids of `text` without special tokens.
    public func pieces(_ text: String) throws -> [Int32] {
        try tokenizer.encode(text, options: EncodeOptions(addSpecialTokens: false)).ids
    }

    /// The facts of `grounding` this encoder puts into the input (none for mode `none`):
    /// best first, while their token count fits `contextTokens`.
    public func contextFacts(_ grounding: CaseGrounding) -> [GraphFact] {
        guard mode != .none else { return [] }
        let tokenizer = self.tokenizer
        let count: @Sendable (String) -> Int = { text in
            (try? tokenizer.encode(text, options: EncodeOptions(addSpecialTokens: false)).count) ?? text.count
        }
        return grounding.context(budget: .tokens(contextTokens, count: count))
    }

    /// The input for `facts` with `context` (already selected, e.g. by `contextFacts`).
    /// `anchorNames` maps a seed key to its display name (K-BERT anchors).
    public func encode(facts: String, context: [GraphFact], anchorNames: [String: String] = [:]) throws -> EncodedCase {
        let text = try pieces(facts)
        let cls = tokenizer.clsId, sep = tokenizer.sepId
        switch mode {
        case .none:
            let body = Array(text.prefix(maxLength - 2))
            let ids = [cls] + body + [sep]
            return EncodedCase(ids: ids, typeIds: zeros(ids.count), positionIds: positions(ids.count), textLength: ids.count)

        case .segment:
            var b = try pieces(context.map(\.text).joined(separator: " "))
            var a = text
            // Longest-first truncation (HF `longest_first`): trim the longer side one token
            // at a time; with the context capped at `contextTokens` that is the facts text.
            let room = maxLength - 3
            while a.count + b.count > room { if a.count >= b.count { a.removeLast() } else { b.removeLast() } }
            if b.isEmpty {
                let ids = [cls] + a + [sep]
                return EncodedCase(ids: ids, typeIds: zeros(ids.count), positionIds: positions(ids.count), textLength: ids.count)
            }
            let ids = [cls] + a + [sep] + b + [sep]
            let types = zeros(a.count + 2) + [Int32](repeating: 1, count: b.count + 1)
            return EncodedCase(ids: ids, typeIds: types, positionIds: positions(ids.count), textLength: ids.count, factCount: context.count)

        case .kbert:
            var branchPieces: [(fact: Int, ids: [Int32])] = []
            var used = 0
            for (i, fact) in context.enumerated() {
                let p = try pieces(fact.text)
                guard !p.isEmpty, used + p.count <= min(contextTokens, maxLength - 3) else { continue }
                branchPieces.append((i, p))
                used += p.count
            }
            let body = Array(text.prefix(maxLength - 2 - used))
            var ids = [cls] + body + [sep]
            let textLength = ids.count
            var types = zeros(textLength), pos = positions(textLength)
            var branches: [FactBranch] = []
            for (fact, p) in branchPieces {
                let anchor = try anchorToken(for: context[fact], in: body, names: anchorNames)
                branches.append(FactBranch(fact: fact, anchor: anchor, start: ids.count, length: p.count))
                ids += p
                types += [Int32](repeating: 1, count: p.count)
                pos += (0..<p.count).map { Int32(anchor + 1 + $0) }
            }
            return EncodedCase(ids: ids, typeIds: types, positionIds: pos, textLength: textLength, branches: branches, factCount: context.count)
        }
    }

    /// Sequence position of the token a K-BERT branch hangs from: the first token of the
    /// first mention of the fact's anchor seed name in the (truncated) facts text, matched
    /// on WordPiece ids (so case and accents follow the tokenizer's normalization); [CLS]
    /// (0) when the name is unknown or not mentioned.
    func anchorToken(for fact: GraphFact, in body: [Int32], names: [String: String]) throws -> Int {
        guard let name = names[fact.anchor.key] else { return 0 }
        let needle = try pieces(name)
        guard !needle.isEmpty, needle.count <= body.count else { return 0 }
        for start in 0...(body.count - needle.count) where body[start..<(start + needle.count)].elementsEqual(needle) {
            return start + 1  // after [CLS]
        }
        return 0
    }

    private func zeros(_ n: Int) -> [Int32] { [Int32](repeating: 0, count: n) }
    private func positions(_ n: Int) -> [Int32] { (0..<n).map(Int32.init) }
}
