/// The ByteLevel pre-tokenizer's split (GPT-2's pattern, as Hugging Face `tokenizers` uses it):
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// written out by hand over Unicode scalars, so a word keeps the one space before it
/// (" court"), a run of spaces gives all but its last to a piece of its own, and letters,
/// numbers and other characters never share a piece. Only U+0020 attaches to a word.
public enum ByteLevelPreTokenizer {
    public enum Class: UInt8, Sendable { case letter, number, whitespace, other }

    private static let ascii: [Class] = (0..<128).map { classify(slow: Unicode.Scalar(UInt8($0))) }

    /// \p{L}, \p{N} and \s as the peer's regex engine reads them.
    public static func classify(_ scalar: Unicode.Scalar) -> Class {
        scalar.value < 128 ? ascii[Int(scalar.value)] : classify(slow: scalar)
    }

    /// The Unicode version of the peer's regex engine (Oniguruma in Hugging Face
    /// `tokenizers`). A scalar assigned later is unassigned there, so it falls in none of
    /// \p{L}, \p{N}, \s, whatever this toolchain's newer tables say (found by the sweep
    /// over every scalar: Unicode 17's letters split apart from a word there).
    static let peerUnicodeVersion = (major: 16, minor: 0)

    private static func classify(slow scalar: Unicode.Scalar) -> Class {
        if let age = scalar.properties.age, (age.major, age.minor) > peerUnicodeVersion { return .other }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return scalar.properties.isWhitespace ? .whitespace : .other
        }
    }

    /// Calls `body` with each piece of `scalars[range]`, in order; the pieces cover the range.
    public static func forEachPiece(in scalars: [Unicode.Scalar], range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = range.lowerBound
        let end = range.upperBound
        func run(from start: Int, of kind: Class) -> Int {
            var j = start
            while j < end && classify(scalars[j]) == kind { j += 1 }
            return j
        }
        while i < end {
            let c = scalars[i]
            // 's 't 're 've 'm 'll 'd (lower case only, as in the pattern).
            if c == "'" && i + 1 < end {
                let a = scalars[i + 1]
                if a == "s" || a == "t" || a == "m" || a == "d" {
                    body(i..<(i + 2)); i += 2; continue
                }
                if i + 2 < end {
                    let b = scalars[i + 2]
                    if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") {
                        body(i..<(i + 3)); i += 3; continue
                    }
                }
            }
            let kind = classify(c)
            // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": a space joins the piece after it.
            if c == " " && i + 1 < end {
                let next = classify(scalars[i + 1])
                if next != .whitespace {
                    let j = run(from: i + 1, of: next)
                    body(i..<j); i = j; continue
                }
            }
            if kind != .whitespace {
                let j = run(from: i, of: kind)
                body(i..<j); i = j; continue
            }
            // "\s+(?!\S)" then "\s+": a run of whitespace before a non-space gives its last
            // character to the next piece (where " " joins a word; anything else stands alone).
            let j = run(from: i, of: .whitespace)
            if j < end && j - i > 1 {
                body(i..<(j - 1)); i = j - 1
            } else {
                body(i..<j); i = j
            }
        }
    }
}
