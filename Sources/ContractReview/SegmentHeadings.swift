import Foundation

/// Telling a clause's title from its words in a contract being segmented: the rules the
/// segmenter uses on the text after a clause number and on lines of their own (bold
/// lead-ins, title-only lines, `Title Case.` lead-ins). A model trained without headings
/// sees the body after the lead-in, so the lead-in rule should cut where the rule that
/// removed headings from its training clauses cuts.
enum SegmentHeadings {
    /// Words a title may leave in lower case.
    static let smallWords: Set<String> = ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to",
                                          "with", "under", "upon", "between", "per", "vs", "via", "its", "their", "&", "-", "–", "—", "/", "and/or"]
    /// Abbreviations whose period does not end a title (`Mr. Smith shall`).
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "no", "nos", "st", "inc", "ltd", "co", "corp", "u.s", "e.g", "i.e", "etc", "vs",
                                             "art", "sec", "para", "cl", "jr", "sr", "llc", "plc", "n.a", "u.k"]

    /// Whether `text` reads as a title: 1 to `maxWords` words, the first capitalized,
    /// every other word capitalized (or a number) unless it is a small word.
    static func isTitleLike(_ text: String, maxWords: Int) -> Bool {
        let words = text.split(whereSeparator: { $0 == " " })
        guard (1...maxWords).contains(words.count), text.contains(where: \.isLetter) else { return false }
        for (k, raw) in words.enumerated() {
            let word = trimmed(raw, where: { wordPunctuation.contains($0) })
            if word.isEmpty { continue }
            if k > 0 && smallWords.contains(word.lowercased()) { continue }
            guard let first = word.first, first.isUppercase || first.isNumber else { return false }
        }
        return true
    }

    /// Whether `text` is written in capitals (at least two letters, none lower case).
    static func isCapitals(_ text: String) -> Bool {
        var letters = 0
        for c in text where c.isLetter {
            if c.isLowercase { return false }
            letters += 1
        }
        return letters >= 2
    }

    /// Splits the text after a clause number into heading and body:
    /// - `**Title**. Body` or `**Title.** Body`: a bold lead-in;
    /// - `Title`, `Title.` or `TITLE` alone: a title line (body empty);
    /// - `Title Case Words. Body` (up to 8 words before the first period): a lead-in.
    /// Markup is removed from both parts (`InlineMarkup`).
    static func split(_ raw: Substring.UnicodeScalarView) -> (heading: String?, body: String) {
        let text = InlineMarkup.plainText(raw, keepBold: true)
        if text.hasPrefix("**") {
            let afterOpen = text.dropFirst(2)
            if let close = firstRange(of: "**", in: afterOpen) {
                let inner = String(trimmed(afterOpen[..<close.lowerBound], where: { $0 == " " }))
                var after = afterOpen[close.upperBound...].drop(while: { $0 == " " })
                let followedByStop = after.first == "." || after.first == ":"
                if followedByStop { after = after.dropFirst() }
                if !inner.isEmpty, followedByStop || after.isEmpty || inner.hasSuffix(".") || inner.hasSuffix(":"),
                   inner.split(separator: " ").count <= 15 {
                    return (trimTitle(InlineMarkup.plainText(inner)), InlineMarkup.plainText(String(after)))
                }
            }
        }
        let plain = InlineMarkup.plainText(text)
        if isTitleLine(plain) { return (trimTitle(plain), "") }
        if let lead = leadIn(plain) { return lead }
        return (nil, plain)
    }

    /// A whole line that is a title: up to 12 title-like words (or capitals), ending in
    /// a letter, digit, `)`, `.` or `:` but not in `;` or `,`.
    static func isTitleLine(_ plain: String) -> Bool {
        guard let last = plain.last, !plain.isEmpty else { return false }
        guard last.isLetter || last.isNumber || last == ")" || last == "." || last == ":" else { return false }
        let core = trimTitle(plain)
        guard !core.contains(". "), !core.contains("; ") else { return false }
        let words = core.split(separator: " ").count
        if isCapitals(core) && words <= 12 { return true }
        return isTitleLike(core, maxWords: 12)
    }

    /// `Title Words. Body...`: the words before the first period that ends a word, when
    /// they are 1 to 8 title-like words (not an abbreviation) and a body follows.
    static func leadIn(_ plain: String) -> (heading: String?, body: String)? {
        guard let period = firstRange(of: ". ", in: Substring(plain)) else { return nil }
        let candidate = String(plain[..<period.lowerBound])
        guard !candidate.isEmpty, candidate.count <= 80, !candidate.contains(where: { ";:".contains($0) }) else { return nil }
        let lastWord = candidate.split(separator: " ").last.map { $0.lowercased() } ?? ""
        guard !abbreviations.contains(lastWord), lastWord.count > 1 || candidate.split(separator: " ").count > 1 else { return nil }
        guard isTitleLike(candidate, maxWords: 8) || (isCapitals(candidate) && candidate.split(separator: " ").count <= 8) else { return nil }
        let body = String(trimmed(plain[period.upperBound...], where: { $0 == " " }))
        guard !body.isEmpty else { return nil }
        return (trimTitle(candidate), body)
    }

    /// A title without its final `.` or `:` and surrounding spaces.
    static func trimTitle(_ s: String) -> String {
        String(trimmed(Substring(s), where: { $0 == " " || $0 == "." || $0 == ":" }, leading: false).drop(while: { $0 == " " }))
    }

    static let wordPunctuation: Set<Character> = ["(", ")", "“", "”", "\"", "'", "‘", "’", ",", ":", ";"]

    /// `s` without the characters `drop` matches at its end (and start, unless `leading`
    /// is false). Plain Swift: Foundation's trimming bridges through UTF-16 and was most
    /// of the segmenter's time.
    static func trimmed(_ s: Substring, where drop: (Character) -> Bool, leading: Bool = true) -> Substring {
        var t = leading ? s.drop(while: drop) : s
        while let last = t.last, drop(last) { t = t.dropLast() }
        return t
    }

    /// The first occurrence of `needle` in `s`.
    static func firstRange(of needle: String, in s: Substring) -> Range<Substring.Index>? {
        guard let first = needle.first else { return nil }
        var i = s.startIndex
        while let j = s[i...].firstIndex(of: first) {
            if s[j...].hasPrefix(needle) { return j..<s.index(j, offsetBy: needle.count) }
            i = s.index(after: j)
        }
        return nil
    }
}
