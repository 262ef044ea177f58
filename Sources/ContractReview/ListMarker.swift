/// A clause number at the start of a line, as contracts write them:
/// `1.` `1)` `(1)` `1.2` `1.2.` `(a)` `a.` `a)` `(iv)` `iv.` `A.` `IV.`, and the words
/// `Section 3`, `Section 3.2`, `§ 3`, `Article IV`, `ARTICLE 4`.
struct ListMarker: Equatable {
    enum Style: Equatable {
        case decimal, lowerLetter, upperLetter, lowerRoman, upperRoman, article
    }

    var style: Style
    /// `(a)` rather than `a.` or `a)`: a separate list style from the unbracketed one.
    var bracketed: Bool
    /// The (last) number's value: 3 for `3.`, 2 for `b.`, 4 for `iv.`.
    var value: Int
    /// Multi-part numbers and `Section N` name their full path (`2.3`).
    var absolute: [Int]?
    /// How the number reads in a path: `3`, `b`, `iv`, `IV`.
    var label: String
    /// The number as written (`(b)`, `Section 3.2`).
    var written: String
    /// Scalars the number and the whitespace after it take.
    var length: Int
    /// For a lone `i`, `v`, `x` (`I`, `V`, `X`): its value read as a letter, when the
    /// segmenter must decide between letter and roman numeral from the list around it.
    var letterValue: Int?

    var isRoman: Bool { style == .lowerRoman || style == .upperRoman }

    /// The same marker read as a letter (`i` = 9th letter).
    var asLetter: ListMarker? {
        guard let letterValue else { return nil }
        var m = self
        m.style = style == .lowerRoman ? .lowerLetter : .upperLetter
        m.value = letterValue
        m.letterValue = nil
        return m
    }

