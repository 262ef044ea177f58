/// Splits a contract into clauses (`ClauseSegment`s) by its numbering, its headings, and
/// its paragraphs where it has neither.
///
/// Rules, in the order a line is tried:
/// 1. A Markdown heading (`# ...` to `###### ...`): with a number after the hashes
///    (`## 3. Confidentiality`) it is that clause's title; otherwise a heading line.
/// 2. A clause number (`ListMarker`): `1.` `1.2` `(a)` `a.` `(iv)` `Section 3` `Article IV`.
///    It starts a clause when it follows a blank line, a line ending a sentence (`.` `:`
///    `;`), a heading, or continues an open list (`(c)` after `(b)`); elsewhere it is
///    taken for a number that a hard line break put first (`... under Section` /
///    `3.2 of this Agreement`). Nesting: a deeper indent opens a sub-list; at the same
///    indent a new list style (`(a)` under `1.`) opens a sub-list and a style already open
///    closes back to it; multi-part numbers (`2.3`, `Section 2.3`) sit under the clause
///    whose number prefixes theirs. `i`, `v`, `x` are letters when they continue a
///    letter list (`h`, `i`) and roman numerals otherwise. The text after the number
///    gives the heading and body (`SegmentHeadings.split`).
/// 3. A heading line without number: a `**bold**` line, a line in capitals, or a short
///    Title Case line without final period, after a blank line. The first heading before
///    any text is the document's title; later ones head the unnumbered text below them.
/// 4. Other text continues the open clause: lines without a blank line between them are
///    one paragraph; after a blank line, a paragraph belongs to the clause when indented
///    under its text (Markdown list continuation) or when the clause is only a heading so
///    far. A paragraph at the clause number's own indent after a blank line belongs to the
///    clause when more numbered clauses or headings follow it, and is unnumbered text of
///    its own at the end of the document (a signature block, a licence line). Unnumbered
///    text without any clause open is one segment per paragraph, or one segment per
///    heading with everything under it; a `Title Case.` lead-in gives it a heading.
public enum ClauseSegmenter {
    public static func segment(_ document: ContractDocument) -> SegmentedContract {
        segment(text: document.text)
    }

    public static func segment(text: String) -> SegmentedContract {
        var state = SegmenterState(lines: SourceLines.split(text))
        state.run()
        return state.result()
    }
}

/// A clause being collected.
struct SegmentBuilder {
    var path: String
    var marker: String?
    var heading: String?
    /// Paragraphs, each the raw text of its lines joined by spaces.
    var paragraphs: [String]
    var depth: Int
    var parent: String?
    var start: Int
    var end: Int
    var firstLine: Int
    var lastLine: Int
    /// Column where a numbered clause's text starts (continuation lines indent to it).
    var contentIndent: Int
    var numbered: Bool
    /// Started by a heading line: every paragraph up to the next heading or clause is its.
    var underHeading: Bool

    mutating func add(_ text: String, newParagraph: Bool, line: SourceLine) {
        if newParagraph || paragraphs.isEmpty { paragraphs.append(text) } else { paragraphs[paragraphs.count - 1] += " " + text }
        lastLine = line.number
        end = line.start + line.contentEnd
    }

    var segment: ClauseSegment {
        let text = paragraphs.map { InlineMarkup.plainText($0) }.filter { !$0.isEmpty }.joined(separator: "\n")
        return ClauseSegment(path: path, marker: marker, heading: heading, text: text, depth: depth, parent: parent,
                             characters: start..<end, lines: firstLine...lastLine)
    }
}

/// A list level that is open: where its numbers stand and which clause holds the last one.
struct OpenLevel {
    var indent: Int
    var style: ListMarker.Style
    var bracketed: Bool
    var absolute: Bool
    var value: Int
    var path: String

    func sameList(as m: ListMarker) -> Bool {
        style == m.style && bracketed == m.bracketed && absolute == (m.absolute != nil)
    }
}

