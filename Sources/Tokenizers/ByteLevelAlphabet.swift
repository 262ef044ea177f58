/// GPT-2's byte-to-character table (`bytes_to_unicode`), which byte-level BPE vocabularies
/// are written in: printable Latin-1 bytes stand for themselves, the other 68 bytes for
/// U+0100 onwards, so every byte is one visible character (the space is "Ġ", U+0120).
enum ByteLevelAlphabet {
    /// The character (as its vocabulary string) of each byte.
    static let characters: [String] = {
        var table = [String](repeating: "", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            let scalar = printable ? UInt32(byte) : { defer { next += 1 }; return next }()
            table[byte] = String(Character(Unicode.Scalar(scalar)!))
        }
        return table
    }()

    /// The byte each alphabet character stands for.
    static let bytes: [Unicode.Scalar: UInt8] = {
        var table: [Unicode.Scalar: UInt8] = [:]
        for (byte, text) in characters.enumerated() { table[text.unicodeScalars.first!] = UInt8(byte) }
        return table
    }()

    /// A vocabulary token's bytes: each character mapped back, or, when some character is not
    /// in the alphabet (an added token such as "<mask>" is, but not every one), the token's own
    /// UTF-8, as the peer's ByteLevel decoder does.
    static func decode(_ token: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = bytes[scalar] else { return Array(token.utf8) }
            out.append(byte)
        }
        return out
    }
}
