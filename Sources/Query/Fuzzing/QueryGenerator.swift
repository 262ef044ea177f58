import Foundation
import LexgraphCore

/// Random queries from a grammar of the language's constructs (the openCypher TCK's
/// MATCH patterns with labels, types and variable lengths, OPTIONAL MATCH, WHERE, WITH,
/// UNWIND, RETURN with aggregates, ORDER BY / SKIP / LIMIT, list comprehensions,
/// quantifiers, CASE, functions, parameters, AS OF), and mutations of them (truncation,
/// token swaps, drops and repeats, deep nesting, long operator chains). Deterministic:
/// query `n` of a seed is the same on every run and platform (`SplitMix64`).
///
/// Valid queries keep track of the variables in scope, so most of them bind; the
/// mutations exist to reach the error paths.
public struct QueryGenerator {
    /// The graph's names the generated patterns use.
    public struct Vocabulary: Sendable {
        public var labels: [String]
        public var types: [String]
        public var keys: [String]
        public init(labels: [String], types: [String], keys: [String]) {
            self.labels = labels.isEmpty ? ["A"] : labels
            self.types = types.isEmpty ? ["R"] : types
            self.keys = keys.isEmpty ? ["x"] : keys
        }
    }

    /// What kind of query `next()` made.
    public enum Shape: String, Sendable, CaseIterable {
        case valid, mutated, deep, chain
    }

    public let vocabulary: Vocabulary
    /// The parameters generated queries may use (`$p0`...); pass them to the engine.
    public let parameters: [String: CypherValue]
    var random: SplitMix64

    public init(seed: UInt64, vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        self.random = SplitMix64(seed: seed)
        parameters = ["p0": .int(2), "p1": .string("a"), "p2": .list([.int(1), .int(2), .null]), "p3": .map(["x": .int(1)]), "p4": .null]
    }

    /// The next query and its shape.
    public mutating func next() -> (text: String, shape: Shape) {
        let roll = random.below(100)
        if roll < 55 { return (validQuery(), .valid) }
        if roll < 88 { return (mutate(validQuery()), .mutated) }
        if roll < 95 { return (deepQuery(), .deep) }
        return (chainQuery(), .chain)
    }

    // MARK: Helpers

    mutating func pick<T>(_ items: [T]) -> T { items[random.below(items.count)] }
    mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

    /// Variables in scope and what they hold.
    struct Scope {
        var nodes: [String] = []
        var relationships: [String] = []
        var values: [String] = []
        var all: [String] { nodes + relationships + values }
    }

    var counter = 0
    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    // MARK: Valid queries

    public mutating func validQuery() -> String {
        counter = 0
        var scope = Scope()
        var clauses: [String] = []
        let reading = random.below(3) + 1
        for i in 0..<reading {
            switch random.below(i == 0 ? 6 : 9) {
            case 0, 1, 2, 3: clauses.append(match(&scope, optional: false))
            case 4: clauses.append(unwind(&scope))
            case 5: clauses.append(chance(50) ? match(&scope, optional: true) : with(&scope))
            case 6: clauses.append(match(&scope, optional: true))
            default: clauses.append(with(&scope))
            }
        }
        clauses.append(returnClause(scope))
        var text = clauses.joined(separator: pick([" ", "\n", "  "]))
        switch random.below(12) {
        case 0: text = "AS OF '\(date())' " + text
        case 1: text += " AS OF '\(date())'"
        case 2: text = "EXPLAIN " + text
        case 3: text = "PROFILE " + text
        default: break
        }
        if chance(5) { text += ";" }
        return text
    }

    mutating func date() -> String {
        pick(["1960-01-01", "1999-12-31", "2005-07-07", "2024-02-29", "1000-01-01"])
    }

