import GraphAlgorithms
import Grounding
import LexgraphCore
import XCTest

/// The budget cut on hand-made facts: order kept, long facts skipped, costs added.
final class FactBudgetTests: XCTestCase {
    private func fact(_ text: String, _ score: Double) -> GraphFact {
        GraphFact(text: text, score: score, kind: .seed, path: [], anchor: FactAnchor(role: .issue, key: "scdb:issue:1"))
    }

    func testCharacterBudgetKeepsOrderAndSkipsWhatDoesNotFit() {
        let facts = [fact("aaaa", 0.9), fact("bbbbbbbbbb", 0.8), fact("cc", 0.7)]
        // "aaaa" (4) + " cc" (3) = 7 <= 8; "bbbbbbbbbb" would need 11 more.
        XCTAssertEqual(FactBudget.characters(8).select(facts).map(\.text), ["aaaa", "cc"])
        XCTAssertEqual(FactBudget.characters(3).select(facts).map(\.text), ["cc"])
        XCTAssertEqual(FactBudget.characters(0).select(facts), [])
    }

    func testTokenBudgetUsesTheCallersCount() {
        let facts = [fact("one two three", 0.9), fact("four", 0.8), fact("five six", 0.7)]
        let words: @Sendable (String) -> Int = { $0.split(separator: " ").count }
        XCTAssertEqual(FactBudget.tokens(4, count: words).select(facts).map(\.text), ["one two three", "four"])
        XCTAssertEqual(FactBudget.tokens(3, count: words).select(facts).map(\.text), ["one two three"])
    }

    func testDayBeforeCrossesMonthAndYearEnds() {
        XCTAssertEqual(LegalDate(year: 1961, month: 3, day: 1)?.dayBefore, LegalDate(year: 1961, month: 2, day: 28))
        XCTAssertEqual(LegalDate(year: 1960, month: 3, day: 1)?.dayBefore, LegalDate(year: 1960, month: 2, day: 29))
        XCTAssertEqual(LegalDate(year: 1961, month: 1, day: 1)?.dayBefore, LegalDate(year: 1960, month: 12, day: 31))
        XCTAssertEqual(LegalDate(year: 1961, month: 10, day: 15)?.dayBefore, LegalDate(year: 1961, month: 10, day: 14))
    }
}
