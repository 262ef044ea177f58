import Grounding
import Prediction
import Tokenizers
import XCTest

/// Token layouts of the three fusion modes on the real MiniLM tokenizer with hand-made
/// graph facts: exact tokens, token types, positions and the K-BERT visibility matrix.
final class CaseTextEncoderTests: XCTestCase {
    static let facts = "The United States sought review of a search and seizure ruling."
    static let context = [
        GraphFact(text: "Issue: search and seizure.", score: 1, kind: .seed, path: [], anchor: FactAnchor(role: .issue, key: "scdb:issue:100")),
        GraphFact(text: "Petitioner: United States.", score: 0.99, kind: .seed, path: [], anchor: FactAnchor(role: .petitioner, key: "scdb:party:27")),
        GraphFact(text: "Natural court: Rehnquist 7.", score: 0.98, kind: .seed, path: [], anchor: FactAnchor(role: .naturalCourt, key: "scdb:naturalCourt:1705")),
    ]
    static let names = ["scdb:issue:100": "search and seizure", "scdb:party:27": "United States", "scdb:naturalCourt:1705": "Rehnquist 7"]
    static let text = ["the", "united", "states", "sought", "review", "of", "a", "search", "and", "seizure", "ruling", "."]

    func encoder(_ mode: FusionMode, maxLength: Int = 256, contextTokens: Int = 96) throws -> CaseTextEncoder {
        try CaseTextEncoder(tokenizer: try FusionTestGraph.tokenizer(), mode: mode, maxLength: maxLength, contextTokens: contextTokens)
    }

    func tokens(_ e: CaseTextEncoder, _ c: EncodedCase) -> [String] { e.tokenizer.tokens(for: c.ids) }

    func testNoneIsFactsOnly() throws {
        let e = try encoder(.none)
        let c = try e.encode(facts: Self.facts, context: Self.context, anchorNames: Self.names)
        XCTAssertEqual(tokens(e, c), ["[CLS]"] + Self.text + ["[SEP]"])
        XCTAssertEqual(c.typeIds, [Int32](repeating: 0, count: 14))
        XCTAssertEqual(c.positionIds, (0..<14).map(Int32.init))
        XCTAssertEqual(c.textLength, 14)
        XCTAssertTrue(c.branches.isEmpty)
        // Truncation keeps [CLS] ... [SEP] within max length.
        let short = try encoder(.none, maxLength: 6).encode(facts: Self.facts, context: [])
        XCTAssertEqual(e.tokenizer.tokens(for: short.ids), ["[CLS]", "the", "united", "states", "sought", "[SEP]"])
    }

    func testSegmentPutsTheContextInSegmentB() throws {
        let e = try encoder(.segment)
        let c = try e.encode(facts: Self.facts, context: Self.context, anchorNames: Self.names)
        let b = ["issue", ":", "search", "and", "seizure", ".", "petition", "##er", ":", "united", "states", ".",
                 "natural", "court", ":", "re", "##hn", "##quist", "7", "."]
        XCTAssertEqual(tokens(e, c), ["[CLS]"] + Self.text + ["[SEP]"] + b + ["[SEP]"])
        XCTAssertEqual(c.typeIds, [Int32](repeating: 0, count: 14) + [Int32](repeating: 1, count: 21))
        XCTAssertEqual(c.positionIds, (0..<35).map(Int32.init))
        XCTAssertEqual(c.factCount, 3)
        XCTAssertTrue(c.branches.isEmpty)
        // Longest first: with room for 17 of the 12 + 20 tokens, segment B (the longer)
        // is cut to 12, then the two alternate (ties cut the facts) until 17 fit: 8 + 9.
        let cut = try encoder(.segment, maxLength: 20, contextTokens: 16).encode(facts: Self.facts, context: Self.context)
        XCTAssertEqual(e.tokenizer.tokens(for: cut.ids), ["[CLS]"] + Array(Self.text.prefix(8)) + ["[SEP]"] + Array(b.prefix(9)) + ["[SEP]"])
        // No context: a single segment.
        XCTAssertEqual(try e.encode(facts: Self.facts, context: []).ids, try encoder(.none).encode(facts: Self.facts, context: []).ids)
    }

