import Foundation
import GRDB
import GraphStore
import LexgraphCore

/// Scalar functions. Names are matched lower-case; every function returns null for a
/// null argument unless openCypher says otherwise (coalesce, size of null is null...).
enum Functions {
    static let aggregates: Set<String> = ["count", "sum", "avg", "min", "max", "collect", "stdev", "stdevp", "percentiledisc", "percentilecont"]
    static func isAggregate(_ name: String) -> Bool { aggregates.contains(name) }

    /// Names and arities (min, max) of the scalar functions, for the binder.
    static let scalars: [String: (Int, Int)] = [
        "id": (1, 1), "labels": (1, 1), "type": (1, 1), "properties": (1, 1), "keys": (1, 1),
        "length": (1, 1), "nodes": (1, 1), "relationships": (1, 1), "size": (1, 1), "head": (1, 1),
        "last": (1, 1), "tail": (1, 1), "coalesce": (1, 64), "tolower": (1, 1), "toupper": (1, 1),
        "tointeger": (1, 1), "tofloat": (1, 1), "tostring": (1, 1), "toboolean": (1, 1), "abs": (1, 1),
        "range": (2, 3), "startnode": (1, 1), "endnode": (1, 1), "exists": (1, 1), "date": (0, 1),
        "localtime": (0, 1), "time": (0, 1), "localdatetime": (0, 1), "datetime": (0, 1),
        "reverse": (1, 1), "substring": (2, 3), "trim": (1, 1), "ltrim": (1, 1), "rtrim": (1, 1),
        "replace": (3, 3), "split": (2, 2), "left": (2, 2), "right": (2, 2), "sign": (1, 1),
        "ceil": (1, 1), "floor": (1, 1), "round": (1, 1), "sqrt": (1, 1), "fts": (2, 2), "rand": (0, 0),
        "citator": (1, 2),
    ]

