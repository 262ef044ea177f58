import Foundation
import LexgraphCore

/// A text template over a record's fields: `scotus:{usid}`,
/// `scdb:issue:{issue|int}`, `scotus:{scdb_caseId|lookup:canonical_usid}`.
///
/// `{field}` is replaced by the field's text; `|filter` steps transform it (see
/// `TemplateFilter`). A template *resolves* only when every field it names is
/// present and every lookup finds its key; otherwise it yields nil, which is how key
/// alternatives and optional edges (no `lawSupp`, no edge) are expressed.
public struct Template: Sendable, CustomStringConvertible {
    enum Part: Sendable {
        case literal(String)
        case field(String, [TemplateFilter])
    }
    let parts: [Part]
    public let source: String

    public var description: String { source }

    /// Field names used, for checking them against a source's header.
    public var fieldNames: [String] {
        parts.compactMap { if case .field(let name, _) = $0 { return name } else { return nil } }
    }

    /// Lookup names used, for checking them against the recipe's lookups.
    var lookupNames: [String] {
        parts.flatMap { part -> [String] in
            guard case .field(_, let filters) = part else { return [] }
            return filters.compactMap { if case .lookup(let n) = $0 { return n } else { return nil } }
        }
    }

    public init(_ text: String) throws {
        source = text
        var parts: [Part] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "{" {
                guard let close = text[i...].firstIndex(of: "}") else {
                    throw TemplateError(message: "unclosed '{' in template '\(text)'")
                }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                let inner = text[text.index(after: i)..<close]
                let pieces = inner.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard let name = pieces.first, !name.isEmpty else { throw TemplateError(message: "empty field name in template '\(text)'") }
                parts.append(.field(name, try pieces.dropFirst().map { try TemplateFilter(parsing: $0, in: text) }))
                i = text.index(after: close)
            } else {
                literal.append(c)
                i = text.index(after: i)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// A template that is just one field, unfiltered (a bare column name in a recipe).
    public static func column(_ name: String) -> Template {
        // Cannot fail: no braces to misparse.
        (try? Template("{\(name)}")) ?? Template(parts: [.field(name, [])], source: "{\(name)}")
    }

    /// Constant text, never interpreted as fields (a recipe's `value:`).
    public static func literal(_ text: String) -> Template {
        Template(parts: [.literal(text)], source: text)
    }

    private init(parts: [Part], source: String) {
        self.parts = parts
        self.source = source
    }

    /// The resolved text, or nil when a field is missing or a lookup fails.
    func resolve(_ record: SourceRecord, item: String?, lookups: LookupTables) -> String? {
        // One part (a bare `{from}` or a constant) is most templates: no text to build.
        if parts.count == 1 {
            switch parts[0] {
            case .literal(let s): return s
            case .field(let name, let filters): return Template.field(name, filters, record, item: item, lookups: lookups)
            }
        }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .field(let name, let filters):
                guard let text = Template.field(name, filters, record, item: item, lookups: lookups) else { return nil }
                out += text
            }
        }
        return out
    }

    /// One field's text after its filters, nil when it is missing or a filter fails.
    private static func field(_ name: String, _ filters: [TemplateFilter], _ record: SourceRecord, item: String?,
                              lookups: LookupTables) -> String? {
        guard var text = (name == "_item" ? item : name == "_row" ? String(record.row)
                          : name == "_line" ? String(record.line) : record.text(name)) else { return nil }
        for filter in filters {
            guard let next = filter.apply(text, lookups: lookups) else { return nil }
            text = next
        }
        return text
    }
}

/// A template syntax error; the recipe parser adds the file position.
struct TemplateError: Error {
    let message: String
}

/// The transformations a template field may apply, in order.
enum TemplateFilter: Sendable {
    /// `6.0` -> `6` (SCDB codes are written as floats in some exports).
    case int
    /// The value a named lookup table maps this text to; a miss leaves the template unresolved.
    case lookup(String)
    /// `true` unless the text is `0` (a list of overruling cases, `0` meaning none).
    case flag
    /// Lower case, runs of other characters than letters and digits as one `-`.
    case slug
    /// Whitespace and trailing `;` or `,` removed.
    case trim
    /// The first item of a `,` or `;` separated list, trimmed.
    case first
    /// The text after the first `:` (`issue:10460` -> `10460`).
    case tail
    case lower, upper

    init(parsing text: String, in template: String) throws {
        let (name, arg): (String, String?) = {
            guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }()
        switch (name, arg) {
        case ("int", nil): self = .int
        case ("lookup", let a?) where !a.isEmpty: self = .lookup(a)
        case ("flag", nil): self = .flag
        case ("slug", nil): self = .slug
        case ("trim", nil): self = .trim
        case ("first", nil): self = .first
        case ("tail", nil): self = .tail
        case ("lower", nil): self = .lower
        case ("upper", nil): self = .upper
        default:
            throw TemplateError(message: "unknown filter '\(text)' in template '\(template)' (filters: int, lookup:NAME, flag, slug, trim, first, tail, lower, upper)")
        }
    }

    func apply(_ text: String, lookups: LookupTables) -> String? {
        switch self {
        case .int:
            if text.hasSuffix(".0"), Int(text.dropLast(2)) != nil { return String(text.dropLast(2)) }
            return text
        case .lookup(let name): return lookups.value(in: name, for: text)
        case .flag: return text == "0" ? "false" : "true"
        case .slug:
            var out = ""
            var dash = false
            for ch in text.lowercased().unicodeScalars {
                if CharacterSet.alphanumerics.contains(ch) {
                    if dash, !out.isEmpty { out += "-" }
                    dash = false
                    out.unicodeScalars.append(ch)
                } else { dash = true }
            }
            return out.isEmpty ? nil : out
        case .trim:
            let t = text.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ";,")))
            return t.isEmpty ? nil : t
        case .first:
            let first = text.split(whereSeparator: { $0 == "," || $0 == ";" }).first.map { $0.trimmingCharacters(in: .whitespaces) }
            return (first?.isEmpty ?? true) ? nil : first
        case .tail:
            guard let colon = text.firstIndex(of: ":") else { return nil }
            let t = String(text[text.index(after: colon)...])
            return t.isEmpty ? nil : t
        case .lower: return text.lowercased()
        case .upper: return text.uppercased()
        }
    }
}

/// The built lookup tables of a load.
struct LookupTables {
    var tables: [String: [String: String]] = [:]

    func value(in table: String, for key: String) -> String? {
        tables[table]?[key]
    }
}
