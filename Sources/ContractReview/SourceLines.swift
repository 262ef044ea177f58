/// The lines of a document with where each lies in it, in Unicode scalars (the unit of
/// `ClauseSegment.characters`). LF, CRLF and a lone CR each end a line, so a file that
/// mixes them numbers its lines as an editor shows them.
struct SourceLine {
    /// 1-based.
    var number: Int
    /// The line without its line break.
    var text: Substring.UnicodeScalarView
    /// Scalar offset of the line's first character in the document.
    var start: Int
    /// Leading whitespace in columns (a tab counts 4) and in scalars.
    var indent: Int
    var indentScalars: Int
    /// Scalars from the line start to the end of its last non-whitespace character.
    var contentEnd: Int

    var isBlank: Bool { contentEnd == 0 }
    /// The line without leading and trailing whitespace.
    var content: Substring.UnicodeScalarView {
        let lower = text.index(text.startIndex, offsetBy: indentScalars)
        let upper = text.index(text.startIndex, offsetBy: max(contentEnd, indentScalars))
        return text[lower..<upper]
    }
    var contentString: String { String(String.UnicodeScalarView(content)) }
}

enum SourceLines {
    static func split(_ text: String) -> [SourceLine] {
        let scalars = text.unicodeScalars
        var lines: [SourceLine] = []
        lines.reserveCapacity(text.utf8.count / 40 + 1)
        var lineStart = scalars.startIndex
        var lineOffset = 0
        var offset = 0
        var index = scalars.startIndex
        func finish(_ end: String.UnicodeScalarView.Index) {
            let body = Substring(text).unicodeScalars[lineStart..<end]
            var indent = 0, indentScalars = 0, last = 0, position = 0
            var leading = true
            for s in body {
                position += 1
                if isSpace(s) {
                    if leading { indentScalars += 1; indent += s == "\t" ? 4 : 1 }
                } else {
                    leading = false
                    last = position
                }
            }
            lines.append(SourceLine(number: lines.count + 1, text: body, start: lineOffset, indent: indent,
                                    indentScalars: indentScalars, contentEnd: last))
        }
        while index < scalars.endIndex {
            let s = scalars[index]
            if s == "\n" || s == "\r" {
                finish(index)
                var next = scalars.index(after: index)
                offset += 1
                if s == "\r", next < scalars.endIndex, scalars[next] == "\n" { next = scalars.index(after: next); offset += 1 }
                index = next
                lineStart = next
                lineOffset = offset
                continue
            }
            index = scalars.index(after: index)
            offset += 1
        }
        if lineStart < scalars.endIndex { finish(scalars.endIndex) }
        return lines
    }

    /// Whitespace that indents or pads a line (the byte-order mark and zero-width
    /// characters count, so an invisible character does not make a line look indented
    /// differently from its neighbours).
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\u{A0}" || s == "\u{FEFF}" || (0x200B...0x200F).contains(s.value) || s == "\u{2060}"
            || (s.value > 0x7F && s.properties.isWhitespace && s != "\u{2028}" && s != "\u{2029}")
    }
}