    static func call(_ name: String, _ argExprs: [Expr], _ e: Expr, _ row: Bindings, _ ev: Evaluator) throws -> CypherValue {
        if name == "coalesce" {
            for a in argExprs {
                let v = try ev.evaluate(a, row)
                if !v.isNull { return v }
            }
            return .null
        }
        let args = try argExprs.map { try ev.evaluate($0, row) }
        guard let arity = scalars[name] else {
            throw QueryError(.syntax, "UnknownFunction", "unknown function \(name)()", at: e.position, in: ev.source)
        }
        guard args.count >= arity.0, args.count <= arity.1 else {
            throw QueryError(.syntax, "InvalidNumberOfArguments", "\(name)() takes \(arity.0 == arity.1 ? "\(arity.0)" : "\(arity.0) to \(arity.1)") argument(s), got \(args.count)", at: e.position, in: ev.source)
        }
        func bad(_ v: CypherValue) -> QueryError { ev.typeError("\(name)() cannot take a \(v.typeName)", e) }
        if let kind = temporalConstructors[name] { return try temporal(kind, args.first, e, ev) }
        if name == "fts" { return try fullText(args, e, ev) }
        if name == "citator" { return try citator(args, e, ev) }
        if name == "rand" { return .float(Double.random(in: 0..<1)) }
        if name != "range", args.contains(where: \.isNull) { return .null }
        let a = args[0]
        switch name {
        case "id":
            switch a { case .node(let i), .relationship(let i): return .int(i); default: throw bad(a) }
        case "labels":
            guard case .node(let i) = a else { throw bad(a) }
            return .list(try ev.graph.node(i).labels.map(CypherValue.string))
        case "type":
            guard case .relationship(let i) = a else { throw bad(a) }
            return .string(try ev.graph.relationship(i).type)
        case "properties":
            switch a {
            case .node(let i): return .map(try ev.graph.node(i).properties)
            case .relationship(let i): return .map(try ev.graph.relationship(i).properties)
            case .map: return a
            default: throw bad(a)
            }
        case "keys":
            switch a {
            case .node(let i): return .list(try ev.graph.node(i).properties.keys.sorted().map(CypherValue.string))
            case .relationship(let i): return .list(try ev.graph.relationship(i).properties.keys.sorted().map(CypherValue.string))
            case .map(let m): return .list(m.keys.sorted().map(CypherValue.string))
            default: throw bad(a)
            }
        case "exists":
            return .bool(!a.isNull)
        case "length":
            switch a {
            case .path(_, let r): return .int(Int64(r.count))
            case .list(let l): return .int(Int64(l.count))
            case .string(let s): return .int(Int64(s.count))
            default: throw bad(a)
            }
        case "nodes":
            guard case .path(let n, _) = a else { throw bad(a) }
            return .list(n.map(CypherValue.node))
        case "relationships":
            guard case .path(_, let r) = a else { throw bad(a) }
            return .list(r.map(CypherValue.relationship))
        case "startnode", "endnode":
            guard case .relationship(let i) = a else { throw bad(a) }
            let rel = try ev.graph.relationship(i)
            return .node(name == "startnode" ? rel.start : rel.end)
        case "size":
            switch a {
            case .list(let l): return .int(Int64(l.count))
            case .string(let s): return .int(Int64(s.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw bad(a)
            }
        case "head", "last", "tail":
            guard case .list(let l) = a else { throw bad(a) }
            if name == "tail" {
                try ev.reserve(MemoryBudget.listBytes(count: l.count), for: e)
                return .list(Array(l.dropFirst()))
            }
            return (name == "head" ? l.first : l.last) ?? .null
        case "reverse":
            switch a {
            case .list(let l):
                try ev.reserve(MemoryBudget.listBytes(count: l.count), for: e)
                return .list(l.reversed())
            case .string(let s):
                try ev.reserve(MemoryBudget.stringBytes(utf8Count: s.utf8.count), for: e)
                return .string(String(s.reversed()))
            default: throw bad(a)
            }
        case "tolower", "toupper", "trim", "ltrim", "rtrim":
            guard case .string(let s) = a else { throw bad(a) }
            // A changed case may take a few more bytes (ß → SS); twice is a safe bound.
            try ev.reserve(MemoryBudget.stringBytes(utf8Count: 2 * s.utf8.count), for: e)
            switch name {
            case "tolower": return .string(s.lowercased())
            case "toupper": return .string(s.uppercased())
            case "trim": return .string(s.trimmingCharacters(in: .whitespaces))
            case "ltrim": return .string(String(s.drop(while: { $0 == " " || $0 == "\t" })))
            default: return .string(String(s.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()))
            }
        case "tostring":
            switch a {
            case .string, .int, .float, .bool: return .string(toStringValue(a))
            case .temporal(let t): return .string(t.text)
            default: throw bad(a)
            }
        case "tointeger":
            switch a {
            case .int: return a
            case .float(let d):
                guard d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) else { return .null }
                return .int(i)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int64(t) { return .int(i) }
                if let d = Double(t), d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) { return .int(i) }
                return .null
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw bad(a)
            }
        case "tofloat":
            switch a {
            case .int(let i): return .float(Double(i))
            case .float: return a
            case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map(CypherValue.float) ?? .null
            default: throw bad(a)
            }
        case "toboolean":
            switch a {
            case .bool: return a
            case .string(let s):
                switch s.lowercased().trimmingCharacters(in: .whitespaces) {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: return .null
                }
            case .int(let i): return .bool(i != 0)
            default: throw bad(a)
            }
        case "abs", "sign", "ceil", "floor", "round", "sqrt":
            switch a {
            case .int(let i):
                switch name {
                case "abs":
                    guard i != Int64.min else { throw ev.argumentError("integer overflow in abs(\(i))", e, code: "IntegerOverflow") }
                    return .int(Swift.abs(i))
                case "sign": return .int(i.signum())
                case "sqrt": return .float(Double(i).squareRoot())
                default: return .float(Double(i))
                }
            case .float(let d):
                switch name {
                case "abs": return .float(Swift.abs(d))
                case "sign": return .int(d > 0 ? 1 : (d < 0 ? -1 : 0))
                case "ceil": return .float(d.rounded(.up))
                case "floor": return .float(d.rounded(.down))
                case "round": return .float(d.rounded(.toNearestOrAwayFromZero))
                default: return .float(d.squareRoot())
                }
            default: throw bad(a)
            }
        case "range":
            return try range(args, e, ev)
        case "substring", "left", "right":
            guard case .string(let s) = a else { throw bad(a) }
            guard case .int(let p) = args[1], p >= 0 else { throw ev.argumentError("\(name)() needs a non-negative integer", e) }
            // Character offsets walked in place: a copy as [Character] took 16 bytes a character.
            func index(_ offset: Int, from i: String.Index) -> String.Index {
                s.index(i, offsetBy: offset, limitedBy: s.endIndex) ?? s.endIndex
            }
            switch name {
            case "left": return .string(String(s[..<index(Int(clamping: p), from: s.startIndex)]))
            case "right":
                let count = s.count
                return .string(String(s[index(max(0, count - Int(clamping: p)), from: s.startIndex)...]))
            default:
                let start = index(Int(clamping: p), from: s.startIndex)
                var end = s.endIndex
                if args.count == 3 {
                    guard case .int(let l) = args[2], l >= 0 else { throw ev.argumentError("substring() length must be a non-negative integer", e) }
                    end = index(Int(clamping: l), from: start)
                }
                return .string(String(s[start..<end]))
            }
        case "replace":
            guard case .string(let s) = a, case .string(let f) = args[1], case .string(let t) = args[2] else { throw bad(a) }
            if f.isEmpty { return a }
            // Bounded before it is built: at most one replacement per length of `f`.
            let n = s.utf8.count, grows = max(0, t.utf8.count - f.utf8.count)
            let bound = n.addingReportingOverflow((n / f.utf8.count).multipliedReportingOverflow(by: grows).partialValue)
            try ev.reserve(bound.overflow ? Int.max / 2 : MemoryBudget.stringBytes(utf8Count: bound.partialValue), for: e)
            return .string(s.replacingOccurrences(of: f, with: t))
        case "split":
            guard case .string(let s) = a, case .string(let d) = args[1] else { throw bad(a) }
            // The pieces hold the bytes of `s` at most; the list is counted once its length
            // is known (a list of one value per character is known up front).
            if d.isEmpty {
                try ev.reserve(MemoryBudget.listBytes(count: s.count), for: e)
                return .list(s.map { .string(String($0)) })
            }
            let pieces = s.components(separatedBy: d)
            try ev.reserve(MemoryBudget.listBytes(count: pieces.count) + MemoryBudget.stringBytes(utf8Count: s.utf8.count), for: e)
            return .list(pieces.map(CypherValue.string))
        default:
            throw QueryError(.syntax, "UnknownFunction", "unknown function \(name)()", at: e.position, in: ev.source)
        }
    }

