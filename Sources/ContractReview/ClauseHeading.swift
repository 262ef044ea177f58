/// The leading heading of a clause ("Governing Law. This Agreement shall be governed..."),
/// found so it can be scored without it: 98% of the clause corpus's clauses start with a
/// heading that names their type, which would make type prediction a reading exercise.
///
/// A heading is removed only when it is clearly one: a short phrase (at most `maxWords`
/// words and `maxCharacters` characters) whose every word is capitalized, ALL CAPS, a
/// number or enumerator, or a small word ("of", "and", "the", ...; see `minorWords`),
/// ended by
/// - `.` or `:` right after a word and followed by a space, with the next text not starting
///   in lower case ("Amendments; Waivers. Any...", "AMENDMENTS: This...", "Amendments, Etc. No..."),
/// - a dash between spaces ("Governing Law — This..."), or
/// - a space before a lower-case list marker opening the body ("Compensation a. The Fund
///   will...", "Title (a) As set forth...").
/// A `.` after an abbreviation (U.S., Sec., No., Inc., a single letter as in "Exhibit A.")
/// or a number ("Section 5.", "1.", "ARTICLE IV.") does not end a heading; numbering before
/// the phrase is part of it ("1. Governing Law.", "Sec. 2. Definitions.", "ARTICLE V.
/// GOVERNING LAW."). Anything else is left alone: a clause without a heading ("Time is of
/// the essence..."), a heading run into the sentence without punctuation ("Notice of
/// Default the Seller shall..." cannot be told from "Fees the Master Servicer shall
/// pay..."), a clause that is only a heading. The one miss left on purpose: a short
/// capitalized first sentence ending in `.` ("THE SOFTWARE IS PROVIDED AS IS.") reads as
/// a heading.
public enum ClauseHeading {
    public static let maxWords = 12
    public static let maxCharacters = 120

    /// Lower-case words a title-cased heading may hold.
    static let minorWords: Set<String> = [
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or", "per",
        "the", "to", "upon", "under", "with", "without", "vs", "via", "than", "not", "nor", "its", "their", "etc",
    ]

    /// Words after which `.` marks an abbreviation, not the end of a heading (lower case,
    /// without the dot). Dotted initials (U.S., e.g., N.A.) and single letters are
    /// recognised by their shape.
    static let abbreviations: Set<String> = [
        "sec", "secs", "no", "nos", "inc", "co", "corp", "ltd", "llc", "lp", "st", "mr", "mrs", "ms", "dr", "jr", "sr",
        "art", "arts", "para", "paras", "vs", "v", "cf", "pty", "bros", "govt", "dept", "approx", "ft", "ave",
    ]

    /// Characters stripped from a word's ends before it is judged.
    static let wordPunctuation: Set<Character> = ["(", ")", "[", "]", "\"", "“", "”", "‘", "’", "'", ",", ";", ":", "&", "/", "-", "—", "–", "*"]

    /// The heading and the body after it, or nil when the text does not start with a heading.
    public static func split(_ text: String) -> (heading: Substring, body: Substring)? {
        guard let (headingEnd, bodyStart) = bounds(in: text) else { return nil }
        let start = text.firstIndex { !$0.isWhitespace } ?? text.startIndex
        let end = text.index(text.startIndex, offsetBy: headingEnd)
        return (text[start..<end], text[text.index(text.startIndex, offsetBy: bodyStart)...])
    }

    /// The text without its leading heading (the text itself when it has none).
    public static func removing(from text: String) -> String {
        split(text).map { String($0.body) } ?? text
    }

    /// Character offsets: where the heading ends (after its terminator) and where the body starts.
    static func bounds(in text: String) -> (Int, Int)? {
        // Enough characters to see any heading, its terminator and the body's first letter.
        let chars = Array(text.prefix(maxCharacters + 64))
        let n = chars.count
        var i = 0
        while i < n, chars[i].isWhitespace { i += 1 }
        let first = i
        var words: [String] = []
        var word = ""
        func bodyStart(after position: Int) -> Int? {
            var j = position
            while j < n, chars[j].isWhitespace { j += 1 }
            guard j < n, !chars[j].isLowercase else { return nil }
            return j
        }
        while i < n, i - first <= maxCharacters {
            let c = chars[i]
            if c.isWhitespace {
                if !word.isEmpty {
                    words.append(word); word = ""
                    guard words.count <= maxWords, isTitleWord(words.last!) else { return nil }
                    if headingBeforeMarker(words), let marker = listMarkerStart(chars, after: i) {
                        return (i, marker)  // the body keeps its list marker
                    }
                }
                // A dash between spaces ends the heading before it.
                if i + 2 < n, chars[i + 1] == "—" || chars[i + 1] == "–", chars[i + 2].isWhitespace, !words.isEmpty {
                    guard let body = bodyStart(after: i + 2) else { return nil }
                    return lastIsNumbering(words) ? nil : (i, body)
                }
                i += 1
                continue
            }
            if (c == "." || c == ":"), !word.isEmpty, i + 1 < n, chars[i + 1].isWhitespace {
                let candidate = words + [word]
                guard candidate.count <= maxWords, isTitleWord(word) else { return nil }
                if (c == "." && isAbbreviation(candidate)) || lastIsNumbering(candidate) {
                    word.append(c); i += 1
                    continue
                }
                return bodyStart(after: i + 1).map { (i + 1, $0) }
            }
            word.append(c)
            i += 1
        }
        return nil
    }

