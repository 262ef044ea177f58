import Foundation
import LexgraphCore
import Ontology

/// One row of bindings flowing between clauses.
typealias Bindings = [String: CypherValue]

/// Evaluates expressions over a row in Swift, with openCypher's null propagation and
/// three-valued logic. This is the half of the split that SQL cannot do exactly
/// (lists, maps, mixed-type comparisons, integer/float distinctions).
///
/// Loops over list items are steps towards the query's deadline, and the lists and
/// strings an expression builds are asked of its memory budget, before they are built
/// where their size is known up front.
struct Evaluator {
    let parameters: [String: CypherValue]
    let graph: GraphAccess
    let source: String
    /// What `citator()` needs: the active ontology and the query's AS OF date.
    let ontology: Ontology
    let asOf: LegalDate?
    let deadline: QueryDeadline
    let memory: MemoryBudget
    /// Runs a pattern predicate against the row (answers whether it has a match).
    var patternExists: ((PatternPart, Bindings) throws -> Bool)?
    /// Values of aggregate calls, keyed by the call's position, while projecting a group.
    var aggregates: [SourcePosition: CypherValue] = [:]

    func typeError(_ message: String, _ e: Expr, code: String = "InvalidArgumentType") -> QueryError {
        QueryError(.type, code, message, at: e.position, in: source)
    }

    func argumentError(_ message: String, _ e: Expr, code: String = "InvalidArgumentValue") -> QueryError {
        QueryError(.argument, code, message, at: e.position, in: source)
    }

    /// Asks the memory budget for `bytes` that `e` is about to build; a refusal points at `e`.
    func reserve(_ bytes: Int, for e: Expr) throws {
        do {
            try memory.reserve(bytes)
        } catch let error as QueryError {
            throw error.placed(at: e.position, in: source)
        }
    }

