import Foundation
import LexgraphCore
import Tokenizers
import XCTest

/// Every case of Tests/Fixtures/tokenizer/reference.jsonl and fuzz.jsonl (written by
/// tools/make_tokenizer_fixtures.py from Hugging Face transformers): each id, token type id,
/// attention mask value and offset must match, for the tokenizer loaded from tokenizer.json
/// and for the one loaded from vocab.txt; decoded texts too; peer errors must be errors here.
final class ReferenceFixtureTests: XCTestCase {
    typealias Case = PeerCases.Case

    /// reference.jsonl (real legal texts, adversarial strings, pairs, batches) and fuzz.jsonl
    /// (seeded random strings), both in the same case format.
    static func cases() throws -> [Case] {
        try PeerCases.load(["reference.jsonl", "fuzz.jsonl"], in: TestSupport.fixtures)
    }

    /// What the fixture claims to cover, checked on its content rather than its case ids:
    /// real texts of each corpus (non-empty, some longer than 512 tokens), adversarial
    /// strings over the character classes the normalizer treats specially, pairs under
    /// every truncation strategy with truncation actually cutting, padded batches of both
    /// paddings and with pairs, peer refusals, and every expectation complete and
    /// self-consistent (one type id, mask value and offset pair per id).
    func testFixtureCoversTheBrief() throws {
        let cases = try Self.cases()
        func with(_ prefix: String) -> [Case] { cases.filter { $0.id.hasPrefix(prefix) } }
        func text(_ c: Case) -> String { c.json["text"]?.stringValue ?? "" }
        func ids(_ expect: Value?) -> [Value] { expect?["ids"]?.listValue ?? [] }

        for (prefix, minimum) in [("scotus-", 100), ("cuad-", 100), ("echr-", 100), ("tos-", 30)] {
            let real = with(prefix)
            XCTAssertGreaterThanOrEqual(real.count, minimum, prefix)
            XCTAssertTrue(real.allSatisfy { !text($0).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }, "\(prefix) texts are real, non-empty texts")
            XCTAssertGreaterThanOrEqual(Set(real.map(text)).count, minimum, "\(prefix) texts are distinct")
        }
        let untruncated = with("scotus-").filter { $0.json["truncation"]?.stringValue == "do_not_truncate" }
        XCTAssertGreaterThanOrEqual(untruncated.filter { ids($0.json["expect"]).count > 512 }.count, 3, "long texts beyond 512 tokens")

        // Adversarial strings: each class of character the normalizer or pre-tokenizer treats specially.
        let adversarial = with("adversarial-").map(text).joined()
        let classes: [(String, (Unicode.Scalar) -> Bool)] = [
            ("combining mark", { $0.properties.generalCategory == .nonspacingMark }),
            ("CJK ideograph", { (0x4E00...0x9FFF).contains($0.value) }),
            ("emoji", { $0.properties.isEmojiPresentation }),
            ("control character", { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r" }),
            ("format character (zero width)", { $0.properties.generalCategory == .format }),
            ("right-to-left letter", { (0x0590...0x06FF).contains($0.value) }),
            ("full-width form", { (0xFF01...0xFF5E).contains($0.value) }),
            ("non-ASCII space", { $0.properties.isWhitespace && !$0.isASCII }),
            ("accented Latin letter", { (0x00C0...0x017F).contains($0.value) }),
        ]
        for (name, test) in classes {
            XCTAssertTrue(adversarial.unicodeScalars.contains(where: test), "adversarial strings contain a \(name)")
        }
        XCTAssertTrue(adversarial.contains("[MASK]") && adversarial.contains("[SEP]"), "special tokens written out")
        XCTAssertTrue(with("adversarial-").contains { text($0).split(separator: " ").contains { $0.count > 100 } }, "a word past max_input_chars_per_word")
        XCTAssertTrue(with("adversarial-").contains { text($0).isEmpty }, "the empty string")

        // Pairs: a second text, every truncation strategy, truncation that cuts.
        let pairs = with("pair-")
        XCTAssertGreaterThanOrEqual(pairs.count, 40)
        XCTAssertTrue(pairs.allSatisfy { !($0.json["pair"]?.stringValue ?? "").isEmpty }, "every pair case has a second text")
        XCTAssertEqual(Set(pairs.compactMap { $0.json["truncation"]?.stringValue }), ["longest_first", "only_first", "only_second", "do_not_truncate"])
        XCTAssertGreaterThanOrEqual(pairs.filter { c in
            guard let max = c.json["max_length"]?.intValue else { return false }
            return ids(c.json["expect"]).count == Int(max)
        }.count, 10, "pairs truncated to exactly max_length")

        // Batches: several texts each, both paddings, one of pairs, padded to one length.
        let batches = cases.filter { $0.json["kind"]?.stringValue == "batch" }
        XCTAssertGreaterThanOrEqual(batches.count, 3)
        XCTAssertEqual(Set(batches.compactMap { $0.json["padding"]?.stringValue }), ["longest", "max_length"])
        XCTAssertTrue(batches.contains { $0.json["pairs"] != nil })
        var paddedBy = Set<String>()
        for b in batches {
            let expects = b.json["expect"]?.listValue ?? []
            XCTAssertGreaterThanOrEqual(expects.count, 2, b.id)
            XCTAssertEqual(expects.count, b.json["texts"]?.listValue?.count, b.id)
            XCTAssertEqual(Set(expects.map { ids($0).count }).count, 1, "\(b.id): padded to one length")
            if expects.contains(where: { ($0["attention_mask"]?.stringValue ?? "").contains("0") }), let padding = b.json["padding"]?.stringValue {
                paddedBy.insert(padding)
            }
        }
        XCTAssertEqual(paddedBy, ["longest", "max_length"], "pad tokens added under both paddings")

        // Fuzz strings, peer refusals, and complete expectations.
        XCTAssertGreaterThanOrEqual(with("fuzz-").count, 400)
        let refused = cases.filter { $0.json["error"] != nil }
        XCTAssertGreaterThan(refused.count, 5)
        XCTAssertTrue(refused.allSatisfy { $0.json["expect"] == nil }, "a refused case has no expectation")
        var decoded = 0
        for c in cases where c.json["kind"]?.stringValue == "encode" && c.json["error"] == nil {
            let expect = c.json["expect"]
            let n = ids(expect).count
            XCTAssertEqual(expect?["type_ids"]?.stringValue?.count, n, "\(c.id): type ids")
            XCTAssertEqual(expect?["attention_mask"]?.stringValue?.count, n, "\(c.id): attention mask")
            XCTAssertEqual(expect?["offsets"]?.listValue?.count, 2 * n, "\(c.id): offsets")
            if expect?["decoded"] != nil { decoded += 1 }
        }
        XCTAssertGreaterThanOrEqual(decoded, 400, "decoded texts to compare")
    }

    func testTokenizerJSONMatchesPeer() throws {
        try TestSupport.requireModel()
        try check(try TestSupport.fromJSON.get())
    }

    func testVocabTxtMatchesPeer() throws {
        try TestSupport.requireModel()
        try check(try TestSupport.fromVocab.get())
    }

    private func check(_ tokenizer: BertTokenizer) throws {
        XCTAssertGreaterThan(try PeerCases.check(tokenizer, against: Self.cases()), 800)
    }
}
