import Foundation
import Tensor
import Transformer
import XCTest

/// Paths and readers for the fixtures that tools/make_model_fixtures.py wrote.
enum Fixtures {
    /// The package root, found from this file's path (Tests/TransformerTests/FixtureSupport.swift).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let directory = packageRoot + "/Tests/Fixtures/model"
    static let tinyModel = directory + "/tiny-bert"

    /// The MiniLM folder from `LEXGRAPH_MODEL` or `<root>/models/all-minilm-l6-v2`.
    static var miniLM: String {
        ProcessInfo.processInfo.environment["LEXGRAPH_MODEL"] ?? packageRoot + "/models/all-minilm-l6-v2"
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func tensors(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: directory + "/" + name)
    }

    /// A `[[Int]]` JSON field flattened to Int32.
    static func int32Matrix(_ json: [String: Any], _ key: String) throws -> [Int32] {
        let rows = try XCTUnwrap(json[key] as? [[Int]], "fixture field \(key)")
        return rows.flatMap { $0.map(Int32.init) }
    }

    static func batch(_ json: [String: Any], bias: [Float]? = nil) throws -> BertBatch {
        let ids = try XCTUnwrap(json["input_ids"] as? [[Int]])
        return try BertBatch(batchSize: ids.count, sequenceLength: ids[0].count, inputIds: try int32Matrix(json, "input_ids"),
                             tokenTypeIds: try int32Matrix(json, "token_type_ids"),
                             attentionMask: try int32Matrix(json, "attention_mask").map(Float.init), attentionBias: bias)
    }
}

/// Element-wise comparison that records the worst error, so tests can both assert and
/// report what they observed.
struct Comparison {
    var maxAbs: Float = 0
    var maxRel: Float = 0
    var failures: [String] = []

    /// Passes when |a − b| ≤ abs + rel·|b| for every element.
    mutating func check(_ name: String, _ actual: UnsafePointer<Float>, _ expected: Tensor, abs: Float, rel: Float = 0) {
        for i in 0..<expected.count {
            let a = actual[i], e = expected[i]
            let d = Swift.abs(a - e)
            maxAbs = max(maxAbs, d)
            if Swift.abs(e) > 1e-3 { maxRel = max(maxRel, d / Swift.abs(e)) }
            if !(d <= abs + rel * Swift.abs(e)) && failures.count < 10 {
                failures.append("\(name)[\(i)]: got \(a), expected \(e) (|Δ| = \(d))")
            }
        }
    }

    mutating func check(_ name: String, _ actual: [Float], _ expected: Tensor, abs: Float, rel: Float = 0) {
        XCTAssertEqual(actual.count, expected.count, "\(name) element count")
        guard actual.count == expected.count else { return }
        actual.withUnsafeBufferPointer { check(name, $0.baseAddress!, expected, abs: abs, rel: rel) }
    }

    func assertPassed(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(failures.isEmpty, "\(what): " + failures.joined(separator: "; "), file: file, line: line)
        print("[\(what)] max |Δ| = \(maxAbs), max relative (|ref| > 1e-3) = \(maxRel)")
    }
}
