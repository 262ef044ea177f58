import Foundation

/// SentencePiece's compiled normalization rules (`precompiled_charsmap` in a `spiece.model`'s
/// normalizer spec and in tokenizer.json's `Precompiled` normalizer): a darts-clone
/// double-array trie over UTF-8 keys whose values index NUL-terminated replacements.
/// Applied as Hugging Face's `Precompiled` normalizer does (not as sentencepiece itself):
/// per grapheme cluster, the whole cluster when under 6 bytes and some rule matches, else
/// per scalar; a rule is found by the *shortest* key that is a prefix of the chunk, and
/// replaces the whole chunk.
struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    /// Parses the blob: a little-endian u32 trie size in bytes, the trie, the replacements.
    init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { throw TokenizerError("precompiled_charsmap is \(bytes.count) bytes, too short for its header") }
        let size = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard size % 4 == 0, size >= 4, 4 + size <= bytes.count else {
            throw TokenizerError("precompiled_charsmap declares a \(size)-byte trie in a \(bytes.count)-byte blob")
        }
        units = stride(from: 4, to: 4 + size, by: 4).map {
            UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24
        }
        replacements = Array(bytes[(4 + size)...])
    }

    init(base64: String) throws {
        guard let data = Data(base64Encoded: base64) else { throw TokenizerError("precompiled_charsmap is not valid base64") }
        try self.init(bytes: Array(data))
    }

    private static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }

    /// The replacement of the shortest key that is a prefix of `key`, or nil.
    func transform(_ key: [UInt8]) -> [Unicode.Scalar]? {
        guard !units.isEmpty else { return nil }
        var pos = Self.offset(units[0])
        for c in key {
            if c == 0 { break }
            pos ^= Int(c)
            guard pos < units.count else { return nil }
            let unit = units[pos]
            if unit & 0x8000_00FF != UInt32(c) { return nil }
            pos ^= Self.offset(unit)
            if (unit >> 8) & 1 == 1 {
                guard pos < units.count else { return nil }
                let start = Int(units[pos] & 0x7FFF_FFFF)
                guard start <= replacements.count else { return nil }
                var end = start
                while end < replacements.count && replacements[end] != 0 { end += 1 }
                return Array(String(decoding: replacements[start..<end], as: UTF8.self).unicodeScalars)
            }
        }
        return nil
    }

    /// Applies the rules to `text`, alignments as the peer keeps them.
    func normalize(_ text: inout AlignedText) {
        var dest: [(Unicode.Scalar, Int)] = []
        dest.reserveCapacity(text.scalars.count)
        var modified = false
        var string = ""
        string.unicodeScalars.append(contentsOf: text.scalars)
        for grapheme in string {
            let scalars = Array(grapheme.unicodeScalars)
            let utf8 = Array(grapheme.utf8)
            if utf8.count < 6, let replacement = transform(utf8) {
                modified = true
                Self.replace(&dest, oldCount: scalars.count, with: replacement)
                continue
            }
            for s in scalars {
                if let replacement = transform(Array(String(s).utf8)) {
                    modified = true
                    Self.replace(&dest, oldCount: 1, with: replacement)
                } else {
                    dest.append((s, 0))
                }
            }
        }
        if modified { text.transform(dest) }
    }

    /// The peer's bookkeeping for one replacement: the new scalars replace; extra ones are
    /// marked inserted; a shortfall is charged to the last transformation so far (even one of
    /// an earlier chunk, or to none at the very start).
    private static func replace(_ dest: inout [(Unicode.Scalar, Int)], oldCount: Int, with new: [Unicode.Scalar]) {
        let diff = new.count - oldCount
        dest.append(contentsOf: new.map { ($0, 0) })
        if diff > 0 {
            for k in (dest.count - diff)..<dest.count { dest[k].1 = 1 }
        } else if diff < 0, !dest.isEmpty {
            dest[dest.count - 1].1 += diff
        }
    }
}
