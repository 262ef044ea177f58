import Foundation
import LexgraphCore
import TestRequirements
import Tokenizers
import XCTest

/// The peer's cases in the format tools/make_tokenizer_fixtures.py writes (also used by
/// tools/make_bpe_fixtures.py), and the check of any tokenizer against them: every id, type
/// id, attention-mask value and offset, decoded texts, and the peer's refusals.
enum PeerCases {
    struct Case {
        let id: String
        let json: Value
    }

    static func load(_ files: [String], in folder: URL) throws -> [Case] {
        var out: [Case] = []
        for file in files {
            let path = folder.appendingPathComponent(file).path
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

    static func options(_ json: Value) throws -> EncodeOptions {
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

    /// Checks every case; returns how many were compared.
    static func check(_ tokenizer: any TextTokenizer, against cases: [Case]) throws -> Int {
        var compared = 0
        for c in cases {
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
                    XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: false), decoded, "\(c.id): decode")
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
        return compared
    }

    static func compare(_ encoding: Encoding, _ expect: Value, _ id: String) {
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

    /// Sentences of the shared SCOTUS facts that a fixture points into (JSON lines
    /// `[case line, first scalar, scalar count, digest]`, no copy of the text): each is
    /// encoded with special tokens, and its ids and offsets digest (SHA-256, 16 hex digits)
    /// is compared with the peer's. Returns how many were checked and the first mismatches.
    static func checkSentenceDigests(_ tokenizer: any TextTokenizer, fixture: URL) throws -> (checked: Int, mismatches: [String]) {
        let data = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"]
            ?? TestSupport.root.appendingPathComponent("../shared/data").standardizedFileURL.path
        let casesPath = data + "/scotus/cases.jsonl"
        try TestRequirements.requireFile(casesPath, "the shared SCOTUS cases (set LEXGRAPH_DATA)")
        let cases = try String(contentsOfFile: casesPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var facts: [Int: [Unicode.Scalar]] = [:]
        let text = try String(contentsOfFile: fixture.path, encoding: .utf8)
        var checked = 0
        var mismatches: [String] = []
        for line in text.split(separator: "\n") {
            guard let fields = try Value.parseJSON(String(line)).listValue, fields.count == 4,
                  let n = fields[0].intValue, let start = fields[1].intValue, let length = fields[2].intValue,
                  let digest = fields[3].stringValue, Int(n) < cases.count else {
                mismatches.append("bad sentence line \(line)"); continue
            }
            if facts[Int(n)] == nil {
                facts[Int(n)] = Array((try Value.parseJSON(String(cases[Int(n)]))["facts"]?.stringValue ?? "").unicodeScalars)
            }
            let scalars = facts[Int(n)]!
            guard start >= 0, Int(start + length) <= scalars.count else {
                mismatches.append("cases.jsonl line \(n + 1) has no characters \(start)..<\(start + length)"); continue
            }
            var sentence = ""
            sentence.unicodeScalars.append(contentsOf: scalars[Int(start)..<Int(start + length)])
            let e = try tokenizer.encode(sentence, pair: nil, options: EncodeOptions())
            let canonical = e.ids.map(String.init).joined(separator: ",") + "|" + e.offsets.map { "\($0.start),\($0.end)" }.joined(separator: ",")
            if String(Checksum.sha256Hex(canonical).prefix(16)) != digest, mismatches.count < 5 {
                mismatches.append("\(sentence.prefix(80)): \(tokenizer.tokenize(sentence).prefix(12))")
            }
            checked += 1
        }
        return (checked, mismatches)
    }
}