    func testKBertInjectsBranchesAtSoftPositionsWithVisibility() throws {
        let e = try encoder(.kbert)
        let c = try e.encode(facts: Self.facts, context: Self.context, anchorNames: Self.names)
        let issue = ["issue", ":", "search", "and", "seizure", "."], petitioner = ["petition", "##er", ":", "united", "states", "."]
        let court = ["natural", "court", ":", "re", "##hn", "##quist", "7", "."]
        XCTAssertEqual(tokens(e, c), ["[CLS]"] + Self.text + ["[SEP]"] + issue + petitioner + court)
        XCTAssertEqual(c.textLength, 14)
        // "search and seizure" first appears at token 8, "united states" at 2; the natural
        // court is not mentioned, so its branch hangs from [CLS].
        XCTAssertEqual(c.branches, [FactBranch(fact: 0, anchor: 8, start: 14, length: 6), FactBranch(fact: 1, anchor: 2, start: 20, length: 6),
                                    FactBranch(fact: 2, anchor: 0, start: 26, length: 8)])
        XCTAssertEqual(c.positionIds, (0..<14).map(Int32.init) + (9...14).map(Int32.init) + (3...8).map(Int32.init) + (1...8).map(Int32.init))
        XCTAssertEqual(c.typeIds, [Int32](repeating: 0, count: 14) + [Int32](repeating: 1, count: 20))

        let n = 34, m = c.visibilityMatrix()
        XCTAssertEqual(m.count, n * n)
        func branchOf(_ i: Int) -> Int? { c.branches.firstIndex { $0.range.contains(i) } }
        for q in 0..<n {
            for k in 0..<n {
                let expected: Bool
                switch (branchOf(q), branchOf(k)) {
                case (nil, nil): expected = true                                    // text sees text
                case (nil, let kb?): expected = c.branches[kb].anchor == q         // an anchor sees its branch
                case (let qb?, nil): expected = c.branches[qb].anchor == k         // a branch sees its anchor
                case (let qb?, let kb?): expected = qb == kb                       // and itself
                }
                XCTAssertEqual(m[q * n + k], expected ? 1 : 0, "visibility[\(q)][\(k)]")
            }
        }
        // Spot checks of the rule in words.
        XCTAssertEqual(m[8 * n + 14], 1); XCTAssertEqual(m[7 * n + 14], 0); XCTAssertEqual(m[14 * n + 0], 0)
        XCTAssertEqual(m[26 * n + 0], 1); XCTAssertEqual(m[0 * n + 33], 1); XCTAssertEqual(m[20 * n + 14], 0)

        // Collation: padding, explicit positions, −10000 on hidden pairs only.
        let plain = try e.encode(facts: "A short case.", context: [])
        let batch = try FusionCollation.batch([c, plain])
        XCTAssertEqual(batch.sequenceLength, 34)
        XCTAssertEqual(Array(try XCTUnwrap(batch.positionIds)[0..<34]), c.positionIds)
        let bias = try XCTUnwrap(batch.attentionBias)
        XCTAssertEqual(bias[8 * 34 + 14], 0); XCTAssertEqual(bias[7 * 34 + 14], FusionCollation.hiddenBias)
        XCTAssertEqual(Array(batch.attentionMask[34..<(34 + 34)]), [Float](repeating: 1, count: plain.length) + [Float](repeating: 0, count: 34 - plain.length))
    }

    func testKBertBudgetDropsFactsThatDoNotFitAndTruncatesTheText() throws {
        // 14 context tokens: the issue branch (6) and the petitioner branch (6) fit, the court (8) does not.
        let e = try encoder(.kbert, maxLength: 22, contextTokens: 14)
        let c = try e.encode(facts: Self.facts, context: Self.context, anchorNames: Self.names)
        XCTAssertEqual(c.branches.map(\.fact), [0, 1])
        XCTAssertEqual(c.length, 22)
        XCTAssertEqual(c.textLength, 10)  // [CLS] + 8 text tokens + [SEP]
        // The text now ends at "search": "search and seizure" is not in it, so the issue
        // branch falls back to [CLS]; "united states" (token 2) is still there.
        XCTAssertEqual(c.branches[0].anchor, 0)
        XCTAssertEqual(c.branches[1].anchor, 2)
    }

    func testContextFactsFollowTheTokenBudget() throws {
        XCTAssertThrowsError(try encoder(.segment, maxLength: 50, contextTokens: 96)) { error in
            XCTAssertTrue("\(error)".contains("too short"), "\(error)")
        }
    }
}
