import Foundation
import GraphStore
import Query
import XCTest

/// The parser never traps: over thousands of seeded random token streams and
/// character strings it either parses or throws a `QueryError` with a position.
final class ParserFuzzTests: XCTestCase {
    /// A tiny deterministic generator (SplitMix64) so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    /// Small corpus of token kinds the generator draws from.
    static let tokens = ["MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "AS", "CREATE", "ORDER", "BY",
        "SKIP", "LIMIT", "DISTINCT", "AND", "OR", "NOT", "IN", "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END",
        "STARTS", "CONTAINS", "EXPLAIN", "OF", "count", "fts", "n", "m", "r", "p", "`x y`", "(", ")", "[", "]", "{", "}",
        ",", ".", "..", ":", "|", "-", "->", "<-", "+", "*", "/", "%", "^", "=", "<>", "<", ">=", "=~", "$p", "$",
        "1", "0x1F", "99999999999999999999", "1.5e3", "'str'", "\"s\\u00e9\"", "'unterminated", "//c\n", "/*", "\n", ";"]

    func check(_ text: String) {
        do {
            _ = try Parser.parse(text)
        } catch let e as QueryError {
            XCTAssertNotNil(e.location, "error without a position for \(text.debugDescription): \(e)")
        } catch {
            XCTFail("non-query error for \(text.debugDescription): \(error)")
        }
    }

    func testRandomTokenStreamsOnlyThrowPositionedErrors() {
        var random = Random(state: 20_261_129)
        for _ in 0..<3000 {
            let count = Int(random.next() % 24) + 1
            check((0..<count).map { _ in random.pick(Self.tokens) }.joined(separator: random.pick([" ", "", "\n"])))
        }
    }

    /// Random well-formed expressions of every type mix run through the whole engine:
    /// type errors, overflows and divisions by zero must be `QueryError`s, never traps.
    func testRandomExpressionsThroughTheEngineOnlyThrowQueryErrors() throws {
        let store = try GraphStore(inMemoryWith: .permissive)
        let engine = QueryEngine(store: store)
        _ = try engine.run("CREATE (:A {x: 1, s: 'a', l: [1, 2]})-[:R {w: 2.5}]->(:B {x: 9223372036854775807})", options: QueryOptions(write: true))
        var random = Random(state: 42)
        let atoms = ["1", "0", "-1", "2.5", "0.0", "'a'", "''", "null", "true", "[1, 'b', null]", "[]", "{a: 1}", "n", "n.x", "n.s",
                     "n.l", "r", "m.x", "$p", "9223372036854775807", "-9223372036854775808", "p"]
        let binary = ["+", "-", "*", "/", "%", "^", "=", "<>", "<", ">=", "AND", "OR", "XOR", "IN", "STARTS WITH", "CONTAINS", "=~"]
        let functions = ["size", "head", "last", "toInteger", "toFloat", "toString", "abs", "labels", "keys", "type", "length",
                         "nodes", "id", "properties", "reverse", "toUpper", "coalesce", "count", "collect", "sum", "min", "avg"]
        func expression(_ depth: Int) -> String {
            if depth == 0 || random.next() % 3 == 0 { return random.pick(atoms) }
            switch random.next() % 6 {
            case 0: return "(\(expression(depth - 1)) \(random.pick(binary)) \(expression(depth - 1)))"
            case 1: return "\(random.pick(functions))(\(expression(depth - 1)))"
            case 2: return "[\(expression(depth - 1)), \(expression(depth - 1))][\(expression(depth - 1))]"
            case 3: return "CASE WHEN \(expression(depth - 1)) THEN \(expression(depth - 1)) ELSE \(expression(depth - 1)) END"
            case 4: return "NOT \(expression(depth - 1))"
            default: return "\(expression(depth - 1)) IS NULL"
            }
        }
        for _ in 0..<1500 {
            let query = "MATCH p = (n:A)-[r]->(m) RETURN \(expression(3)) AS v ORDER BY v"
            do {
                _ = try engine.run(query, parameters: ["p": .list([.int(1), .null])])
            } catch is QueryError {
            } catch {
                XCTFail("non-query error for \(query): \(error)")
            }
        }
    }

