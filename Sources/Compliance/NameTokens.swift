/// Words of a text with what the name detector asks of each: where it is, whether it
/// is capitalised or an initial, and what separates it from the word before.
struct NameToken {
    var start: Int
    var end: Int
    var text: String
    var lower: String
    /// Starts with an upper-case letter and is not all capitals (or is one letter):
    /// "Marbury", "McDonald", "O'Brien"; not "FBI".
    var capitalised: Bool
    /// One capital letter followed by a full stop ("J.").
    var initial: Bool
    var followedByPeriod: Bool
    /// The characters between the previous word and this one.
    var gap: String

    /// The gap is plain spacing within a line (no punctuation): words in one name.
    var joinsPrevious: Bool { !gap.isEmpty && gap.unicodeScalars.allSatisfy { $0 == " " || $0 == "\u{A0}" } }
}

enum NameTokenizer {
    static func tokens(_ text: ScalarText) -> [NameToken] {
        let s = text.scalars
        var out: [NameToken] = []
        var i = 0
        var lastEnd = 0
        func isWord(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.generalCategory == .nonspacingMark
        }
        while i < s.count {
            guard isWord(s[i]) else { i += 1; continue }
            let start = i
            i += 1
            while i < s.count {
                if isWord(s[i]) { i += 1; continue }
                // An apostrophe or hyphen inside a word ("O'Brien", "Smith-Jones"), but
                // not a possessive 's, which stays outside the name.
                if (s[i] == "'" || s[i] == "\u{2019}" || s[i] == "-"), i + 1 < s.count, s[i + 1].properties.isAlphabetic {
                    let possessive = s[i] != "-" && (s[i + 1] == "s" || s[i + 1] == "S") && (i + 2 >= s.count || !isWord(s[i + 2]))
                    if possessive { break }
                    i += 1
                    continue
                }
                break
            }
            let word = text.text(start..<i)
            let first = s[start]
            let upper = first.properties.isUppercase
            let letters = word.unicodeScalars.filter { $0.properties.isAlphabetic }
            let allCaps = letters.count > 1 && letters.allSatisfy { $0.properties.isUppercase }
            let period = i < s.count && s[i] == "."
            out.append(NameToken(start: start, end: i, text: word, lower: word.lowercased(),
                                 capitalised: upper && !allCaps, initial: upper && letters.count == 1 && period,
                                 followedByPeriod: period, gap: text.text(lastEnd..<start)))
            lastEnd = i
        }
        return out
    }
}