    func evaluate(_ e: Expr, _ row: Bindings) throws -> CypherValue {
        switch e.kind {
        case .literal(let v): return v
        case .parameter(let name):
            guard let v = parameters[name] else {
                throw QueryError(.parameterMissing, "ParameterMissing", "missing parameter $\(name)", at: e.position, in: source)
            }
            return v
        case .variable(let name):
            guard let v = row[name] else {
                throw QueryError(.syntax, "UndefinedVariable", "variable '\(name)' is not defined", at: e.position, in: source)
            }
            return v
        case .property(let base, let key):
            return try property(of: try evaluate(base, row), key, e)
        case .index(let base, let index):
            return try subscriptValue(try evaluate(base, row), try evaluate(index, row), e)
        case .slice(let base, let lo, let hi):
            let v = try evaluate(base, row)
            let l = try lo.map { try evaluate($0, row) }, h = try hi.map { try evaluate($0, row) }
            if v.isNull || l?.isNull == true || h?.isNull == true { return .null }
            guard case .list(let items) = v else { throw typeError("cannot slice a \(v.typeName)", e) }
            func bound(_ b: CypherValue?, _ dflt: Int) throws -> Int {
                guard let b else { return dflt }
                guard case .int(let i) = b else { throw typeError("list slice bounds must be integers", e) }
                let n = items.count
                let k = i < 0 ? n + Int(clamping: i) : Int(clamping: i)
                return min(max(k, 0), n)
            }
            let from = try bound(l, 0), to = try bound(h, items.count)
            guard from < to else { return .list([]) }
            try reserve(MemoryBudget.listBytes(count: to - from), for: e)
            return .list(Array(items[from..<to]))
        case .list(let items):
            try reserve(MemoryBudget.listBytes(count: items.count), for: e)
            return .list(try items.map { try evaluate($0, row) })
        case .map(let entries):
            try reserve(MemoryBudget.dictionaryBytes(count: entries.count), for: e)
            var m: [String: CypherValue] = [:]
            for (k, v) in entries { m[k] = try evaluate(v, row) }
            return .map(m)
        case .unary(let op, let operand):
            let v = try evaluate(operand, row)
            switch op {
            case .not:
                switch v {
                case .null: return .null
                case .bool(let b): return .bool(!b)
                default: throw typeError("NOT needs a boolean, got \(v.typeName)", e)
                }
            case .minus:
                switch v {
                case .null: return .null
                case .int(let i):
                    let (r, o) = Int64(0).subtractingReportingOverflow(i)
                    if o { throw argumentError("integer overflow negating \(i)", e, code: "IntegerOverflow") }
                    return .int(r)
                case .float(let d): return .float(-d)
                default: throw typeError("cannot negate a \(v.typeName)", e)
                }
            case .plus:
                switch v {
                case .null, .int, .float: return v
                default: throw typeError("unary + needs a number, got \(v.typeName)", e)
                }
            }
        case .binary(let op, let l, let r):
            return try binary(op, l, r, row, e)
        case .isNull(let operand, let negated):
            let isNull = try evaluate(operand, row).isNull
            return .bool(negated ? !isNull : isNull)
        case .hasLabels(let operand, let labels):
            let v = try evaluate(operand, row)
            switch v {
            case .null: return .null
            case .node(let id):
                let have = Set(try graph.node(id).labels)
                return .bool(labels.allSatisfy(have.contains))
            default: throw typeError("label predicate on a \(v.typeName)", e)
            }
        case .call(let name, let distinct, let args):
            if Functions.isAggregate(name) {
                guard let v = aggregates[e.position] else {
                    throw QueryError(.syntax, "InvalidAggregation", "aggregate \(name)() is not allowed here", at: e.position, in: source)
                }
                _ = distinct
                return v
            }
            return try Functions.call(name, args, e, row, self)
        case .countStar:
            guard let v = aggregates[e.position] else {
                throw QueryError(.syntax, "InvalidAggregation", "count(*) is not allowed here", at: e.position, in: source)
            }
            return v
        case .caseWhen(let subject, let branches, let otherwise):
            if let subject {
                let s = try evaluate(subject, row)
                for (w, t) in branches where Compare.equal(s, try evaluate(w, row)) == true { return try evaluate(t, row) }
            } else {
                for (w, t) in branches where try evaluate(w, row) == .bool(true) { return try evaluate(t, row) }
            }
            return try otherwise.map { try evaluate($0, row) } ?? .null
        case .listComprehension(let v, let listExpr, let filter, let map):
            let list = try evaluate(listExpr, row)
            if list.isNull { return .null }
            guard case .list(let items) = list else { throw typeError("list comprehension over a \(list.typeName)", e) }
            var out: [CypherValue] = []
            var inner = row
            try reserve(MemoryBudget.bufferHeader, for: e)
            for item in items {
                try deadline.step()
                inner[v] = item
                if let filter, try memory.keeping({ try evaluate(filter, inner) }) != .bool(true) { continue }
                try reserve(MemoryBudget.valueStride, for: e)
                out.append(try map.map { e in try memory.keeping { try evaluate(e, inner) } } ?? item)
            }
            return .list(out)
        case .quantifier(let kind, let v, let listExpr, let pred):
            let list = try evaluate(listExpr, row)
            if list.isNull { return .null }
            guard case .list(let items) = list else { throw typeError("\(kind)() over a \(list.typeName)", e) }
            var trues = 0, nulls = 0
            var inner = row
            for item in items {
                try deadline.step()
                inner[v] = item
                let r = try pred.map { e in try memory.keeping { try evaluate(e, inner) } } ?? .bool(true)
                if r == .bool(true) { trues += 1 } else if r.isNull { nulls += 1 }
            }
            let falses = items.count - trues - nulls
            switch kind {
            case "any": return trues > 0 ? .bool(true) : (nulls > 0 ? .null : .bool(false))
            case "all": return falses > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
            case "none": return trues > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
            default: return trues > 1 ? .bool(false) : (nulls > 0 ? .null : .bool(trues == 1))
            }
        case .pattern(let part):
            guard let patternExists else {
                throw QueryError(.unsupported, "UnsupportedPattern", "pattern predicates are not allowed here", at: e.position, in: source)
            }
            return .bool(try patternExists(part, row))
        }
    }

