/// Finds the tokenizer's added tokens ([CLS], [SEP], [PAD], [UNK], [MASK]) written literally
/// in the raw text, before any normalization, like Hugging Face's added vocabulary: leftmost
/// match first, the longest when several start at the same place, case-sensitive ("[mask]"
/// is ordinary text). The text between matches goes through normalization and the model.
/// A token with `lstrip` (RoBERTa's `<mask>`) swallows the whitespace before it, back to the
/// previous match: that whitespace becomes no token, and the token's offsets stay its own.
struct AddedTokenMatcher: Sendable {
    private typealias Candidate = (scalars: [Unicode.Scalar], id: Int32, lstrip: Bool)
    /// Candidates by first scalar, longest first.
    private let byFirstScalar: [Unicode.Scalar: [Candidate]]

    init(tokens: [(content: String, id: Int32)]) {
        self.init(tokens: tokens.map { (content: $0.content, id: $0.id, lstrip: false) })
    }

    init(tokens: [(content: String, id: Int32, lstrip: Bool)]) {
        var table: [Unicode.Scalar: [Candidate]] = [:]
        for token in tokens {
            let scalars = Array(token.content.unicodeScalars)
            guard let first = scalars.first else { continue }
            table[first, default: []].append((scalars, token.id, token.lstrip))
        }
        for key in table.keys { table[key]?.sort { $0.scalars.count > $1.scalars.count } }
        byFirstScalar = table
    }

    enum Segment {
        case text(Range<Int>)
        case token(id: Int32, range: Range<Int>)
    }

    /// Splits `scalars` into plain-text ranges and added-token matches, in order.
    func split(_ scalars: [Unicode.Scalar]) -> [Segment] {
        guard !byFirstScalar.isEmpty else { return [.text(0..<scalars.count)] }
        var segments: [Segment] = []
        var textStart = 0
        var i = 0
        while i < scalars.count {
            if let candidates = byFirstScalar[scalars[i]],
               let match = candidates.first(where: { matches($0.scalars, in: scalars, at: i) }) {
                var textEnd = i
                if match.lstrip {
                    while textEnd > textStart && scalars[textEnd - 1].properties.isWhitespace { textEnd -= 1 }
                }
                if textStart < textEnd { segments.append(.text(textStart..<textEnd)) }
                let end = i + match.scalars.count
                segments.append(.token(id: match.id, range: i..<end))
                i = end
                textStart = end
            } else {
                i += 1
            }
        }
        if textStart < scalars.count || segments.isEmpty { segments.append(.text(textStart..<scalars.count)) }
        return segments
    }

    private func matches(_ token: [Unicode.Scalar], in scalars: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + token.count <= scalars.count else { return false }
        for k in 0..<token.count where scalars[start + k] != token[k] { return false }
        return true
    }
}