struct SegmenterState {
    let lines: [SourceLine]
    var segments: [SegmentBuilder] = []
    var stack: [OpenLevel] = []
    var current: Int?
    /// Paragraphs after a numbered clause at its number's indent: the clause's if more
    /// structure follows, trailing text of their own at the end.
    var detached: [SegmentBuilder] = []
    var title: String?
    var unnumbered = 0
    var previousBlank = true
    var previousEndsSentence = true
    var seenText = false
    var index = 0

    init(lines: [SourceLine]) { self.lines = lines }

    mutating func run() {
        while index < lines.count {
            let line = lines[index]
            if line.isBlank {
                previousBlank = true
            } else {
                handle(line)
                previousBlank = false
            }
            index += 1
        }
        let trailing = detached
        detached = []
        for paragraph in trailing { newParagraphSegment(paragraph.paragraphs.joined(separator: " "), from: paragraph) }
    }

    func result() -> SegmentedContract {
        SegmentedContract(title: title, segments: segments.map(\.segment))
    }

    // MARK: - Lines

    mutating func handle(_ line: SourceLine) {
        let content = line.content
        if let (level, rest) = markdownHeading(content) {
            _ = level
            if let marker = ListMarker.parse(rest), accepts(marker, rest: rest.dropFirst(marker.length), afterBreak: true) {
                numbered(line, marker: marker, rest: rest.dropFirst(marker.length), wholeHeading: true)
            } else {
                headingLine(SegmentHeadings.trimTitle(InlineMarkup.plainText(rest)), line: line)
            }
            return
        }
        if var marker = ListMarker.parse(content) {
            marker = disambiguated(marker)
            let rest = content.dropFirst(marker.length)
            let afterBreak = previousBlank || previousEndsSentence || !seenText
            if accepts(marker, rest: rest, afterBreak: afterBreak) {
                numbered(line, marker: marker, rest: rest, wholeHeading: false)
                return
            }
        }
        if let heading = headingLineText(line) {
            headingLine(heading, line: line)
            return
        }
        paragraph(line)
    }

    /// `#`s, a space, then the heading's text.
    func markdownHeading(_ content: Substring.UnicodeScalarView) -> (Int, Substring.UnicodeScalarView)? {
        var level = 0
        var i = content.startIndex
        while i < content.endIndex, content[i] == "#" { level += 1; i = content.index(after: i) }
        guard (1...6).contains(level), i < content.endIndex, content[i] == " " || content[i] == "\t" else { return nil }
        var rest = content[i...].drop(while: { $0 == " " || $0 == "\t" })
        while let last = rest.last, last == "#" || last == " " { rest = rest.dropLast() }
        guard !rest.isEmpty else { return nil }
        return (level, rest)
    }

    /// A line of its own that heads what follows: `**Bold**`, CAPITALS, or a short Title
    /// Case line without final period, after a blank line.
    func headingLineText(_ line: SourceLine) -> String? {
        guard previousBlank || !seenText else { return nil }
        let raw = line.contentString
        var core = Substring(raw)
        while let last = core.last, last == ":" || last == "." { core = core.dropLast() }
        if core.hasPrefix("**"), core.hasSuffix("**"), core.count > 4, !core.dropFirst(2).dropLast(2).contains("**") {
            let inner = SegmentHeadings.trimTitle(InlineMarkup.plainText(String(core.dropFirst(2).dropLast(2))))
            return inner.isEmpty || inner.split(separator: " ").count > 15 ? nil : inner
        }
        let plain = InlineMarkup.plainText(raw)
        guard plain.count <= 100, let last = plain.last, last != ",", last != ";" else { return nil }
        let next = nextContentLine()
        if SegmentHeadings.isCapitals(plain) && plain.split(separator: " ").count <= 12 && !plain.contains(". ") {
            // A paragraph written in capitals goes on in capitals on its next line.
            if let next, SegmentHeadings.isCapitals(InlineMarkup.plainText(next.contentString)) && ListMarker.parse(next.content) == nil { return nil }
            return SegmentHeadings.trimTitle(plain)
        }
        if last != ".", SegmentHeadings.isTitleLike(plain, maxWords: 8) {
            // A sentence broken after a capitalized word goes on in lower case.
            if let next, let first = InlineMarkup.plainText(next.contentString).first, first.isLowercase { return nil }
            return SegmentHeadings.trimTitle(plain)
        }
        return nil
    }

