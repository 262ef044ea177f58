extension BertTokenizer {
    /// Ids back to text, like transformers' `tokenizer.decode(ids, skip_special_tokens=...)`
    /// for this model: the WordPiece decoder joins pieces ("##" glued to the previous piece,
    /// others after a space) and, with `decoderCleanup`, applies the peer's per-token cleanup
    /// (" ." -> ".", " ," -> ",", " ?" -> "?", " !" -> "!", ...). Because the cleanup works on
    /// one token at a time, "isn ' t" stays as it is, exactly as in the peer; transformers'
    /// extra `clean_up_tokenization_spaces` is off for this model and not applied.
    /// Ids outside the vocabulary are skipped (the peer does the same).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        // Byte-level like the peer (String's Character-based matching would treat a piece that
        // starts with a combining mark differently).
        var out: [UInt8] = []
        var first = true
        let prefix = Array(wordPiece.continuingSubwordPrefix.utf8)
        for id in ids {
            if skipSpecialTokens, specialIds.contains(id) { continue }
            guard let text = vocabulary.token(for: id) else { continue }
            var token = Array(text.utf8)
            if !first {
                if !prefix.isEmpty, token.starts(with: prefix) {
                    token.removeFirst(prefix.count)
                } else {
                    token.insert(0x20, at: 0)
                }
            }
            first = false
            out += decoderCleanup ? Self.cleanup(token) : token
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The peer's replacements, in its order.
    private static let cleanupRules: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// The peer's `cleanup` for one decoded token (UTF-8 bytes).
    static func cleanup(_ token: [UInt8]) -> [UInt8] {
        guard token.contains(0x20) else { return token }
        var text = token
        for (pattern, replacement) in cleanupRules {
            text = replaceAll(pattern, with: replacement, in: text)
        }
        return text
    }

    private static func replaceAll(_ pattern: [UInt8], with replacement: [UInt8], in text: [UInt8]) -> [UInt8] {
        guard text.count >= pattern.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count, text[i..<(i + pattern.count)].elementsEqual(pattern) {
                out += replacement
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }
}