    mutating func match(_ scope: inout Scope, optional: Bool) -> String {
        var parts: [String] = []
        for _ in 0..<(chance(20) ? 2 : 1) { parts.append(pattern(&scope)) }
        var text = (optional ? "OPTIONAL MATCH " : "MATCH ") + parts.joined(separator: ", ")
        if chance(60) { text += " WHERE " + predicate(scope, 2) }
        return text
    }

    mutating func pattern(_ scope: inout Scope) -> String {
        var text = ""
        let path = chance(10) ? fresh("p") : nil
        if let path { text += path + " = " }
        text += node(&scope)
        for _ in 0..<random.below(3) {
            text += relationship(&scope) + node(&scope)
        }
        if let path { scope.values.append(path) }
        return text
    }

    mutating func node(_ scope: inout Scope) -> String {
        var inside = ""
        if chance(25), !scope.nodes.isEmpty {
            inside = pick(scope.nodes)
        } else if chance(75) {
            let v = fresh("n")
            inside = v
            scope.nodes.append(v)
        }
        if chance(55) { inside += ":" + pick(vocabulary.labels) }
        if chance(20) { inside += " {\(pick(vocabulary.keys)): \(literal())}" }
        return "(" + inside + ")"
    }

    mutating func relationship(_ scope: inout Scope) -> String {
        var inside = ""
        var variableLength = false
        let named = chance(40)
        if chance(60) {
            inside += ":" + pick(vocabulary.types)
            if chance(20) { inside += "|" + pick(vocabulary.types) }
        }
        if chance(25) {
            variableLength = true
            inside += pick(["*", "*1..2", "*0..1", "*2", "*..3", "*1..", "*3..1"])
        }
        if named {
            let v = fresh("r")
            inside = v + inside
            if variableLength { scope.values.append(v) } else { scope.relationships.append(v) }
        }
        if chance(10) && !variableLength { inside += " {\(pick(vocabulary.keys)): \(literal())}" }
        let body = inside.isEmpty && chance(40) ? "" : "[" + inside + "]"
        switch random.below(3) {
        case 0: return "-" + body + "->"
        case 1: return "<-" + body + "-"
        default: return "-" + body + "-"
        }
    }

    mutating func unwind(_ scope: inout Scope) -> String {
        let v = fresh("u")
        let list = pick(["[1, 2, 3]", "range(1, 4)", "[null, 'a', 2.5]", "$p2", "[]", list(scope, 1), "[x IN range(1, 3) | x * 2]"])
        scope.values.append(v)
        return "UNWIND \(list) AS \(v)"
    }

    mutating func with(_ scope: inout Scope) -> String {
        var next = Scope()
        var items: [String] = []
        var distinct = false
        for v in scope.all where chance(70) {
            items.append(v)
            if scope.nodes.contains(v) { next.nodes.append(v) } else if scope.relationships.contains(v) { next.relationships.append(v) } else { next.values.append(v) }
        }
        if chance(50) || items.isEmpty {
            let alias = fresh("w")
            items.append(expression(scope, 2, aggregate: chance(30)) + " AS " + alias)
            next.values.append(alias)
        }
        if chance(10) { distinct = true }
        var text = "WITH " + (distinct ? "DISTINCT " : "") + items.joined(separator: ", ")
        if chance(20) { text += " ORDER BY " + pick(items.map { $0.components(separatedBy: " AS ").last! }) }
        if chance(15) { text += " LIMIT \(random.below(5))" }
        if chance(30) { text += " WHERE " + predicate(next, 2) }
        scope = next
        return text
    }

