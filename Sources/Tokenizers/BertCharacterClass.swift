/// Character classes of the BERT normalizer and pre-tokenizer, exactly as Hugging Face
/// `tokenizers` draws them. Dropped / whitespace / non-spacing-mark / punctuation come from
/// `BertUnicodeTables` (generated from the peer, whose Unicode tables are older than Swift's);
/// the CJK ranges are the fixed list from the original BERT code.
public enum BertCharacterClass {
    /// Removed by text cleaning: control, format and private-use characters, NUL, U+FFFD.
    /// Tab, LF and CR are not in this class (they are whitespace).
    @inline(__always)
    public static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x7F { return v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D }
        return contains(BertUnicodeTables.dropped, v)
    }

    /// Turned into a plain space by text cleaning (the pre-tokenizer uses Unicode White_Space).
    @inline(__always)
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x7F { return v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D }
        return contains(BertUnicodeTables.whitespace, v)
    }

    /// A non-spacing mark: removed by accent stripping after canonical decomposition.
    @inline(__always)
    public static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x300 { return false }
        return contains(BertUnicodeTables.nonspacingMarks, v)
    }

    /// Split off as a word of its own: all ASCII symbols (`$`, `+`, `^`, ... count, as in BERT)
    /// and Unicode punctuation (P*) as the peer's tables know it.
    @inline(__always)
    public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60) || (v >= 0x7B && v <= 0x7E)
        }
        return contains(BertUnicodeTables.punctuation, v)
    }

    /// Changed by canonical decomposition (NFD) in the peer's Unicode version.
    @inline(__always)
    public static func isDecomposable(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0xC0 { return false }
        return contains(BertUnicodeTables.decomposable, v)
    }

    /// A CJK ideograph: surrounded with spaces so each becomes its own word. Hangul, kana and
    /// other scripts are not in this list (the original BERT choice).
    @inline(__always)
    public static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x3400 { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x20000...0x2A6DF).contains(v) || (0x2A700...0x2B73F).contains(v)
            || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    /// Binary search over sorted, disjoint ranges.
    @inline(__always)
    static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let r = ranges[mid]
            if value < r.lowerBound {
                hi = mid
            } else if value > r.upperBound {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
