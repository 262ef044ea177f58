/// Sentences of a clause's text: the units the unfair-terms model scores (it is trained
/// on sentences of terms of service) and the evidence a flag quotes.
///
/// A sentence ends at a line break, or at `.` `!` `?` followed by whitespace and then a
/// capital letter, digit, quote or bracket, unless the period ends an abbreviation
/// (`e.g.`, `Inc.`, `No.`, `U.S.`) or a single letter (`J. Smith`, `(a).`).
public enum SentenceSplitter {
    public struct Sentence: Sendable, Equatable {
        /// Unicode scalar offsets into the clause text.
        public var range: Range<Int>
        public var text: String
    }

    static let abbreviations: Set<String> = ["e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "no", "nos", "mr", "mrs", "ms", "dr", "st",
                                             "u.s", "u.k", "art", "arts", "sec", "secs", "para", "cl", "jr", "sr", "vs", "v", "viz", "cf",
                                             "approx", "fig", "p", "pp", "n.a", "llc", "plc", "s.a", "b.v", "n.v", "ave", "dept"]

    public static func split(_ text: String) -> [Sentence] {
        let s = Array(text.unicodeScalars)
        var out: [Sentence] = []
        var start = 0
        func close(at end: Int) {
            var a = start, b = end
            while a < b, s[a].properties.isWhitespace { a += 1 }
            while b > a, s[b - 1].properties.isWhitespace { b -= 1 }
            if b > a { out.append(Sentence(range: a..<b, text: String(String.UnicodeScalarView(s[a..<b])))) }
            start = end
        }
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "\n" {
                close(at: i)
                i += 1
                continue
            }
            if c == "." || c == "!" || c == "?" {
                var j = i + 1
                // Closing quotes and brackets belong to the sentence they end.
                while j < s.count, "\"”’')]".unicodeScalars.contains(s[j]) { j += 1 }
                if j < s.count, s[j] == " " || s[j] == "\t" {
                    var k = j
                    while k < s.count, s[k] == " " || s[k] == "\t" { k += 1 }
                    if k < s.count, startsSentence(s[k]), !(c == "." && endsAbbreviation(s, before: i)) {
                        close(at: j)
                        i = k
                        continue
                    }
                }
            }
            i += 1
        }
        close(at: s.count)
        return out
    }

    static func startsSentence(_ c: Unicode.Scalar) -> Bool {
        c.properties.isUppercase || ("0"..."9").contains(c) || "\"“‘'([".unicodeScalars.contains(c)
    }

    /// Whether the word before the period at `i` is an abbreviation or a single letter.
    static func endsAbbreviation(_ s: [Unicode.Scalar], before i: Int) -> Bool {
        var a = i
        while a > 0, !s[a - 1].properties.isWhitespace, s[a - 1] != "(" { a -= 1 }
        let word = String(String.UnicodeScalarView(s[a..<i])).lowercased()
        if word.count == 1, word.first?.isLetter == true { return true }
        return abbreviations.contains(word)
    }
}