    mutating func returnClause(_ scope: Scope) -> String {
        var items: [String] = []
        var aliases: [String] = []
        let count = random.below(3) + 1
        let aggregating = chance(35)
        for i in 0..<count {
            let e: String
            if aggregating && i == count - 1 {
                e = aggregate(scope)
            } else if !scope.all.isEmpty && chance(40) {
                e = pick(scope.all)
            } else {
                e = expression(scope, 2, aggregate: false)
            }
            if chance(80) {
                items.append(e + " AS c\(i)")
                aliases.append("c\(i)")
            } else {
                items.append(e)
            }
        }
        if chance(5) && !scope.all.isEmpty { items = ["*"] + items }
        var text = "RETURN " + (chance(15) ? "DISTINCT " : "") + items.joined(separator: ", ")
        if chance(40), !aliases.isEmpty {
            var keys = aliases.filter { _ in chance(70) }
            if keys.isEmpty { keys = [aliases[0]] }
            text += " ORDER BY " + keys.map { $0 + pick(["", " DESC", " ASC"]) }.joined(separator: ", ")
        }
        if chance(15) { text += " SKIP \(pick(["1", "$p0", "0"]))" }
        if chance(25) { text += " LIMIT \(pick(["3", "$p0", "0", "10"]))" }
        return text
    }

    mutating func aggregate(_ scope: Scope) -> String {
        let arg = !scope.all.isEmpty && chance(50) ? pick(scope.all) : expression(scope, 1, aggregate: false)
        switch random.below(8) {
        case 0: return "count(*)"
        case 1: return "count(\(arg))"
        case 2: return "count(DISTINCT \(arg))"
        case 3: return "collect(\(arg))"
        case 4: return "sum(\(numeric(scope, 1)))"
        case 5: return "min(\(arg))"
        case 6: return "max(\(arg))"
        default: return "avg(\(numeric(scope, 1)))"
        }
    }

    // MARK: Expressions

    mutating func literal() -> String {
        pick(["1", "0", "-3", "2.5", "'a'", "'b c'", "''", "true", "false", "null", "9223372036854775807", "1e3", "0x1F",
              "$p0", "$p1", "[1, 2]", "{x: 1}"])
    }

    mutating func property(_ scope: Scope) -> String? {
        let elements = scope.nodes + scope.relationships
        guard !elements.isEmpty else { return nil }
        return pick(elements) + "." + pick(vocabulary.keys)
    }

    mutating func numeric(_ scope: Scope, _ depth: Int) -> String {
        if depth <= 0 || chance(40) {
            if chance(40), let p = property(scope) { return p }
            return pick(["1", "2", "-1", "0.5", "3", "$p0", "null"])
        }
        let a = numeric(scope, depth - 1), b = numeric(scope, depth - 1)
        switch random.below(6) {
        case 0: return "(\(a) + \(b))"
        case 1: return "(\(a) - \(b))"
        case 2: return "(\(a) * \(b))"
        case 3: return "(\(a) / \(b))"
        case 4: return "(\(a) % \(b))"
        default: return "abs(\(a))"
        }
    }

    mutating func list(_ scope: Scope, _ depth: Int) -> String {
        "[" + (0..<random.below(4)).map { _ in expression(scope, depth - 1, aggregate: false) }.joined(separator: ", ") + "]"
    }