    /// `range(lo, hi[, step])`: its length is known before the list is built, so the
    /// memory budget refuses an oversized one without allocating it. Counted in unsigned
    /// arithmetic: `hi - lo` of two Int64 can overflow, and `-step` of Int64.min does.
    static func range(_ args: [CypherValue], _ e: Expr, _ ev: Evaluator) throws -> CypherValue {
        func bad(_ v: CypherValue) -> QueryError { ev.typeError("range() cannot take a \(v.typeName)", e) }
        guard case .int(let lo) = args[0] else { throw bad(args[0]) }
        guard case .int(let hi) = args[1] else { throw bad(args[1]) }
        var step: Int64 = 1
        if args.count == 3 {
            guard case .int(let s) = args[2] else { throw bad(args[2]) }
            guard s != 0 else { throw ev.argumentError("range() step must not be zero", e, code: "NumberOutOfRange") }
            step = s
        }
        let empty = step > 0 ? hi < lo : lo < hi
        if empty { return .list([]) }
        // The distance fits in UInt64; the wrapping difference is it.
        let distance = step > 0 ? UInt64(bitPattern: hi &- lo) : UInt64(bitPattern: lo &- hi)
        let (count, countOverflow) = (distance / step.magnitude).addingReportingOverflow(1)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: UInt64(MemoryBudget.valueStride))
        let asked = countOverflow || overflow || bytes > UInt64(Int.max / 2) ? Int.max / 2 : MemoryBudget.bufferHeader + Int(bytes)
        try ev.reserve(asked, for: e)
        var out: [CypherValue] = []
        out.reserveCapacity(Int(count))
        var value = lo
        for _ in 0..<count {
            try ev.deadline.step()
            out.append(.int(value))
            value = value &+ step  // wraps only past the last element
        }
        return .list(out)
    }

    /// `fts(n, 'terms')`: the node's full-text relevance for the FTS5 query `terms`
    /// (SQLite's BM25, negated so that higher is better; the same formula on PostgreSQL),
    /// or null when it does not match.
    static func fullText(_ args: [CypherValue], _ e: Expr, _ ev: Evaluator) throws -> CypherValue {
        if args[0].isNull || args[1].isNull { return .null }
        guard case .node(let id) = args[0] else { throw ev.typeError("fts() needs a node first, got \(args[0].typeName)", e) }
        guard case .string(let terms) = args[1] else { throw ev.typeError("fts() needs search terms (a string), got \(args[1].typeName)", e) }
        do {
            let score = try ev.graph.fullTextScore(terms: terms, nodeID: id)
            return score.map(CypherValue.float) ?? .null
        } catch let error as DatabaseError {
            throw ev.argumentError("fts(): invalid search terms '\(terms)': \(error.message ?? "")", e, code: "InvalidFullTextQuery")
        }
    }

    static let temporalConstructors: [String: CypherTemporal.Kind] = [
        "date": .date, "localtime": .localTime, "time": .time, "localdatetime": .localDateTime, "datetime": .dateTime,
    ]

    /// `date('2015-07-21')`, `date({year: 2015, month: 7, day: 21})`, `datetime(d)` of
    /// another temporal (its fields carried over where the kinds share them). No argument
    /// (the current time) is refused: a query's answer should not depend on when it runs.
    static func temporal(_ kind: CypherTemporal.Kind, _ argument: CypherValue?, _ e: Expr, _ ev: Evaluator) throws -> CypherValue {
        let name = kind.rawValue.lowercased()
        guard let argument else {
            throw QueryError(.unsupported, "UnsupportedFunction", "\(name)() without an argument (the current time) is not supported: pass an ISO string or a map", at: e.position, in: ev.source)
        }
        do {
            switch argument {
            case .null: return .null
            case .string(let s): return .temporal(try CypherTemporal.parse(s, kind: kind))
            case .map(let m): return .temporal(try CypherTemporal.from(map: m, kind: kind))
            case .temporal(let t):
                guard (!kind.hasDate || t.kind.hasDate), (!kind.hasTime || t.kind.hasTime) else {
                    throw TemporalError(message: "a \(t.kind.rawValue) has no \(kind.hasDate && !t.kind.hasDate ? "date" : "time") to make a \(kind.rawValue) from")
                }
                return .temporal(CypherTemporal(kind: kind, day: t.day, nanosecond: t.nanosecond, offsetSeconds: t.offsetSeconds))
            default:
                throw ev.typeError("\(name)() takes a String or a Map, got \(argument.typeName)", e)
            }
        } catch let error as TemporalError {
            throw ev.argumentError(error.message, e)
        }
    }

    /// toString()'s text for a scalar.
    static func toStringValue(_ v: CypherValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return formatFloat(d)
        case .bool(let b): return b ? "true" : "false"
        default: return ResultFormatter.tckLiteral(v, graph: nil)
        }
    }

    static func formatFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), Swift.abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }
}
