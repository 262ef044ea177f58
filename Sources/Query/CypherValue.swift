import Foundation
import LexgraphCore

/// A value while a query runs and in its result: the property values of `Value` plus
/// graph elements. Nodes and relationships are held by id; their labels and
/// properties are read through `GraphAccess` when an expression needs them.
public enum CypherValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([CypherValue])
    case map([String: CypherValue])
    case node(Int64)
    case relationship(Int64)
    /// Alternating nodes and relationships: `nodes.count == relationships.count + 1`.
    case path(nodes: [Int64], relationships: [Int64])
    /// A date, time or datetime (see `CypherTemporal`).
    case temporal(CypherTemporal)

    public init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map(CypherValue.init))
        case .map(let m): self = .map(m.mapValues(CypherValue.init))
        }
    }

    /// The storable `Value`, or nil for graph elements (which cannot be properties).
    public var storable: Value? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .list(let l):
            var out: [Value] = []
            for item in l { guard let v = item.storable else { return nil }; out.append(v) }
            return .list(out)
        case .map(let m):
            var out: [String: Value] = [:]
            for (k, item) in m { guard let v = item.storable else { return nil }; out[k] = v }
            return .map(out)
        case .temporal(let t): return .string(t.text)
        case .node, .relationship, .path: return nil
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The type name used in error messages.
    public var typeName: String {
        switch self {
        case .null: return "Null"
        case .bool: return "Boolean"
        case .int: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .list: return "List"
        case .map: return "Map"
        case .node: return "Node"
        case .relationship: return "Relationship"
        case .path: return "Path"
        case .temporal(let t): return t.kind.rawValue
        }
    }

    // Hashable for grouping and DISTINCT: equivalence, where 1 and 1.0 are the same
    // group, and null equals null (openCypher's "equivalence", not "equality").
    public static func == (a: CypherValue, b: CypherValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.int(let x), .float(let y)), (.float(let y), .int(let x)): return Double(x) == y && Double(exactly: y).map { Int64(exactly: $0) == x } ?? false
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)): return x == y
        case (.node(let x), .node(let y)): return x == y
        case (.relationship(let x), .relationship(let y)): return x == y
        case (.path(let n1, let r1), .path(let n2, let r2)): return n1 == n2 && r1 == r2
        case (.temporal(let x), .temporal(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(Double(i))
        case .float(let d): hasher.combine(2); if d.isNaN { hasher.combine(UInt64.max) } else { hasher.combine(d) }
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .list(let l): hasher.combine(4); hasher.combine(l)
        case .map(let m): hasher.combine(5); hasher.combine(m)
        case .node(let id): hasher.combine(6); hasher.combine(id)
        case .relationship(let id): hasher.combine(7); hasher.combine(id)
        case .path(let n, let r): hasher.combine(8); hasher.combine(n); hasher.combine(r)
        case .temporal(let t): hasher.combine(9); hasher.combine(t)
        }
    }
}

// MARK: - Comparison semantics