    mutating func predicate(_ scope: Scope, _ depth: Int) -> String {
        if depth <= 0 || chance(30) {
            if let p = property(scope), chance(60) {
                switch random.below(6) {
                case 0: return "\(p) = \(literal())"
                case 1: return "\(p) > \(literal())"
                case 2: return "\(p) IS NULL"
                case 3: return "\(p) STARTS WITH 'a'"
                case 4: return "\(p) IN [1, 'a', null]"
                default: return "\(p) <> \(literal())"
                }
            }
            if !scope.nodes.isEmpty, chance(30) {
                let n = pick(scope.nodes)
                switch random.below(4) {
                case 0: return "\(n):\(pick(vocabulary.labels))"
                case 1: return "(\(n))-[:\(pick(vocabulary.types))]->()"
                case 2: return "fts(\(n), '\(pick(["a", "b*", "\"unbalanced", "x AND", "NEAR(a b)"]))') IS NOT NULL"
                default: return "id(\(n)) = \(random.below(5))"
                }
            }
            return pick(["true", "false", "null", "1 < 2", "$p0 = 2", "'a' =~ 'a.*'"])
        }
        let a = predicate(scope, depth - 1), b = predicate(scope, depth - 1)
        switch random.below(5) {
        case 0: return "(\(a) AND \(b))"
        case 1: return "(\(a) OR \(b))"
        case 2: return "(\(a) XOR \(b))"
        case 3: return "NOT (\(a))"
        default:
            let e = expression(scope, depth - 1, aggregate: false)
            return chance(30) ? "\(e) IS \(pick(["", "NOT "]))NULL" : "\(e) \(pick(["=", "<>", "<", ">="])) \(literal())"
        }
    }

    mutating func expression(_ scope: Scope, _ depth: Int, aggregate allowed: Bool) -> String {
        if allowed { return aggregate(scope) }
        if depth <= 0 || chance(25) {
            if !scope.all.isEmpty, chance(40) { return pick(scope.all) }
            if chance(30), let p = property(scope) { return p }
            return literal()
        }
        let d = depth - 1
        switch random.below(16) {
        case 0: return numeric(scope, depth)
        case 1: return predicate(scope, depth)
        case 2: return list(scope, depth)
        case 3: return "{k: \(expression(scope, d, aggregate: false)), m: \(literal())}"
        case 4: return "[x IN \(pick(["range(1, 5)", "[1, null, 'a']", "$p2"])) WHERE x \(pick(["> 1", "IS NOT NULL", "= 'a'"])) | \(pick(["x", "x * 2", "toString(x)"]))]"
        case 5: return "\(pick(["any", "all", "none", "single"]))(x IN \(pick(["[1, 2, 3]", "$p2", "range(0, 3)"])) WHERE x \(pick(["> 1", "IS NULL"])))"
        case 6: return "CASE WHEN \(predicate(scope, d)) THEN \(expression(scope, d, aggregate: false)) ELSE \(literal()) END"
        case 7: return "CASE \(expression(scope, d, aggregate: false)) WHEN \(literal()) THEN 'one' WHEN \(literal()) THEN 'two' END"
        case 8:
            let f = pick(["size", "head", "last", "toString", "toInteger", "toFloat", "abs", "reverse", "toUpper", "coalesce", "keys", "labels", "type", "id", "properties", "length", "nodes"])
            return "\(f)(\(expression(scope, d, aggregate: false)))"
        case 9: return "\(list(scope, depth))[\(pick(["0", "-1", "1..2", "..1", "$p0"]))]"
        case 10: return "substring('\(pick(["abcdef", "", "é"]))', \(random.below(4)), \(random.below(4)))"
        case 11: return "date('\(date())').\(pick(["year", "month", "day"]))"
        case 12: return "range(\(random.below(3)), \(random.below(6)), \(pick(["1", "2", "-1"])))"
        case 13: return "\(expression(scope, d, aggregate: false)) + \(expression(scope, d, aggregate: false))"
        case 14: return "split('a,b,c', ',')"
        default: return "\(pick(["toString", "toUpper"]))(\(literal())) + '\(pick(["x", ""]))'"
        }
    }

    // MARK: Mutations

    static let spareTokens = ["MATCH", "RETURN", "WITH", "WHERE", "(", ")", "[", "]", "{", "}", ",", ".", ":", "-", "->", "<-",
                              "*", "..", "|", "AS", "OF", "NOT", "AND", "+", "=", "'x'", "1", "$p9", "null", "count(*)",
                              "CASE", "END", "IN", "UNWIND", "ORDER BY", "LIMIT", "DISTINCT", "`q`", "0x", "1e999", ";"]

    /// A valid query broken in one or a few places, on token boundaries (or inside one).
    public mutating func mutate(_ query: String) -> String {
        guard let tokens = try? Lexer.tokenize(query) else { return query }
        let chars = Array(query)
        var pieces: [String] = tokens.dropLast().map { String(chars[$0.start..<$0.end]) }
        guard !pieces.isEmpty else { return query }
        for _ in 0..<(random.below(3) + 1) {
            let i = random.below(pieces.count)
            switch random.below(7) {
            case 0: pieces = Array(pieces.prefix(i))
            case 1: let j = random.below(pieces.count); pieces.swapAt(i, j)
            case 2: pieces.remove(at: i)
            case 3: pieces.insert(pieces[i], at: i)
            case 4: pieces.insert(pick(Self.spareTokens), at: i)
            case 5: pieces[i] = pick(Self.spareTokens)
            default:
                let text = pieces[i]
                pieces[i] = String(text.prefix(random.below(max(text.count, 1))))
            }
            if pieces.isEmpty { break }
        }
        return pieces.joined(separator: " ")
    }

    /// Brackets, NOT, unary minus, lists, maps, CASE and calls nested hundreds to
    /// thousands deep.
    public mutating func deepQuery() -> String {
        let n = pick([50, 200, 499, 500, 501, 1000, 5000, 20000])
        let (open, close): (String, String)
        switch random.below(9) {
        case 0: (open, close) = ("(", ")")
        case 1: (open, close) = ("[", "]")
        case 2: (open, close) = ("{a: ", "}")
        case 3: (open, close) = ("NOT ", "")
        case 4: (open, close) = ("- ", "")
        case 5: (open, close) = ("CASE WHEN true THEN ", " END")
        case 6: (open, close) = ("abs(", ")")
        case 7: (open, close) = ("[x IN [", "] | x]")
        default: (open, close) = ("size([", "])")
        }
        let inner = pick(["1", "true", "null", "n.x"])
        let body = String(repeating: open, count: n) + inner + String(repeating: close, count: n)
        return pick(["RETURN \(body) AS v", "MATCH (n) WHERE \(body) RETURN n", "UNWIND [\(body)] AS v RETURN v",
                     "MATCH (n {x: \(body)}) RETURN n", "RETURN \(String(repeating: open, count: n))"])
    }

    /// Operator chains of thousands of terms (`1 + 1 + ...`, `a AND a AND ...`), and
    /// patterns and property maps of many elements.
    public mutating func chainQuery() -> String {
        let n = pick([100, 499, 500, 501, 2000, 8000, 30000, 100_000])
        switch random.below(9) {
        case 0: return "RETURN " + Array(repeating: "1", count: n).joined(separator: pick([" + ", "+", " * ", " - "])) + " AS v"
        case 1: return "MATCH (n) WHERE " + Array(repeating: "n.x = 1", count: n).joined(separator: pick([" AND ", " OR ", " XOR "])) + " RETURN n"
        case 2: return "RETURN " + Array(repeating: "1", count: n).joined(separator: " < ") + " AS v"
        case 3: return "MATCH (n0)" + (1...min(n, pick([20, 60, 64, 65, 300]))).map { "-[:\(pick(vocabulary.types))]->(n\($0):\(pick(vocabulary.labels)))" }.joined() + " RETURN count(*)"
        case 4: return "MATCH (n {" + (0..<min(n, 40_000)).map { "k\($0): \($0)" }.joined(separator: ", ") + "}) RETURN n"
        case 5: return "RETURN [" + Array(repeating: "1", count: n).joined(separator: ", ") + "] AS v"
        case 6: return "MATCH " + (0..<min(n, pick([3, 60, 64, 65, 300]))).map { "(a\($0):\(pick(vocabulary.labels)))" }.joined(separator: ", ") + " RETURN count(*)"
        case 7: return "WITH 1 AS x " + String(repeating: "WITH [x] AS x ", count: min(n, 20_000)) + "RETURN size(x) AS v"
        default: return String(repeating: "WITH 1 AS x ", count: min(n, 20_000)) + "RETURN x"
        }
    }
}