    /// WHERE semantics: only `true` keeps a row.
    func isTrue(_ e: Expr, _ row: Bindings) throws -> Bool {
        let v = try evaluate(e, row)
        switch v {
        case .bool(let b): return b
        case .null: return false
        default: throw typeError("WHERE needs a boolean, got \(v.typeName)", e)
        }
    }

    func property(of v: CypherValue, _ key: String, _ e: Expr) throws -> CypherValue {
        switch v {
        case .null: return .null
        case .node(let id): return try graph.node(id).properties[key] ?? .null
        case .relationship(let id): return try graph.relationship(id).properties[key] ?? .null
        case .map(let m): return m[key] ?? .null
        case .temporal(let t):
            guard let part = t.component(key) else { throw typeError("a \(t.kind.rawValue) has no component '\(key)'", e) }
            return part
        case .string(let s) where ["year", "month", "day"].contains(key):
            // Dates are ISO strings; `.year`, `.month`, `.day` read their parts.
            guard let d = LegalDate(iso: s) else { throw typeError("cannot read .\(key) of a String", e) }
            let parts = d.iso.split(separator: "-").compactMap { Int64($0) }
            return .int(parts[["year", "month", "day"].firstIndex(of: key)!])
        default: throw typeError("cannot read property '\(key)' of a \(v.typeName)", e)
        }
    }

    func subscriptValue(_ v: CypherValue, _ i: CypherValue, _ e: Expr) throws -> CypherValue {
        if v.isNull || i.isNull { return .null }
        switch (v, i) {
        case (.list(let items), .int(let k)):
            let n = Int64(items.count)
            let idx = k < 0 ? n + k : k
            return idx >= 0 && idx < n ? items[Int(idx)] : .null
        case (.list, _): throw typeError("list index must be an integer, got \(i.typeName)", e)
        case (.map, .string(let k)), (.node, .string(let k)), (.relationship, .string(let k)):
            return try property(of: v, k, e)
        case (.map, _), (.node, _), (.relationship, _):
            throw typeError("map key must be a string, got \(i.typeName)", e, code: "MapElementAccessByNonString")
        default: throw typeError("cannot index into a \(v.typeName)", e)
        }
    }

    func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ row: Bindings, _ e: Expr) throws -> CypherValue {
        switch op {
        case .and, .or, .xor:
            let a = try logical(try evaluate(l, row), l)
            if op == .and, a == false { return .bool(false) }
            if op == .or, a == true { return .bool(true) }
            let b = try logical(try evaluate(r, row), r)
            switch op {
            case .and:
                if b == false { return .bool(false) }
                return a == nil || b == nil ? .null : .bool(true)
            case .or:
                if b == true { return .bool(true) }
                return a == nil || b == nil ? .null : .bool(false)
            default:
                guard let a, let b else { return .null }
                return .bool(a != b)
            }
        default: break
        }
        let a = try evaluate(l, row), b = try evaluate(r, row)
        switch op {
        case .eq: return Compare.equal(a, b).map(CypherValue.bool) ?? .null
        case .ne: return Compare.equal(a, b).map { .bool(!$0) } ?? .null
        case .lt, .le, .gt, .ge:
            if a.isNull || b.isNull { return .null }
            guard let c = Compare.compare(a, b) else { return .null }
            switch op {
            case .lt: return .bool(c == .orderedAscending)
            case .le: return .bool(c != .orderedDescending)
            case .gt: return .bool(c == .orderedDescending)
            default: return .bool(c != .orderedAscending)
            }
        case .in:
            if b.isNull { return .null }
            guard case .list(let items) = b else { throw typeError("IN needs a list on the right, got \(b.typeName)", r) }
            var unknown = false
            for item in items {
                try deadline.step()
                switch Compare.equal(a, item) {
                case .some(true): return .bool(true)
                case nil: unknown = true
                default: break
                }
            }
            return unknown ? .null : .bool(false)
        case .startsWith, .endsWith, .contains:
            guard case .string(let s) = a, case .string(let t) = b else { return .null }
            switch op {
            case .startsWith: return .bool(s.unicodeScalars.starts(with: t.unicodeScalars))
            case .endsWith: return .bool(s.unicodeScalars.reversed().starts(with: t.unicodeScalars.reversed()))
            default: return .bool(t.isEmpty || s.range(of: t, options: .literal) != nil)
            }
        case .regex:
            guard case .string(let s) = a, case .string(let pattern) = b else { return .null }
            guard let re = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [.dotMatchesLineSeparators]) else {
                throw argumentError("invalid regular expression '\(pattern)'", r, code: "InvalidRegex")
            }
            let range = NSRange(s.startIndex..<s.endIndex, in: s)
            return .bool(re.firstMatch(in: s, options: [], range: range) != nil)
        default:
            return try Arithmetic.apply(op, a, b, e, self)
        }
    }

    func logical(_ v: CypherValue, _ e: Expr) throws -> Bool? {
        switch v {
        case .null: return nil
        case .bool(let b): return b
        default: throw typeError("a boolean operator needs booleans, got \(v.typeName)", e)
        }
    }
}

