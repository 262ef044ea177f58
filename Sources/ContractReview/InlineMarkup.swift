/// Turning a line of contract text as published (Markdown with inline HTML, as the Common
/// Paper standards are) or as pasted into the words a reader sees. Applied to `.txt` and
/// `.md` alike: pasted text often keeps `**bold**` and links.
///
/// - HTML tags (`<span class="...">`, `</span>`, `<br>`) are removed; a `<` not starting
///   a tag (`a < b`) stays. `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;` are decoded.
/// - `**` is removed; `[text](url)` becomes `text`. Underscores stay (`______` is a blank
///   to fill in, not emphasis).
/// - Zero-width characters, direction marks and the byte-order mark are removed.
/// - Runs of whitespace become one space; the ends are trimmed.
enum InlineMarkup {
    static func plainText<S: Sequence>(_ input: S, keepBold: Bool = false) -> String where S.Element == Unicode.Scalar {
        let s = Array(input)
        // UTF-8 bytes, decoded once at the end: appending scalars to a String one by one
        // was most of the segmenter's time.
        var out: [UInt8] = []
        out.reserveCapacity(s.count + 8)
        var pendingSpace = false
        func emit(_ c: Unicode.Scalar) {
            if isCollapsibleSpace(c) {
                if !out.isEmpty { pendingSpace = true }
                return
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            if c.isASCII { out.append(UInt8(c.value)) } else { UTF8.encode(c) { out.append($0) } }
        }
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c == "<", let end = tagEnd(s, from: i) {
                let name = String(String.UnicodeScalarView(s[(i + 1)..<end].prefix { $0 != " " && $0 != ">" && $0 != "/" })).lowercased()
                if name == "br" || name == "p" || name == "div" || name == "li" { emit(" ") }
                i = end + 1
                continue
            }
            if c == "&", let (decoded, length) = entity(s, at: i) {
                emit(decoded)
                i += length
                continue
            }
            if c == "*", i + 1 < n, s[i + 1] == "*", !keepBold {
                i += 2
                continue
            }
            if c == "[", let (textEnd, linkEnd) = link(s, at: i) {
                for k in (i + 1)..<textEnd { emit(s[k]) }
                i = linkEnd + 1
                continue
            }
            if isInvisible(c) { i += 1; continue }
            emit(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func plainText(_ text: String, keepBold: Bool = false) -> String {
        plainText(text.unicodeScalars, keepBold: keepBold)
    }

    static func isCollapsibleSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{A0}" || (c.value > 0x7F && c.properties.isWhitespace)
    }

    static func isInvisible(_ c: Unicode.Scalar) -> Bool {
        (0x200B...0x200F).contains(c.value) || c.value == 0xFEFF || c.value == 0x2060
    }

    /// The index of the `>` closing an HTML tag that starts at `i` (`<name ...>` or
    /// `</name>`), or nil when the `<` does not start one.
    static func tagEnd(_ s: [Unicode.Scalar], from i: Int) -> Int? {
        var j = i + 1
        if j < s.count, s[j] == "/" { j += 1 }
        guard j < s.count, s[j].properties.isAlphabetic, s[j].isASCII else { return nil }
        var k = j
        while k < s.count, k - i < 1000 {
            if s[k] == ">" { return k }
            if s[k] == "<" || s[k] == "\n" { return nil }
            k += 1
        }
        return nil
    }

    static let entities: [String: Unicode.Scalar] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "#39": "'", "apos": "'", "nbsp": " "]

    static func entity(_ s: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int)? {
        var j = i + 1
        var name = ""
        while j < s.count, j - i <= 6, s[j] != ";" {
            name.unicodeScalars.append(s[j])
            j += 1
        }
        guard j < s.count, s[j] == ";", let decoded = entities[name] else { return nil }
        return (decoded, j - i + 1)
    }

    /// For `[text](url)` starting at `i`: the index of `]` and of the closing `)`.
    static func link(_ s: [Unicode.Scalar], at i: Int) -> (Int, Int)? {
        var j = i + 1
        while j < s.count, s[j] != "]", s[j] != "[", s[j] != "\n" { j += 1 }
        guard j + 1 < s.count, s[j] == "]", s[j + 1] == "(", j > i + 1 else { return nil }
        var k = j + 2
        while k < s.count, s[k] != ")", s[k] != " ", s[k] != "\n" { k += 1 }
        guard k < s.count, s[k] == ")" else { return nil }
        return (j, k)
    }
}
