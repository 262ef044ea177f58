import Foundation
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
