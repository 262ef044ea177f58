import Foundation
import LexgraphCore
import Ontology

/// A source date layout such as `M/D/YYYY`, `DD.MM.YYYY` or `YYYY-MM-DD`: `YYYY` a
/// four-digit year, `M`/`D` one or two digits, `MM`/`DD` exactly two, anything else
/// literal. Parsing checks the calendar (no 30 February).
public struct DateLayout: Sendable, CustomStringConvertible {
    enum Token: Sendable { case year, month(exact: Bool), day(exact: Bool), literal(Character) }
    let tokens: [Token]
    public let description: String

    public init(_ layout: String) throws {
        description = layout
        var tokens: [Token] = []
        var chars = Array(layout)[...]
        var sawYear = false, sawMonth = false, sawDay = false
        while let c = chars.first {
            if chars.starts(with: "YYYY") { tokens.append(.year); chars = chars.dropFirst(4); sawYear = true }
            else if chars.starts(with: "MM") { tokens.append(.month(exact: true)); chars = chars.dropFirst(2); sawMonth = true }
            else if chars.starts(with: "DD") { tokens.append(.day(exact: true)); chars = chars.dropFirst(2); sawDay = true }
            else if c == "M" { tokens.append(.month(exact: false)); chars = chars.dropFirst(); sawMonth = true }
            else if c == "D" { tokens.append(.day(exact: false)); chars = chars.dropFirst(); sawDay = true }
            else { tokens.append(.literal(c)); chars = chars.dropFirst() }
        }
        guard sawYear, sawMonth, sawDay else {
            throw TemplateError(message: "date layout '\(layout)' needs YYYY, M (or MM) and D (or DD)")
        }
        self.tokens = tokens
    }

    public func parse(_ text: String) -> LegalDate? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        var y = 0, m = 0, d = 0
        func digits(min: Int, max: Int) -> Int? {
            var value = 0, n = 0
            while n < max, i < s.count, s[i] >= 48, s[i] <= 57 { value = value * 10 + Int(s[i] - 48); i += 1; n += 1 }
            return n >= min ? value : nil
        }
        for token in tokens {
            switch token {
            case .year: guard let v = digits(min: 4, max: 4) else { return nil }; y = v
            case .month(let exact): guard let v = digits(min: exact ? 2 : 1, max: 2) else { return nil }; m = v
            case .day(let exact): guard let v = digits(min: exact ? 2 : 1, max: 2) else { return nil }; d = v
            case .literal(let c):
                guard i < s.count, let a = c.asciiValue, s[i] == a else { return nil }
                i += 1
            }
        }
        guard i == s.count else { return nil }
        return LegalDate(year: y, month: m, day: d)
    }
}

/// Turns source text or JSON values into the value type the ontology declares for a
/// property, with a message naming the value when it does not fit.
enum ValueCoercion {
    /// `nil` result with nil problem = leave the property out (empty input).
    static func coerce(_ raw: Value, to spec: PropertySpec?, layout: DateLayout?, separator: String?) -> (Value?, String?) {
        if raw.isNull { return (nil, nil) }
        guard let spec else { return (raw, nil) } // unknown property: the ontology check reports it
        switch spec.type {
        case .string, .text:
            if case .string = raw { return (raw, nil) }
            return (.string(SourceRecord.text(of: raw) ?? ""), nil)
        case .int:
            switch raw {
            case .int: return (raw, nil)
            case .float(let d) where d == d.rounded() && abs(d) < 9e15: return (.int(Int64(d)), nil)
            case .string(let s):
                if let i = Int64(s) { return (.int(i), nil) }  // the common case, without trimming
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int64(t) { return (.int(i), nil) }
                if let d = Double(t), d == d.rounded(), abs(d) < 9e15 { return (.int(Int64(d)), nil) }
            default: break
            }
            return (nil, "must be int, got \(raw.jsonText)")
        case .float:
            switch raw {
            case .float: return (raw, nil)
            case .int(let i): return (.float(Double(i)), nil)
            case .string(let s): if let d = Double(s) ?? Double(s.trimmingCharacters(in: .whitespaces)) { return (.float(d), nil) }
            default: break
            }
            return (nil, "must be float, got \(raw.jsonText)")
        case .bool:
            switch raw {
            case .bool: return (raw, nil)
            case .int(let i) where i == 0 || i == 1: return (.bool(i == 1), nil)
            case .string(let s):
                switch s.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true", "yes", "1", "t", "y": return (.bool(true), nil)
                case "false", "no", "0", "f", "n": return (.bool(false), nil)
                default: break
                }
            default: break
            }
            return (nil, "must be bool, got \(raw.jsonText)")
        case .date:
            guard let s = raw.stringValue else { return (nil, "must be date (YYYY-MM-DD), got \(raw.jsonText)") }
            if let layout {
                guard let d = layout.parse(s) else { return (nil, "is not a date in layout \(layout), got \(raw.jsonText)") }
                return (.string(d.iso), nil)
            }
            guard let d = LegalDate(iso: s) else { return (nil, "must be date (YYYY-MM-DD), got \(raw.jsonText)") }
            return (.string(d.iso), nil)
        case .list:
            if case .list = raw { return (raw, nil) }
            if let s = raw.stringValue, let separator {
                let items = s.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return (.list(items.map(Value.string)), nil)
            }
            return (nil, "must be list, got \(raw.jsonText)")
        }
    }
}
