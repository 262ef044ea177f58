import Foundation
import Tensor
import Transformer
import XCTest

final class SafetensorsTests: XCTestCase {
    /// Builds a safetensors image from a raw header string and data bytes.
    func image(header: String, data: [UInt8]) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    func assertError(_ data: Data, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsFile(data: data, path: "bad.safetensors"), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("bad.safetensors: "), text, file: file, line: line)
            for f in fragments { XCTAssertTrue(text.contains(f), "\(text) lacks \(f)", file: file, line: line) }
        }
    }

    func testRoundTripWithMetadata() throws {
        let a = Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, 1e-8, -7])
        let b = Tensor(shape: [4], values: [9, 8, 7, 6])
        let data = try SafetensorsWriter.encode([("a", a), ("b.weight", b)], metadata: ["format": "pt"])
        let file = try SafetensorsFile(data: data, path: "mem")
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.entries.map(\.name), ["a", "b.weight"])
        XCTAssertEqual(file.entry("a")?.shape, [2, 3])
        XCTAssertEqual(try file.tensor("a").toArray(), a.toArray())
        XCTAssertEqual(try file.tensor("b.weight").toArray(), b.toArray())
    }

    /// The tiny checkpoint HF wrote reads back with the shapes torch reported.
    func testReadsHuggingFaceFile() throws {
        let file = try SafetensorsFile(path: Fixtures.tinyModel + "/model.safetensors")
        XCTAssertEqual(file.entries.count, 41)
        XCTAssertEqual(file.entry("bert.embeddings.word_embeddings.weight")?.shape, [99, 32])
        XCTAssertEqual(file.entry("classifier.weight")?.shape, [3, 32])
        XCTAssertEqual(file.metadata["format"], "pt")
    }

    func testHalfAndBFloat16AreWidened() throws {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001 = 2^-24.
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
        // BF16: 1.0 = 0x3F80, -0.5 = 0xBF00.
        let bf16: [UInt8] = [0x80, 0x3F, 0x00, 0xBF]
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#
        let file = try SafetensorsFile(data: image(header: header, data: f16 + bf16), path: "mem")
        XCTAssertEqual(try file.tensor("h").toArray(), [1, -2, 65504, 0x1p-24])
        XCTAssertEqual(try file.tensor("b").toArray(), [1, -0.5])
    }

    func testIntegerTensorIsRejectedForCompute() throws {
        let header = #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        let file = try SafetensorsFile(data: image(header: header, data: [UInt8](repeating: 0, count: 8)), path: "m.safetensors")
        XCTAssertThrowsError(try file.tensor("ids")) { error in
            XCTAssertTrue(String(describing: error).contains("\"ids\" has dtype I64"), String(describing: error))
        }
    }

    func testCorruptFilesGiveClearErrors() {
        assertError(Data([1, 2, 3]), contains: ["too short"])
        var truncatedHeader = Data()
        withUnsafeBytes(of: UInt64(1000).littleEndian) { truncatedHeader.append(contentsOf: $0) }
        truncatedHeader.append(contentsOf: Array("{}".utf8))
        assertError(truncatedHeader, contains: ["header length 1000 exceeds"])
        assertError(image(header: "{not json", data: []), contains: ["not valid JSON"])
        assertError(image(header: "[1]", data: []), contains: ["not an object"])
        assertError(image(header: #"{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    contains: ["\"w\"", "unknown dtype \"Q4\""])
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, data: [UInt8](repeating: 0, count: 12)),
                    contains: ["\"w\"", "[2, 2]", "16 bytes", "span 12"])
        // Truncated data: offsets run past the end of the file.
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [UInt8](repeating: 0, count: 10)),
                    contains: ["\"w\"", "out of bounds", "truncated"])
        assertError(image(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                          data: [UInt8](repeating: 0, count: 12)), contains: ["\"b\"", "overlap", "\"a\""])
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    contains: ["\"w\"", "invalid dimension -1"])
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]), contains: ["\"w\"", "data_offsets"])
        assertError(image(header: #"{"__metadata__":{"k":1}}"#, data: []), contains: ["__metadata__", "\"k\""])
        // A header length past any file, a shape whose element count overflows, and a
        // tensor name given twice (which entry would be read is not defined).
        var hugeHeader = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { hugeHeader.append(contentsOf: $0) }
        hugeHeader.append(contentsOf: Array("{}".utf8))
        assertError(hugeHeader, contains: ["header length 18446744073709551615 exceeds the file (10 bytes)"])
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[2147483646,2147483646,2147483646],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    contains: ["\"w\"", "too many bytes"])
        assertError(image(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                          data: [0, 0, 0, 0]), contains: ["not valid JSON", "duplicate key \"w\""])
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try SafetensorsFile(path: "/nonexistent/x.safetensors")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("/nonexistent/x.safetensors: "), String(describing: error))
        }
    }
}
