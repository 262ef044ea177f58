/// A tokenizer's added tokens (tokenizer.json `added_tokens`): the texts matched literally in
/// the raw input, and the ids `decode(_:skipSpecialTokens: true)` leaves out.
struct AddedVocabulary: Sendable {
    let table: [String: Int32]
    let specialIds: Set<Int32>
    let matcher: AddedTokenMatcher

    init(_ tokens: [AddedToken], vocabularyCount: Int) throws {
        var table: [String: Int32] = [:]
        var specialIds: Set<Int32> = []
        for token in tokens {
            guard token.id >= 0, Int(token.id) < vocabularyCount else {
                throw TokenizerError("added token '\(token.content)' has id \(token.id) outside the vocabulary (size \(vocabularyCount))")
            }
            table[token.content] = token.id
            if token.special { specialIds.insert(token.id) }
        }
        self.table = table
        self.specialIds = specialIds
        matcher = AddedTokenMatcher(tokens: tokens.map { (content: $0.content, id: $0.id, lstrip: $0.lstrip) })
    }
}

/// The vocabulary ids of a tokenizer's five special tokens; each must be in the vocabulary.
struct SpecialTokenIds: Sendable {
    let cls, sep, pad, unk, mask: Int32

    init(_ special: SpecialTokens, in vocabulary: Vocabulary) throws {
        cls = try Self.id(special.cls, "classifier", vocabulary)
        sep = try Self.id(special.sep, "separator", vocabulary)
        pad = try Self.id(special.pad, "padding", vocabulary)
        unk = try Self.id(special.unk, "unknown", vocabulary)
        mask = try Self.id(special.mask, "mask", vocabulary)
    }

    static func id(_ name: String, _ role: String, _ vocabulary: Vocabulary) throws -> Int32 {
        guard let id = vocabulary.id(for: name) else { throw TokenizerError("\(role) token '\(name)' is not in the vocabulary") }
        return id
    }
}