    /// The next line when it directly follows (no blank line between).
    func nextContentLine() -> SourceLine? {
        guard index + 1 < lines.count, !lines[index + 1].isBlank else { return nil }
        return lines[index + 1]
    }

    // MARK: - Numbers

    /// `i`, `v`, `x` (and capitals): a letter when a letter list expects it next.
    func disambiguated(_ marker: ListMarker) -> ListMarker {
        guard let letter = marker.asLetter else { return marker }
        if stack.contains(where: { $0.sameList(as: letter) && $0.value == letter.value - 1 }) { return letter }
        if stack.contains(where: { $0.sameList(as: marker) && $0.value == marker.value - 1 }) { return marker }
        return marker.value == 1 ? marker : letter
    }

    /// Whether a number at the start of a line starts a clause.
    func accepts(_ marker: ListMarker, rest: Substring.UnicodeScalarView, afterBreak: Bool) -> Bool {
        // `Section 3.2 of this Agreement` and `3.2 of this Agreement` are references.
        if let first = rest.first, first.properties.isLowercase,
           marker.style == .article || marker.written.lowercased().hasPrefix("sec") || marker.written.hasPrefix("§")
            || (marker.absolute != nil && !marker.written.hasSuffix(".")) {
            return false
        }
        if afterBreak { return true }
        return stack.contains { $0.sameList(as: marker) && $0.value + 1 == marker.value }
    }

    /// Closes the levels the marker ends and returns the clause it sits under.
    mutating func place(_ marker: ListMarker, indent: Int) -> OpenLevel? {
        if let parts = marker.absolute {
            let path = parts.map(String.init).joined(separator: ".")
            while let top = stack.last, !(path.hasPrefix(top.path + ".") || (top.style == .article && parts.count > 1)) {
                stack.removeLast()
            }
            return stack.last
        }
        while let top = stack.last {
            if indent < top.indent - 1 { stack.removeLast(); continue }
            if indent <= top.indent + 1 {
                if let j = stack.lastIndex(where: { $0.sameList(as: marker) && abs($0.indent - indent) <= 1 }) {
                    stack.removeSubrange(j...)
                }
            }
            break
        }
        return stack.last
    }

    mutating func numbered(_ line: SourceLine, marker: ListMarker, rest: Substring.UnicodeScalarView, wholeHeading: Bool) {
        flushDetached()
        let parent = place(marker, indent: line.indent)
        let path: String
        if let parts = marker.absolute {
            path = parts.map(String.init).joined(separator: ".")
        } else if let parent {
            let joinsWithDot = marker.style == .decimal && !marker.bracketed && parent.path.last?.isNumber == true
            path = parent.path + (joinsWithDot ? "." + marker.label : "(" + marker.label + ")")
        } else {
            path = marker.label
        }
        var heading: String?
        var body: String
        if wholeHeading {
            heading = SegmentHeadings.trimTitle(InlineMarkup.plainText(rest))
            body = ""
        } else {
            (heading, body) = SegmentHeadings.split(rest)
        }
        if heading?.isEmpty == true { heading = nil }
        let start = line.start + line.indentScalars
        segments.append(SegmentBuilder(path: path, marker: marker.written, heading: heading, paragraphs: body.isEmpty ? [] : [body],
                                       depth: stack.count + 1, parent: parent?.path, start: start, end: line.start + line.contentEnd,
                                       firstLine: line.number, lastLine: line.number, contentIndent: line.indent + marker.length,
                                       numbered: true, underHeading: false))
        stack.append(OpenLevel(indent: line.indent, style: marker.style, bracketed: marker.bracketed, absolute: marker.absolute != nil,
                               value: marker.value, path: path))
        current = segments.count - 1
        seenText = true
        previousEndsSentence = body.isEmpty || Self.endsSentence(body)
    }