    /// Whether a word may stand in a heading: capitalized, a number or enumerator, or a small word.
    static func isTitleWord(_ word: String) -> Bool {
        let core = trimmed(word)
        guard let head = core.first else { return true }
        if head.isUppercase || head.isNumber || head == "§" { return true }
        if minorWords.contains(core) { return true }
        // "(a)", "(iv)": an enumerator inside a heading's numbering.
        return word.hasPrefix("(") && word.hasSuffix(")") && isEnumerator(core)
    }

    /// Whether the `.` after the last word marks an abbreviation.
    static func isAbbreviation(_ words: [String]) -> Bool {
        let last = trimmed(words.last ?? "").lowercased()
        if abbreviations.contains(last) { return true }
        let parts = last.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.allSatisfy({ $0.count == 1 }) { return true }  // u.s, e.g, n.a
        if last.count == 1, last.first!.isLetter {
            // Spelled-out capitals ("W I T N E S S E T H", "R E C I T A L S") are a word.
            let singles = words.suffix(3).filter { trimmed($0).count == 1 }
            return singles.count < 3
        }
        return false
    }

    /// Whether the last word is numbering ("5", "5.1", "IV", "(a)", "§"), so a `.` or `:`
    /// after it is not the end of the heading.
    static func lastIsNumbering(_ words: [String]) -> Bool {
        let core = trimmed(words.last ?? "")
        if core.isEmpty || core == "§" { return true }
        if core.allSatisfy({ $0.isNumber || $0 == "." }) { return true }
        return isRoman(core)
    }

    static func isRoman(_ s: String) -> Bool {
        guard s.count <= 6 else { return false }
        return s.allSatisfy { "IVXL".contains($0) } || s.allSatisfy { "ivxl".contains($0) }
    }

    /// A single lower-case letter, a lower-case roman numeral or a number.
    static func isEnumerator(_ s: String) -> Bool {
        if s.count == 1, let c = s.first, c.isLetter, c.isLowercase { return true }
        if !s.isEmpty, s.count <= 4, s.allSatisfy({ "ivx".contains($0) }) { return true }
        return !s.isEmpty && s.count <= 2 && s.allSatisfy(\.isNumber)
    }

    /// Where a lower-case list marker ("a.", "a)", "(a)", "(iv)", "(1)") starts, if one
    /// follows the space at `position` and is itself followed by a space and a capital,
    /// quote or parenthesis.
    static func listMarkerStart(_ chars: [Character], after position: Int) -> Int? {
        let n = chars.count
        var j = position
        while j < n, chars[j].isWhitespace { j += 1 }
        let start = j
        var parenthesized = false
        if j < n, chars[j] == "(" { parenthesized = true; j += 1 }
        var label = ""
        while j < n, chars[j].isLetter || chars[j].isNumber, label.count < 5 { label.append(chars[j]); j += 1 }
        guard !label.isEmpty, j < n, label.allSatisfy({ !$0.isUppercase }) else { return nil }
        // Digits only in parentheses: "Schedule 1. The..." names a schedule.
        if label.first!.isNumber, !parenthesized { return nil }
        guard label.first!.isNumber ? label.allSatisfy(\.isNumber) : isEnumerator(label) else { return nil }
        if parenthesized { guard chars[j] == ")" else { return nil } } else { guard chars[j] == "." || chars[j] == ")" else { return nil } }
        j += 1
        guard j + 1 < n, chars[j].isWhitespace else { return nil }
        var k = j
        while k < n, chars[k].isWhitespace { k += 1 }
        guard k < n, chars[k].isUppercase || "“\"(".contains(chars[k]) else { return nil }
        return start
    }

    /// Whether `words` can be a heading that a list marker follows: the words end in no
    /// punctuation (that case is the `.`/`:` rule's) and the last is neither numbering nor
    /// a small word ("Section 5 (a)", "the terms of (a)").
    static func headingBeforeMarker(_ words: [String]) -> Bool {
        guard let last = words.last, let end = last.last else { return false }
        if ".:,;".contains(end) { return false }
        if lastIsNumbering(words) { return false }
        return !minorWords.contains(trimmed(last).lowercased())
    }

    static func trimmed(_ word: String) -> String {
        var s = Substring(word)
        while let c = s.first, wordPunctuation.contains(c) { s = s.dropFirst() }
        while let c = s.last, wordPunctuation.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
