/// The BERT pre-tokenizer: words are the runs between whitespace (Unicode White_Space, like
/// Rust's `char::is_whitespace`), and every punctuation character (see
/// `BertCharacterClass.isPunctuation`) is a word of its own.
public enum BertPreTokenizer {
    /// Calls `word` with each word's range in `scalars[range]`, in order.
    @inline(__always)
    public static func forEachWord(in scalars: [Unicode.Scalar], range: Range<Int>? = nil, _ word: (Range<Int>) -> Void) {
        let range = range ?? scalars.indices
        var start = -1
        for i in range {
            let scalar = scalars[i]
            if scalar.value < 0x80 ? (scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D)) : scalar.properties.isWhitespace {
                if start >= 0 { word(start..<i); start = -1 }
            } else if BertCharacterClass.isPunctuation(scalar) {
                if start >= 0 { word(start..<i); start = -1 }
                word(i..<(i + 1))
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { word(start..<range.upperBound) }
    }

    /// The words of a (normalized) text, as strings: for tests and display.
    public static func words(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var out: [String] = []
        forEachWord(in: scalars) { r in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[r])
            out.append(String(view))
        }
        return out
    }
}
