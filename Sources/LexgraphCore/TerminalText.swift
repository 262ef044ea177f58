/// Text from the graph or from input files, made safe to print on a terminal.
///
/// Stored data may hold bytes a terminal acts on: an ESC sequence (`\u{1B}[31m` turns the
/// terminal red, others move the cursor, retitle the window or rewrite the screen), a
/// carriage return that overwrites what was printed before it, or a bidirectional
/// override that shows text in another order than it is stored (the "Trojan Source"
/// trick). Every human-readable printer (tables, summaries, the shell) passes its text
/// through `escaped`, which writes each such character visibly as `\u{HEX}` (tab, line
/// feed and carriage return as `\t`, `\n`, `\r`). JSON output needs no pass (JSON escapes
/// control characters itself) and CSV keeps the stored text exactly (it is data for
/// programs; see the README).
public enum TerminalText {
    /// Whether a terminal could act on `scalar` instead of showing it: the C0 controls,
    /// DEL and the C1 controls (Unicode category Cc), the bidirectional embeddings,
    /// overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the line and paragraph
    /// separators U+2028/U+2029.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `text` with every character of `needsEscape` written as an escape; with
    /// `keepingLineBreaks`, line feeds stay (for multi-line output whose lines are
    /// already laid out). Text without such characters is returned unchanged.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        func escapes(_ s: Unicode.Scalar) -> Bool { needsEscape(s) && !(keepingLineBreaks && s == "\n") }
        guard text.unicodeScalars.contains(where: escapes) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard escapes(scalar) else { out.append(scalar); continue }
            switch scalar {
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default: out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }
}
