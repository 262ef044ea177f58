import Foundation
import LexgraphCore
import Tokenizers
import XCTest

/// Every case of Tests/Fixtures/tokenizer/reference.jsonl and fuzz.jsonl (written by
/// tools/make_tokenizer_fixtures.py from Hugging Face transformers): each id, token type id,
/// attention mask value and offset must match, for the tokenizer loaded from tokenizer.json
/// and for the one loaded from vocab.txt; decoded texts too; peer errors must be errors here.
final class ReferenceFixtureTests: XCTestCase {
    struct Case {
        let id: String
        let json: Value
    }

    /// reference.jsonl (real legal texts, adversarial strings, pairs, batches) and fuzz.jsonl
    /// (seeded random strings), both in the same case format.
    static func cases() throws -> [Case] {
        var out: [Case] = []
        for file in ["reference.jsonl", "fuzz.jsonl"] {
            let path = TestSupport.fixtures.appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw TokenizerError("cannot read fixture", file: path)
            }
            for (n, line) in text.split(separator: "\n").enumerated() {
                let json = try Value.parseJSON(String(line))
                guard let id = json["id"]?.stringValue else { throw TokenizerError("case without id", file: path, line: n + 1) }
                out.append(Case(id: id, json: json))
            }
        }
        return out
    }

    func testFixtureCoversTheBrief() throws {
        let cases = try Self.cases()
        func count(_ prefix: String) -> Int { cases.filter { $0.id.hasPrefix(prefix) }.count }
        XCTAssertGreaterThanOrEqual(count("scotus-"), 100)
        XCTAssertGreaterThanOrEqual(count("cuad-"), 100)
        XCTAssertGreaterThanOrEqual(count("echr-"), 100)
        XCTAssertGreaterThanOrEqual(count("tos-"), 30)
        XCTAssertGreaterThanOrEqual(count("adversarial-"), 30)
        XCTAssertGreaterThanOrEqual(count("pair-"), 40)
        XCTAssertGreaterThanOrEqual(count("batch-"), 3)
        XCTAssertGreaterThanOrEqual(count("fuzz-"), 400)
        XCTAssertGreaterThan(cases.filter { $0.json["error"] != nil }.count, 5)
    }

    func testTokenizerJSONMatchesPeer() throws {
        try TestSupport.requireModel()
        try check(try TestSupport.fromJSON.get())
    }

    func testVocabTxtMatchesPeer() throws {
        try TestSupport.requireModel()
        try check(try TestSupport.fromVocab.get())
    }

    private func options(_ json: Value) throws -> EncodeOptions {
        let strategyName = json["truncation"]?.stringValue ?? "do_not_truncate"
        guard let strategy = TruncationStrategy(rawValue: strategyName) else { throw TokenizerError("unknown truncation \(strategyName)") }
        var options = EncodeOptions(truncation: strategy, maxLength: json["max_length"]?.intValue.map { Int($0) })
        options.addSpecialTokens = json["add_special_tokens"]?.boolValue ?? true
        if let padding = json["padding"]?.stringValue {
            guard let p = PaddingStrategy(rawValue: padding) else { throw TokenizerError("unknown padding \(padding)") }
            options.padding = p
        }
        return options
    }

    private func check(_ tokenizer: BertTokenizer) throws {
        var compared = 0
        for c in try Self.cases() {
            let options = try options(c.json)
            switch c.json["kind"]?.stringValue {
            case "encode":
                let text = c.json["text"]?.stringValue ?? ""
                let pair = c.json["pair"]?.stringValue
                if let error = c.json["error"]?.stringValue {
                    XCTAssertThrowsError(try tokenizer.encode(text, pair: pair, options: options), "\(c.id): the peer refused (\(error))")
                    continue
                }
                let encoding = try tokenizer.encode(text, pair: pair, options: options)
                guard let expect = c.json["expect"] else { XCTFail("\(c.id): no expectation"); continue }
                compare(encoding, expect, c.id)
                if let decoded = expect["decoded"]?.stringValue {
                    XCTAssertEqual(tokenizer.decode(encoding.ids), decoded, "\(c.id): decode")
                }
                if let decoded = expect["decoded_skip_special"]?.stringValue {
                    XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: true), decoded, "\(c.id): decode skipping special tokens")
                }
                compared += 1
            case "batch":
                let texts = c.json["texts"]?.listValue?.compactMap(\.stringValue) ?? []
                let pairs = c.json["pairs"]?.listValue?.compactMap(\.stringValue)
                let encodings = try tokenizer.encodeBatch(texts, pairs: pairs, options: options)
                let expects = c.json["expect"]?.listValue ?? []
                XCTAssertEqual(encodings.count, expects.count, "\(c.id): batch size")
                for (i, (encoding, expect)) in zip(encodings, expects).enumerated() {
                    compare(encoding, expect, "\(c.id)[\(i)]")
                }
                compared += 1
            default:
                XCTFail("\(c.id): unknown kind")
            }
        }
        XCTAssertGreaterThan(compared, 800)
    }

    private func compare(_ encoding: Encoding, _ expect: Value, _ id: String) {
        let ids = expect["ids"]?.listValue?.compactMap { $0.intValue.map { Int32($0) } } ?? []
        let typeIds = (expect["type_ids"]?.stringValue ?? "").map { Int32(String($0)) ?? -1 }
        let mask = (expect["attention_mask"]?.stringValue ?? "").map { Int32(String($0)) ?? -1 }
        let flat = expect["offsets"]?.listValue?.compactMap { $0.intValue.map { Int($0) } } ?? []
        let offsets = stride(from: 0, to: flat.count - 1, by: 2).map { TokenOffset(start: flat[$0], end: flat[$0 + 1]) }
        guard encoding.ids == ids else {
            let at = Array(zip(encoding.ids, ids)).firstIndex { $0 != $1 } ?? min(encoding.ids.count, ids.count)
            XCTFail("\(id): ids differ at \(at) (lengths \(encoding.ids.count) vs peer \(ids.count)): got \(Array(encoding.ids[at...].prefix(6))), peer \(Array(ids[at...].prefix(6)))")
            return
        }
        XCTAssertEqual(encoding.typeIds, typeIds, "\(id): token type ids")
        XCTAssertEqual(encoding.attentionMask, mask, "\(id): attention mask")
        if encoding.offsets != offsets {
            let at = Array(zip(encoding.offsets, offsets)).firstIndex { $0 != $1 } ?? min(encoding.offsets.count, offsets.count) - 1
            XCTFail("\(id): offsets differ at token \(at): got \(encoding.offsets[at]), peer \(offsets.indices.contains(at) ? offsets[at].description : "none")")
        }
    }
}
