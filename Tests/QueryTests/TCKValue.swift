import Foundation
import Query

/// A value in the TCK's expected-result syntax, and actual results converted to it.
indirect enum TCKValue: Equatable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), float(Double), string(String)
    case list([TCKValue]), map([String: TCKValue])
    case node(labels: Set<String>, properties: [String: TCKValue])
    case relationship(type: String, properties: [String: TCKValue])
    /// start node, then (relationship, forward?, node) steps.
    case path(TCKValue, [Step])

    struct Step: Equatable { var relationship: TCKValue; var forward: Bool; var node: TCKValue }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return "'\(s)'"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!)" }.joined(separator: ", ") + "}"
        case .node(let labels, let props): return "(" + labels.sorted().map { ":" + $0 }.joined() + " " + TCKValue.map(props).description + ")"
        case .relationship(let t, let props): return "[:\(t) \(TCKValue.map(props))]"
        case .path(let start, let steps):
            return "<" + start.description + steps.map { ($0.forward ? "-" : "<-") + $0.relationship.description + ($0.forward ? "->" : "-") + $0.node.description }.joined() + ">"
        }
    }

    /// Converts an actual result value, reading elements from the result's snapshot.
    init(_ v: CypherValue, _ elements: ResultElements) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        // The TCK writes temporal results in their string form: '1984-10-11T12:31Z'.
        case .temporal(let t): self = .string(t.text)
        case .list(let l): self = .list(l.map { TCKValue($0, elements) })
        case .map(let m): self = .map(m.mapValues { TCKValue($0, elements) })
        case .node(let id):
            let n = elements.nodes[id]
            self = .node(labels: Set(n?.labels ?? []), properties: (n?.properties ?? [:]).mapValues { TCKValue($0, elements) })
        case .relationship(let id):
            let r = elements.relationships[id]
            self = .relationship(type: r?.type ?? "?", properties: (r?.properties ?? [:]).mapValues { TCKValue($0, elements) })
        case .path(let nodes, let rels):
            var steps: [Step] = []
            for (i, r) in rels.enumerated() {
                let forward = elements.relationships[r]?.start == nodes[i]
                steps.append(Step(relationship: TCKValue(.relationship(r), elements), forward: forward, node: TCKValue(.node(nodes[i + 1]), elements)))
            }
            self = .path(TCKValue(.node(nodes[0]), elements), steps)
        }
    }

    /// A parameter value (no graph elements in parameters).
    var cypherValue: CypherValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .list(let l): return .list(l.map(\.cypherValue))
        case .map(let m): return .map(m.mapValues(\.cypherValue))
        default: return .null
        }
    }

    /// Equality for result checking; `unorderedLists` compares lists as bags.
    func matches(_ other: TCKValue, unorderedLists: Bool) -> Bool {
        switch (self, other) {
        case (.float(let a), .float(let b)):
            if a.isNaN && b.isNaN { return true }
            return a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            if !unorderedLists { return zip(a, b).allSatisfy { $0.matches($1, unorderedLists: false) } }
            var rest = b
            for x in a {
                guard let k = rest.firstIndex(where: { x.matches($0, unorderedLists: true) }) else { return false }
                rest.remove(at: k)
            }
            return true
        case (.map(let a), .map(let b)):
            return TCKValue.mapsMatch(a, b, unorderedLists)
        case (.node(let l1, let p1), .node(let l2, let p2)):
            return l1 == l2 && TCKValue.mapsMatch(p1, p2, unorderedLists)
        case (.relationship(let t1, let p1), .relationship(let t2, let p2)):
            return t1 == t2 && TCKValue.mapsMatch(p1, p2, unorderedLists)
        case (.path(let s1, let st1), .path(let s2, let st2)):
            guard s1.matches(s2, unorderedLists: unorderedLists), st1.count == st2.count else { return false }
            return zip(st1, st2).allSatisfy { $0.forward == $1.forward && $0.relationship.matches($1.relationship, unorderedLists: unorderedLists) && $0.node.matches($1.node, unorderedLists: unorderedLists) }
        default:
            return self == other
        }
    }

    static func mapsMatch(_ a: [String: TCKValue], _ b: [String: TCKValue], _ unordered: Bool) -> Bool {
        guard Set(a.keys) == Set(b.keys) else { return false }
        return a.allSatisfy { k, v in v.matches(b[k]!, unorderedLists: unordered) }
    }
}

