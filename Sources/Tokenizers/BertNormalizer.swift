import Foundation

/// Text after normalization, with the way back: `origins[i]` is the index (in Unicode scalars
/// of the text given to `normalize`) of the character that produced `scalars[i]`. A character
/// that expands (CJK padding, a lowercase with two scalars) gives all its outputs its own index;
/// a removed character leaves no trace, so a token's original span runs from the origin of its
/// first scalar to the origin of its last plus one, as in Hugging Face `tokenizers`.
public struct NormalizedText: Sendable, Hashable {
    public var scalars: [Unicode.Scalar]
    public var origins: [Int32]

    public init(scalars: [Unicode.Scalar] = [], origins: [Int32] = []) {
        self.scalars = scalars
        self.origins = origins
    }

    /// The normalized text as a String (for tests and display).
    public var text: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}

/// The BERT normalizer (`BertNormalizer` in Hugging Face `tokenizers`), applied in the peer's
/// order: clean text, pad CJK ideographs, strip accents (canonical decomposition, then drop
/// non-spacing marks), lowercase. Which characters decompose, and which are non-spacing marks,
/// follow the peer's (older) Unicode tables; the decomposition itself is Foundation's. Characters are handled one at a time, so the decomposition
/// is per character: marks of neighbouring characters are not canonically reordered (they are
/// dropped anyway whenever accents are stripped).
public struct BertNormalizer: Sendable, Hashable {
    public var cleanText: Bool
    public var handleChineseChars: Bool
    /// `nil` follows `lowercase`, the peer's default.
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether accents are stripped after resolving the `nil` default.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// Normalizes `input[range]`; origins are indices into `input` (not into the range).
    public func normalize(_ input: [Unicode.Scalar], range: Range<Int>? = nil, into out: inout NormalizedText) {
        let range = range ?? input.indices
        let strip = stripsAccents
        out.scalars.removeAll(keepingCapacity: true)
        out.origins.removeAll(keepingCapacity: true)
        out.scalars.reserveCapacity(range.count + 8)
        out.origins.reserveCapacity(range.count + 8)
        for index in range {
            var scalar = input[index]
            let origin = Int32(index)
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || BertCharacterClass.isDropped(scalar) { continue }
                if BertCharacterClass.isWhitespace(scalar) { scalar = " " }
            }
            // Fast path: ASCII needs only lowercasing.
            if scalar.value < 0x80 {
                if lowercase, scalar.value >= 0x41, scalar.value <= 0x5A {
                    scalar = Unicode.Scalar(UInt8(scalar.value + 0x20))
                }
                out.scalars.append(scalar)
                out.origins.append(origin)
                continue
            }
            // CJK ideographs become words of their own (padded with spaces); compatibility
            // ideographs (U+F900...) still decompose below, as in the peer.
            let padded = handleChineseChars && BertCharacterClass.isChineseCharacter(scalar)
            if padded {
                out.scalars.append(" ")
                out.origins.append(origin)
            }
            if strip, BertCharacterClass.isDecomposable(scalar) {
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                where !BertCharacterClass.isNonspacingMark(part) {
                    appendCased(part, origin: origin, into: &out)
                }
            } else if !(strip && BertCharacterClass.isNonspacingMark(scalar)) {
                appendCased(scalar, origin: origin, into: &out)
            }
            if padded {
                out.scalars.append(" ")
                out.origins.append(origin)
            }
        }
    }

    /// Convenience: normalizes a whole string.
    public func normalize(_ text: String) -> NormalizedText {
        var out = NormalizedText()
        normalize(Array(text.unicodeScalars), into: &out)
        return out
    }

    @inline(__always)
    private func appendCased(_ scalar: Unicode.Scalar, origin: Int32, into out: inout NormalizedText) {
        if lowercase, scalar.properties.changesWhenLowercased {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                out.scalars.append(lower)
                out.origins.append(origin)
            }
        } else {
            out.scalars.append(scalar)
            out.origins.append(origin)
        }
    }
}