/// `+ - * / % ^` with openCypher's integer/float rules: integer arithmetic stays
/// integer (overflow is an error), anything with a float is float.
enum Arithmetic {
    static func apply(_ op: BinaryOp, _ a: CypherValue, _ b: CypherValue, _ e: Expr, _ ev: Evaluator) throws -> CypherValue {
        if a.isNull || b.isNull { return .null }
        if op == .add {
            // Concatenation: the result's size is asked of the budget before it is built.
            switch (a, b) {
            case (.string(let x), .string(let y)):
                try ev.reserve(MemoryBudget.stringBytes(utf8Count: x.utf8.count + y.utf8.count), for: e)
                return .string(x + y)
            case (.string(let x), .int), (.string(let x), .float):
                try ev.reserve(MemoryBudget.stringBytes(utf8Count: x.utf8.count + 32), for: e)
                return .string(x + Functions.toStringValue(b))
            case (.int, .string(let y)), (.float, .string(let y)):
                try ev.reserve(MemoryBudget.stringBytes(utf8Count: y.utf8.count + 32), for: e)
                return .string(Functions.toStringValue(a) + y)
            case (.list(let x), .list(let y)):
                try ev.reserve(MemoryBudget.listBytes(count: x.count + y.count), for: e)
                return .list(x + y)
            case (.list(let x), _):
                try ev.reserve(MemoryBudget.listBytes(count: x.count + 1), for: e)
                return .list(x + [b])
            case (_, .list(let y)):
                try ev.reserve(MemoryBudget.listBytes(count: y.count + 1), for: e)
                return .list([a] + y)
            default: break
            }
        }
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let result: (Int64, Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .sub: result = x.subtractingReportingOverflow(y)
            case .mul: result = x.multipliedReportingOverflow(by: y)
            case .div:
                if y == 0 { throw ev.argumentError("division by zero", e, code: "DivisionByZero") }
                result = x.dividedReportingOverflow(by: y)
            case .mod:
                if y == 0 { throw ev.argumentError("modulo by zero", e, code: "DivisionByZero") }
                result = x.remainderReportingOverflow(dividingBy: y)
            case .pow: return .float(pow(Double(x), Double(y)))
            default: result = (0, true)
            }
            if result.1 { throw ev.argumentError("integer overflow in \(x) \(op.rawValue) \(y)", e, code: "IntegerOverflow") }
            return .int(result.0)
        case (.int, .float), (.float, .int), (.float, .float):
            let x = a.doubleValue!, y = b.doubleValue!
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            case .div: return .float(x / y)
            case .mod: return .float(fmod(x, y))
            case .pow: return .float(pow(x, y))
            default: break
            }
        default: break
        }
        throw ev.typeError("cannot apply \(op.rawValue) to \(a.typeName) and \(b.typeName)", e)
    }
}

extension CypherValue {
    var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
}