/// openCypher's three comparison notions: equality (three-valued, `=`), comparability
/// (`<` and friends, null when the types do not compare) and orderability (ORDER BY's
/// total order across all types).
enum Compare {
    /// `a = b`: nil means null (unknown).
    static func equal(_ a: CypherValue, _ b: CypherValue) -> Bool? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int(let x), .float(let y)), (.float(let y), .int(let x)): return numericEqual(x, y)
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            var unknown = false
            for (p, q) in zip(x, y) {
                switch equal(p, q) {
                case .some(false): return false
                case nil: unknown = true
                default: break
                }
            }
            return unknown ? nil : true
        case (.map(let x), .map(let y)):
            guard Set(x.keys) == Set(y.keys) else { return false }
            var unknown = false
            for (k, p) in x {
                switch equal(p, y[k]!) {
                case .some(false): return false
                case nil: unknown = true
                default: break
                }
            }
            return unknown ? nil : true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.node(let x), .node(let y)): return x == y
        case (.relationship(let x), .relationship(let y)): return x == y
        case (.path, .path): return a == b
        case (.temporal(let x), .temporal(let y)): return x.kind == y.kind ? x.compare(y) == .orderedSame : false
        case (.temporal(let t), .string(let s)), (.string(let s), .temporal(let t)):
            return isoDate(s, comparableTo: t).map { t.compare($0) == .orderedSame } ?? false
        default: return false
        }
    }

    static func numericEqual(_ i: Int64, _ d: Double) -> Bool {
        guard d.isFinite, d == d.rounded(), abs(d) < 9.3e18, let j = Int64(exactly: d) else { return false }
        return i == j
    }

    /// Compares comparable values; nil when the pair is not comparable (result null).
    static func compare(_ a: CypherValue, _ b: CypherValue) -> ComparisonResult? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        case (.float(let x), .float(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        case (.int(let x), .float(let y)):
            if y.isNaN { return nil }
            return compareIntFloat(x, y)
        case (.float(let x), .int(let y)):
            if x.isNaN { return nil }
            return invert(compareIntFloat(y, x))
        case (.string(let x), .string(let y)): return compareStrings(x, y)
        case (.temporal(let x), .temporal(let y)): return x.compare(y)
        case (.temporal(let t), .string(let s)): return isoDate(s, comparableTo: t).flatMap { t.compare($0) }
        case (.string(let s), .temporal(let t)): return isoDate(s, comparableTo: t).flatMap { $0.compare(t) }
        case (.bool(let x), .bool(let y)): return x == y ? .orderedSame : (!x ? .orderedAscending : .orderedDescending)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) {
                guard let c = compare(p, q) else {
                    if p.isNull || q.isNull { return nil }
                    return nil
                }
                if c != .orderedSame { return c }
            }
            return x.count < y.count ? .orderedAscending : (x.count > y.count ? .orderedDescending : .orderedSame)
        default: return nil
        }
    }

    /// Lexgraph's one implicit conversion: the store keeps ontology dates as ISO text
    /// (`decision_date: '1966-06-13'`), so a `date` compares with a string holding an ISO
    /// date as that date (Kùzu casts string literals the same way). Any other string, or
    /// any other temporal kind, stays incomparable (null), as openCypher says.
    static func isoDate(_ s: String, comparableTo t: CypherTemporal) -> CypherTemporal? {
        guard t.kind == .date else { return nil }
        return try? CypherTemporal.parse(s, kind: .date)
    }

    static func invert(_ c: ComparisonResult) -> ComparisonResult {
        c == .orderedAscending ? .orderedDescending : (c == .orderedDescending ? .orderedAscending : .orderedSame)
    }

    static func compareIntFloat(_ i: Int64, _ d: Double) -> ComparisonResult {
        if d >= 9.3e18 { return .orderedAscending }
        if d <= -9.3e18 { return .orderedDescending }
        let di = Double(i)
        if di < d { return .orderedAscending }
        if di > d { return .orderedDescending }
        // Same double: decide exactly through the integer part.
        let t = Int64(d.rounded(.towardZero))
        if i != t { return i < t ? .orderedAscending : .orderedDescending }
        let frac = d - Double(t)
        return frac > 0 ? .orderedAscending : (frac < 0 ? .orderedDescending : .orderedSame)
    }

    /// By Unicode scalar values (what SQLite's BINARY collation does on UTF-8).
    static func compareStrings(_ x: String, _ y: String) -> ComparisonResult {
        var i = x.unicodeScalars.makeIterator(), j = y.unicodeScalars.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return .orderedSame
            case (nil, _): return .orderedAscending
            case (_, nil): return .orderedDescending
            case (let p?, let q?):
                if p.value != q.value { return p.value < q.value ? .orderedAscending : .orderedDescending }
            }
        }
    }

    /// ORDER BY's total order: map < node < relationship < list < path < datetime <
    /// localdatetime < date < time < localtime < string < boolean < number < null; NaN
    /// after all other numbers.
    static func order(_ a: CypherValue, _ b: CypherValue) -> ComparisonResult {
        let ra = rank(a), rb = rank(b)
        if ra != rb { return ra < rb ? .orderedAscending : .orderedDescending }
        switch (a, b) {
        case (.map(let x), .map(let y)):
            let kx = x.keys.sorted(), ky = y.keys.sorted()
            for (p, q) in zip(kx, ky) where p != q { return compareStrings(p, q) }
            if kx.count != ky.count { return kx.count < ky.count ? .orderedAscending : .orderedDescending }
            for k in kx {
                let c = order(x[k]!, y[k]!)
                if c != .orderedSame { return c }
            }
            return .orderedSame
        case (.node(let x), .node(let y)), (.relationship(let x), .relationship(let y)):
            return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        case (.temporal(let x), .temporal(let y)):
            return x.compare(y) ?? .orderedSame
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) {
                let c = order(p, q)
                if c != .orderedSame { return c }
            }
            return x.count < y.count ? .orderedAscending : (x.count > y.count ? .orderedDescending : .orderedSame)
        case (.path(let n1, let r1), .path(let n2, let r2)):
            let c = order(.list(n1.map { .node($0) }), .list(n2.map { .node($0) }))
            if c != .orderedSame { return c }
            return order(.list(r1.map { .relationship($0) }), .list(r2.map { .relationship($0) }))
        case (.float(let x), _) where x.isNaN:
            if case .float(let y) = b, y.isNaN { return .orderedSame }
            return .orderedDescending
        case (_, .float(let y)) where y.isNaN:
            return .orderedAscending
        default:
            return compare(a, b) ?? .orderedSame
        }
    }

    static func rank(_ v: CypherValue) -> Int {
        switch v {
        case .map: return 0
        case .node: return 1
        case .relationship: return 2
        case .list: return 3
        case .path: return 4
        case .temporal(let t):
            switch t.kind {
            case .dateTime: return 5
            case .localDateTime: return 6
            case .date: return 7
            case .time: return 8
            case .localTime: return 9
            }
        case .string: return 10
        case .bool: return 11
        case .int, .float: return 12
        case .null: return 13
        }
    }
}