    // MARK: - Headings and paragraphs

    mutating func headingLine(_ text: String, line: SourceLine) {
        flushDetached()
        previousEndsSentence = true
        if title == nil && !seenText {
            title = text
            return
        }
        seenText = true
        unnumbered += 1
        segments.append(SegmentBuilder(path: "¶\(unnumbered)", marker: nil, heading: text.isEmpty ? nil : text, paragraphs: [], depth: 1,
                                       parent: nil, start: line.start + line.indentScalars, end: line.start + line.contentEnd,
                                       firstLine: line.number, lastLine: line.number, contentIndent: line.indent, numbered: false,
                                       underHeading: true))
        current = segments.count - 1
    }

    mutating func paragraph(_ line: SourceLine) {
        let raw = line.contentString
        seenText = true
        defer { previousEndsSentence = Self.endsSentence(raw) }
        guard let c = current else {
            newParagraphSegment(raw, from: builder(for: line, raw))
            return
        }
        if segments[c].numbered {
            if !detached.isEmpty {
                if previousBlank { detached.append(builder(for: line, raw)) } else { detached[detached.count - 1].add(raw, newParagraph: false, line: line) }
            } else if !previousBlank {
                segments[c].add(raw, newParagraph: false, line: line)
            } else if line.indent >= segments[c].contentIndent - 1 || segments[c].paragraphs.isEmpty {
                segments[c].add(raw, newParagraph: true, line: line)
            } else {
                detached.append(builder(for: line, raw))
            }
            return
        }
        if segments[c].underHeading || !previousBlank {
            segments[c].add(raw, newParagraph: previousBlank, line: line)
        } else {
            newParagraphSegment(raw, from: builder(for: line, raw))
        }
    }

    /// A one-line paragraph builder (for detached text, before it has a path).
    func builder(for line: SourceLine, _ raw: String) -> SegmentBuilder {
        SegmentBuilder(path: "", marker: nil, heading: nil, paragraphs: [raw], depth: 1, parent: nil,
                       start: line.start + line.indentScalars, end: line.start + line.contentEnd, firstLine: line.number,
                       lastLine: line.number, contentIndent: line.indent, numbered: false, underHeading: false)
    }

    /// Unnumbered text of its own, with a `Title Case.` lead-in as its heading.
    mutating func newParagraphSegment(_ raw: String, from b: SegmentBuilder) {
        var b = b
        unnumbered += 1
        b.path = "¶\(unnumbered)"
        let plain = InlineMarkup.plainText(raw)
        if let lead = SegmentHeadings.leadIn(plain) {
            b.heading = lead.heading
            b.paragraphs = [lead.body]
        } else {
            b.paragraphs = [raw]
        }
        segments.append(b)
        current = segments.count - 1
    }

    /// Detached paragraphs belong to the open clause after all: more structure follows.
    mutating func flushDetached() {
        guard let c = current, !detached.isEmpty else { detached = []; return }
        for d in detached {
            segments[c].paragraphs.append(contentsOf: d.paragraphs)
            segments[c].lastLine = d.lastLine
            segments[c].end = d.end
        }
        detached = []
    }

    static func endsSentence(_ text: String) -> Bool {
        var t = Substring(text)
        while let last = t.last, last == " " || last == "*" || last == ")" || last == "\"" || last == "”" || last == "’" || last == "'" { t = t.dropLast() }
        guard let last = t.last else { return true }
        return ".:;!?".contains(last)
    }
}
