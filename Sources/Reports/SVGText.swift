import Foundation

/// Text and numbers as they go into SVG and Markdown: XML-escaped text and short,
/// locale-independent decimal numbers.
public enum SVGText {
    /// `&`, `<`, `>`, `"` and `'` escaped, so any label (a case name, a run folder name)
    /// keeps the document well-formed. Control characters other than tab and newline,
    /// which XML 1.0 forbids, become spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { out += " " }
                else if scalar.value == 0xFFFE || scalar.value == 0xFFFF { out += " " }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A coordinate: two decimals, no trailing zeros ("12.5", "3", "-0.25").
    public static func coordinate(_ x: Double) -> String {
        trimmed(String(format: "%.2f", x.isFinite ? x : 0))
    }

    /// A tick label with just enough decimals for `step` ("0.2", "10", "0.05").
    public static func tick(_ x: Double, step: Double) -> String {
        let decimals = step >= 1 || step <= 0 ? 0 : min(6, Int((-log10(step)).rounded(.up)))
        let text = trimmed(String(format: "%.\(decimals)f", x))
        return text == "-0" ? "0" : text
    }

    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s == "-0" ? "0" : s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }
}