    /// Parses the marker at the start of `line` (content without indentation).
    static func parse(_ line: Substring.UnicodeScalarView) -> ListMarker? {
        let s = Array(line.prefix(40))
        if let m = parseWordMarker(s) { return m }
        var i = 0
        var bracketed = false
        if i < s.count, s[i] == "(" { bracketed = true; i += 1 }
        let tokenStart = i
        while i < s.count, isAlnum(s[i]) || (s[i] == "." && i + 1 < s.count && isDigit(s[i + 1]) && i > tokenStart && isDigit(s[i - 1])) {
            i += 1
        }
        guard i > tokenStart, i - tokenStart <= 11 else { return nil }
        let token = Array(s[tokenStart..<i])
        // Terminator: `)` for bracketed; `.` or `)` otherwise (a multi-part number may have none).
        var written = i
        if bracketed {
            guard i < s.count, s[i] == ")" else { return nil }
            written = i + 1
        } else if i < s.count, s[i] == "." || s[i] == ")" {
            written = i + 1
        } else if !(token.contains(".") && token.allSatisfy { isDigit($0) || $0 == "." }) {
            return nil
        }
        // Whitespace (or the end of the line) must follow.
        var end = written
        guard end == s.count || isSpace(s[end]) else { return nil }
        while end < s.count, isSpace(s[end]) { end += 1 }
        let writtenText = String(String.UnicodeScalarView(s[0..<written]))
        let text = String(String.UnicodeScalarView(token))

        if token.allSatisfy({ isDigit($0) || $0 == "." }) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.allSatisfy({ $0 != nil && $0! <= 999 }), let last = parts.last!, let first = parts.first! else { return nil }
            if parts.count == 1 {
                guard text.count <= 3, first >= 1 || bracketed else { return nil }
                return ListMarker(style: .decimal, bracketed: bracketed, value: last, absolute: nil, label: text,
                                  written: writtenText, length: end, letterValue: nil)
            }
            guard !bracketed, first >= 1, first <= 200 else { return nil }
            return ListMarker(style: .decimal, bracketed: false, value: last, absolute: parts.map { $0! }, label: text,
                              written: writtenText, length: end, letterValue: nil)
        }
        guard token.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else { return nil }
        let lower = token.allSatisfy { $0.properties.isLowercase }
        let upper = token.allSatisfy { $0.properties.isUppercase }
        guard lower || upper else { return nil }
        if let roman = romanValue(text.lowercased()) {
            let letter = token.count == 1 ? letterValue(token[0]) : nil
            return ListMarker(style: lower ? .lowerRoman : .upperRoman, bracketed: bracketed, value: roman, absolute: nil,
                              label: text, written: writtenText, length: end, letterValue: letter)
        }
        guard token.count == 1 || (bracketed && token.count == 2 && token[0] == token[1]) else { return nil }
        // `(aa)` continues `(z)` in some contracts.
        let value = (letterValue(token[0]) ?? 0) + (token.count == 2 ? 26 : 0)
        return ListMarker(style: lower ? .lowerLetter : .upperLetter, bracketed: bracketed, value: value, absolute: nil,
                          label: text, written: writtenText, length: end, letterValue: nil)
    }

    /// `Section 3`, `SECTION 3.2.`, `Sec. 4`, `§ 5`, `§5.1`, `Article IV`, `ARTICLE 4:`.
    static func parseWordMarker(_ s: [Unicode.Scalar]) -> ListMarker? {
        let text = String(String.UnicodeScalarView(s))
        let lowered = text.lowercased()
        var isArticle = false
        var prefixLength = 0
        for (word, article) in [("section ", false), ("sec. ", false), ("article ", true), ("§ ", false), ("§", false)] where lowered.hasPrefix(word) {
            prefixLength = word.unicodeScalars.count
            isArticle = article
            break
        }
        guard prefixLength > 0 else { return nil }
        var i = prefixLength
        while i < s.count, s[i] == " " { i += 1 }
        let start = i
        while i < s.count, isAlnum(s[i]) || (s[i] == "." && i + 1 < s.count && isDigit(s[i + 1])) { i += 1 }
        guard i > start else { return nil }
        let number = String(String.UnicodeScalarView(s[start..<i]))
        var written = i
        if i < s.count, s[i] == "." || s[i] == ":" { written = i + 1 }
        var end = written
        // An em or en dash, or a hyphen with spaces, may separate the number from the title.
        while end < s.count, isSpace(s[end]) { end += 1 }
        if end < s.count, s[end] == "—" || s[end] == "–" || (s[end] == "-" && end > written) {
            end += 1
            while end < s.count, isSpace(s[end]) { end += 1 }
        }
        guard written == s.count || isSpace(s[written]) || end > written else { return nil }
        let writtenText = String(String.UnicodeScalarView(s[0..<written]))
        if number.unicodeScalars.allSatisfy({ isDigit($0) || $0 == "." }) {
            let parts = number.split(separator: ".").map { Int($0) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! <= 999 }) else { return nil }
            let values = parts.map { $0! }
            if isArticle && values.count == 1 {
                return ListMarker(style: .article, bracketed: false, value: values[0], absolute: nil, label: number,
                                  written: writtenText, length: end, letterValue: nil)
            }
            return ListMarker(style: .decimal, bracketed: false, value: values.last!, absolute: values, label: number,
                              written: writtenText, length: end, letterValue: nil)
        }
        guard isArticle, number == number.uppercased(), let roman = romanValue(number.lowercased()) else { return nil }
        return ListMarker(style: .article, bracketed: false, value: roman, absolute: nil, label: number,
                          written: writtenText, length: end, letterValue: nil)
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s >= "0" && s <= "9" }
    static func isAlnum(_ s: Unicode.Scalar) -> Bool { s.isASCII && (isDigit(s) || s.properties.isAlphabetic) }
    static func isSpace(_ s: Unicode.Scalar) -> Bool { SourceLines.isSpace(s) }

    static func letterValue(_ s: Unicode.Scalar) -> Int? {
        let v = s.properties.lowercaseMapping.unicodeScalars.first!.value
        return (97...122).contains(v) ? Int(v) - 96 : nil
    }

    /// Roman numerals a list uses (i to xxxix, written canonically); letters beyond `x`
    /// (`l`, `c`, `d`, `m`) are left to be letters.
    static func romanValue(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 7, text.allSatisfy({ $0 == "i" || $0 == "v" || $0 == "x" }) else { return nil }
        let values: [Character: Int] = ["i": 1, "v": 5, "x": 10]
        var total = 0
        let chars = Array(text)
        for (k, c) in chars.enumerated() {
            let v = values[c]!
            if k + 1 < chars.count, values[chars[k + 1]]! > v { total -= v } else { total += v }
        }
        guard (1...39).contains(total), roman(total) == text else { return nil }
        return total
    }

    static func roman(_ n: Int) -> String {
        let table: [(Int, String)] = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        var n = n, out = ""
        for (v, s) in table { while n >= v { out += s; n -= v } }
        return out
    }
}
