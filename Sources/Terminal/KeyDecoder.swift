/// Turns raw terminal input bytes into `Key`s.
///
/// A terminal in raw mode delivers bytes in whatever chunks `read(2)` returns, so an escape
/// sequence or a multi-byte UTF-8 character may be split across two reads: the decoder keeps
/// the incomplete tail and finishes it with the next chunk.
///
/// Robustness rules (input comes from users and must never crash the shell):
/// - Invalid UTF-8 (a stray continuation byte, a lead byte not followed by enough
///   continuation bytes, overlong forms, surrogates, values above U+10FFFF, bytes
///   0xC0, 0xC1, 0xF5-0xFF) becomes U+FFFD, one per maximal ill-formed subpart as the Unicode
///   standard recommends (the same count `String(decoding:as:)` produces).
/// - Unknown escape sequences (a CSI or SS3 sequence with a final byte we don't map, or ESC
///   followed by anything but `[`, `O`, `b`, `f`) are ignored entirely. When a sequence is
///   broken off by a byte that cannot belong to it, the sequence is dropped and that byte is
///   decoded afresh.
/// - Control bytes without a meaning here (NUL, Ctrl-\, Ctrl-], ...) are ignored.
public struct KeyDecoder: Sendable {
    /// Bytes of an escape sequence or UTF-8 character not complete yet.
    private var pending: [UInt8] = []

    public init() {}

    /// Decodes one chunk of input; incomplete trailing sequences wait for the next chunk.
    public mutating func decode<Bytes: Sequence>(_ bytes: Bytes) -> [Key] where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var index = 0
        while index < pending.count {
            switch step(at: index) {
            case .needMore:
                pending.removeFirst(index)
                return keys
            case .consumed(let count, let key):
                if let key { keys.append(key) }
                index += count
            }
        }
        pending.removeAll()
        return keys
    }

    /// Ends the input: an incomplete UTF-8 sequence becomes U+FFFD, an incomplete escape
    /// sequence (or a lone ESC) is dropped.
    public mutating func finish() -> [Key] {
        defer { pending.removeAll() }
        guard let first = pending.first else { return [] }
        return first == 0x1B ? [] : [.character("\u{FFFD}")]
    }

    /// Whether bytes of an unfinished sequence are waiting (a lone ESC, half a character).
    public var hasPendingBytes: Bool { !pending.isEmpty }

    private enum Step {
        case needMore
        /// `count` bytes were used; `key` is nil when they mean nothing (ignored).
        case consumed(Int, Key?)
    }

    private func step(at index: Int) -> Step {
        let byte = pending[index]
        switch byte {
        case 0x1B: return escape(at: index)
        case 0x0D, 0x0A: return .consumed(1, .enter)
        case 0x7F, 0x08: return .consumed(1, .backspace)
        case 0x09: return .consumed(1, .tab)
        case 0x01...0x1A: return .consumed(1, .control(Character(Unicode.Scalar(byte + 0x60))))
        case 0x00...0x1F: return .consumed(1, nil)
        case 0x20...0x7E: return .consumed(1, .character(Character(Unicode.Scalar(byte))))
        default: return utf8(at: index)
        }
    }

    // MARK: Escape sequences

    private func escape(at index: Int) -> Step {
        guard index + 1 < pending.count else { return .needMore }
        switch pending[index + 1] {
        case UInt8(ascii: "["): return controlSequence(at: index)
        case UInt8(ascii: "O"):
            guard index + 2 < pending.count else { return .needMore }
            let final = pending[index + 2]
            guard (0x40...0x7E).contains(final) else { return .consumed(2, nil) }
            return .consumed(3, Self.finalKey(final, parameters: []))
        case UInt8(ascii: "b"): return .consumed(2, .wordLeft)
        case UInt8(ascii: "f"): return .consumed(2, .wordRight)
        case 0x1B: return .consumed(1, nil)  // ESC ESC: the first one was a lone Escape
        case 0x20...0x7E: return .consumed(2, nil)  // Alt-<something else>: ignored
        default: return .consumed(1, nil)  // ESC before a control or non-ASCII byte: drop ESC only
        }
    }

    /// `ESC [ parameters intermediates final` (ECMA-48): parameter bytes 0x30-0x3F,
    /// intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E.
    private func controlSequence(at index: Int) -> Step {
        var position = index + 2
        while position < pending.count, (0x20...0x3F).contains(pending[position]) { position += 1 }
        guard position < pending.count else { return .needMore }
        let final = pending[position]
        guard (0x40...0x7E).contains(final) else {
            return .consumed(position - index, nil)  // broken off: drop it, decode `final` afresh
        }
        let parameterText = String(decoding: pending[(index + 2)..<position], as: UTF8.self)
        let parameters = parameterText.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        return .consumed(position - index + 1, Self.finalKey(final, parameters: parameters))
    }

    /// The key of a CSI / SS3 sequence from its final byte and numeric parameters.
    private static func finalKey(_ final: UInt8, parameters: [Int?]) -> Key? {
        let controlHeld = parameters.count >= 2 && parameters[1].map { ($0 - 1) & 4 != 0 } == true
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return controlHeld ? .wordRight : .right
        case UInt8(ascii: "D"): return controlHeld ? .wordLeft : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch parameters.first ?? nil {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            default: return nil
            }
        default: return nil
        }
    }

    // MARK: UTF-8

    private func utf8(at index: Int) -> Step {
        let lead = pending[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: return .consumed(1, .character("\u{FFFD}"))  // 0x80-0xC1, 0xF5-0xFF
        }
        var scalarValue = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            guard index + offset < pending.count else { return .needMore }
            let byte = pending[index + offset]
            let allowed = offset == 1 ? secondRange : 0x80...0xBF
            guard allowed.contains(byte) else {
                return .consumed(offset, .character("\u{FFFD}"))  // decode `byte` afresh
            }
            scalarValue = scalarValue << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { return .consumed(length, .character("\u{FFFD}")) }
        return .consumed(length, .character(Character(scalar)))
    }
}
