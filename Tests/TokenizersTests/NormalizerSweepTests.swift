import Foundation
import LexgraphCore
import Tokenizers
import XCTest

/// Every Unicode scalar through the normalizer and the punctuation class, against the peer's
/// output for that scalar (Tests/Fixtures/tokenizer/normalizer_sweep.json, written by
/// tools/make_tokenizer_fixtures.py with the model's own BertNormalizer and BertPreTokenizer).
final class NormalizerSweepTests: XCTestCase {
    private func sweep() throws -> Value {
        let path = TestSupport.fixtures.appendingPathComponent("normalizer_sweep.json").path
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerError("cannot read fixture", file: path) }
        return try Value.parseJSON(bytes: Array(data))
    }

    func testEveryScalarNormalizesLikeThePeer() throws {
        // The expected output per scalar; scalars not listed come out unchanged.
        var expected: [UInt32: String] = [:]
        for run in try sweep()["runs"]?.listValue ?? [] {
            guard let r = run.listValue, r.count >= 3, let lo = r[0].intValue, let hi = r[1].intValue, let kind = r[2].stringValue else {
                XCTFail("bad run \(run.jsonText)"); continue
            }
            let outputs = r.count > 3 ? (r[3].listValue ?? []).compactMap(\.stringValue) : []
            for (k, v) in (UInt32(lo)...UInt32(hi)).enumerated() {
                switch kind {
                case "drop": expected[v] = ""
                case "space": expected[v] = " "
                case "wrap": expected[v] = " \(Unicode.Scalar(v).map(String.init) ?? "") "
                case "map": expected[v] = outputs.indices.contains(k) ? outputs[k] : "<missing>"
                default: XCTFail("unknown kind \(kind)")
                }
            }
        }
        XCTAssertGreaterThan(expected.count, 100_000)
        let normalizer = BertNormalizer()  // the model's settings: clean, CJK, strip accents, lowercase
        var out = NormalizedText()
        var input: [Unicode.Scalar] = [" "]
        var mismatches: [String] = []
        var checked = 0
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            input[0] = scalar
            normalizer.normalize(input, into: &out)
            let want = expected[v] ?? String(scalar)
            if out.text.unicodeScalars.elementsEqual(want.unicodeScalars) == false {
                mismatches.append("U+\(String(v, radix: 16, uppercase: true)) -> \(out.text.debugDescription) (peer \(want.debugDescription))")
            }
            XCTAssertTrue(out.origins.allSatisfy { $0 == 0 })
            checked += 1
        }
        XCTAssertEqual(checked, 0x110000 - 0x800)
        XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) scalars differ from the peer, e.g. \(mismatches.prefix(20))")
    }

    func testPunctuationClassMatchesThePeer() throws {
        var punctuation = Set<UInt32>()
        for run in try sweep()["punctuation"]?.listValue ?? [] {
            guard let r = run.listValue, r.count == 2, let lo = r[0].intValue, let hi = r[1].intValue else { XCTFail("bad run"); continue }
            for v in UInt32(lo)...UInt32(hi) { punctuation.insert(v) }
        }
        XCTAssertGreaterThan(punctuation.count, 500)
        var mismatches: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            if BertCharacterClass.isPunctuation(scalar) != punctuation.contains(v) { mismatches.append(v) }
        }
        XCTAssertTrue(mismatches.isEmpty, "punctuation differs for \(mismatches.prefix(20).map { String($0, radix: 16) })")
    }
}