    /// Well-typed random expressions must run, and give the value Swift computes for them
    /// (integer arithmetic with Cypher's truncating division and remainder, comparisons,
    /// three-valued-free boolean logic, CASE, list indexing, functions): a parser or
    /// engine that refused or mangled valid queries fails here, where the tests above
    /// would pass with every query throwing.
    func testWellTypedRandomExpressionsRunAndGiveTheirValue() throws {
        let engine = QueryEngine(store: try GraphStore(inMemoryWith: .permissive))
        var random = Random(state: 2_026_1206)
        func integer(_ depth: Int) -> (String, Int64) {
            if depth == 0 || random.next() % 4 == 0 {
                if random.next() % 3 == 0 { return ("x", 3) }
                let v = Int64(random.next() % 19) - 9
                return (v < 0 ? "(\(v))" : "\(v)", v)
            }
            let (a, va) = integer(depth - 1), (b, vb) = integer(depth - 1)
            switch random.next() % 10 {
            case 0: return ("(\(a) + \(b))", va + vb)
            case 1: return ("(\(a) - \(b))", va - vb)
            case 2: return ("(\(a) * \(b))", va * vb)
            case 3: let d = Int64(random.next() % 9) + 1; return ("(\(a) / \(d))", va / d)
            case 4: let d = Int64(random.next() % 9) + 1; return ("(\(a) % -\(d))", va % -d)
            case 5: let (c, vc) = boolean(depth - 1); return ("CASE WHEN \(c) THEN \(a) ELSE \(b) END", vc ? va : vb)
            case 6: let i = Int(random.next() % 3); return ("[\(a), \(b), \(a) - \(b)][\(i)]", [va, vb, va - vb][i])
            case 7: return ("abs(\(a))", abs(va))
            case 8: return ("toInteger(toString(\(a)))", va)
            default: return ("size([\(a), \(b)] + [y IN range(1, 3) WHERE y > 1 | y])", 4)
            }
        }
        func boolean(_ depth: Int) -> (String, Bool) {
            if depth <= 0 || random.next() % 3 == 0 {
                let (a, va) = integer(0), (b, vb) = integer(0)
                switch random.next() % 4 {
                case 0: return ("\(a) < \(b)", va < vb)
                case 1: return ("\(a) = \(b)", va == vb)
                case 2: return ("\(a) >= \(b)", va >= vb)
                default: return ("\(a) IN [\(b), 0]", va == vb || va == 0)
                }
            }
            let (a, va) = boolean(depth - 1), (b, vb) = boolean(depth - 1)
            switch random.next() % 4 {
            case 0: return ("(\(a) AND \(b))", va && vb)
            case 1: return ("(\(a) OR \(b))", va || vb)
            case 2: return ("(\(a) XOR \(b))", va != vb)
            default: return ("NOT (\(a))", !va)
            }
        }
        for _ in 0..<400 {
            let (e, value) = integer(4)
            let (c, truth) = boolean(3)
            let query = "UNWIND [3] AS x RETURN \(e) AS v, \(c) AS c"
            XCTAssertEqual(try engine.run(query).rows, [[.int(value), .bool(truth)]], query)
        }
    }

    func testRandomCharactersAndDeepNesting() {
        var random = Random(state: 7)
        let alphabet = Array("()[]{}<>-=:,.|*'\"`$\\ab1 \n\u{e9}")
        for _ in 0..<2000 {
            check(String((0..<Int(random.next() % 40)).map { _ in random.pick(alphabet) }))
        }
        check("RETURN " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000))
        check("RETURN " + String(repeating: "-", count: 5000) + "1")
        check("RETURN " + String(repeating: "[", count: 5000))
        check("RETURN " + String(repeating: "NOT ", count: 5000) + "true")
    }
}