/// Parses the TCK's value syntax: `null`, `true`, `1`, `-1.5e3`, `'s'`, `[..]`, `{k: v}`,
/// `(:L {k: v})`, `[:T {k: v}]`, `<(a)-[:T]->(b)>`.
struct TCKValueParser {
    let chars: [Character]
    var i = 0

    struct Failure: Error { var message: String }

    static func parse(_ text: String) throws -> TCKValue {
        var p = TCKValueParser(chars: Array(text))
        let v = try p.value()
        p.space()
        guard p.i == p.chars.count else { throw Failure(message: "trailing text in TCK value '\(text)'") }
        return v
    }

    mutating func space() { while i < chars.count, chars[i].isWhitespace { i += 1 } }
    func peek() -> Character? { i < chars.count ? chars[i] : nil }
    mutating func expect(_ c: Character) throws {
        space()
        guard peek() == c else { throw Failure(message: "expected '\(c)' at \(i) in '\(String(chars))'") }
        i += 1
    }

    mutating func name() throws -> String {
        space()
        if peek() == "`" {
            i += 1
            var s = ""
            while let c = peek(), c != "`" { s.append(c); i += 1 }
            i += 1
            return s
        }
        var s = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" { s.append(c); i += 1 }
        guard !s.isEmpty else { throw Failure(message: "expected a name at \(i) in '\(String(chars))'") }
        return s
    }

    mutating func value() throws -> TCKValue {
        space()
        guard let c = peek() else { throw Failure(message: "empty value") }
        switch c {
        case "'": return .string(try string())
        case "{": return .map(try map())
        case "(": return try node()
        case "<": return try path()
        case "[":
            let save = i
            i += 1
            space()
            if peek() == ":" { i = save; return try relationship() }
            if peek() == "]" { i += 1; return .list([]) }
            var items: [TCKValue] = []
            while true {
                items.append(try value())
                space()
                if peek() == "," { i += 1; continue }
                try expect("]")
                return .list(items)
            }
        default:
            var s = ""
            while let d = peek(), !",]}".contains(d) { s.append(d); i += 1 }
            s = s.trimmingCharacters(in: .whitespaces)
            switch s {
            case "null": return .null
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "NaN": return .float(.nan)
            case "Inf", "Infinity": return .float(.infinity)
            case "-Inf", "-Infinity": return .float(-.infinity)
            default: break
            }
            if let n = Int64(s) { return .int(n) }
            if let d = Double(s) { return .float(d) }
            throw Failure(message: "unknown TCK value '\(s)'")
        }
    }

    mutating func string() throws -> String {
        i += 1
        var s = ""
        while let c = peek() {
            i += 1
            if c == "'" { return s }
            if c == "\\", let n = peek() {
                i += 1
                switch n {
                case "n": s.append("\n")
                case "t": s.append("\t")
                default: s.append(n)
                }
                continue
            }
            s.append(c)
        }
        throw Failure(message: "unterminated string")
    }

    mutating func map() throws -> [String: TCKValue] {
        try expect("{")
        var m: [String: TCKValue] = [:]
        space()
        if peek() == "}" { i += 1; return m }
        while true {
            let k = try name()
            try expect(":")
            m[k] = try value()
            space()
            if peek() == "," { i += 1; continue }
            try expect("}")
            return m
        }
    }

    mutating func node() throws -> TCKValue {
        try expect("(")
        var labels = Set<String>()
        space()
        while peek() == ":" { i += 1; labels.insert(try name()); space() }
        var props: [String: TCKValue] = [:]
        if peek() == "{" { props = try map() }
        try expect(")")
        return .node(labels: labels, properties: props)
    }

    mutating func relationship() throws -> TCKValue {
        try expect("[")
        try expect(":")
        let type = try name()
        space()
        var props: [String: TCKValue] = [:]
        if peek() == "{" { props = try map() }
        try expect("]")
        return .relationship(type: type, properties: props)
    }

    mutating func path() throws -> TCKValue {
        try expect("<")
        let start = try node()
        var steps: [TCKValue.Step] = []
        while true {
            space()
            if peek() == ">" { i += 1; return .path(start, steps) }
            var forward = true
            if peek() == "<" { forward = false; i += 1 }
            try expect("-")
            let rel = try relationship()
            try expect("-")
            if forward { try expect(">") }
            steps.append(TCKValue.Step(relationship: rel, forward: forward, node: try node()))
        }
    }
}
