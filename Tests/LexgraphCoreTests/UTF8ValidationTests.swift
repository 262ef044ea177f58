import LexgraphCore
import XCTest

final class UTF8ValidationTests: XCTestCase {
    func testValidTextPasses() {
        XCTAssertNil(UTF8Validation.firstInvalid(in: Array("plain ASCII, long enough for the 8-byte path\n".utf8)))
        XCTAssertNil(UTF8Validation.firstInvalid(in: Array("Nîmes, Zürich, 東京, 𝄞, \u{10FFFF}, \u{FFFD}".utf8)))
        XCTAssertNil(UTF8Validation.firstInvalid(in: []))
    }

    /// Every malformed form RFC 3629 rules out, each found at its byte.
    func testInvalidFormsAreFoundAtTheirByte() {
        let cases: [([UInt8], Int)] = [
            ([0x61, 0xEE, 0x6D], 1),             // Latin-1 î
            ([0x80], 0),                         // stray continuation
            ([0xC0, 0xAF], 0), ([0xC1, 0xBF], 0), // overlong 2-byte
            ([0xE0, 0x80, 0xAF], 0),             // overlong 3-byte
            ([0xF0, 0x80, 0x80, 0xAF], 0),       // overlong 4-byte
            ([0xED, 0xA0, 0x80], 0),             // surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], 0),       // past U+10FFFF
            ([0xF5, 0x80, 0x80, 0x80], 0), ([0xFF], 0),
            ([0x61, 0x62, 0xE2, 0x82], 2),       // truncated at the end
            ([0xE2, 0x28, 0xA1], 0),             // bad continuation
        ]
        for (bytes, offset) in cases {
            XCTAssertEqual(UTF8Validation.firstInvalid(in: bytes)?.offset, offset, "\(bytes)")
        }
    }

    func testPositionCountsLinesAndCharacters() {
        let bytes = Array("first line\nsé\u{1D11E}x".utf8) + [0xFE] + Array(String(repeating: "y", count: 20).utf8)
        let p = UTF8Validation.firstInvalid(in: bytes)
        XCTAssertEqual(p, UTF8Validation.Position(offset: 19, line: 2, column: 5, byte: 0xFE))
        XCTAssertEqual(UTF8Validation.message(p!), "invalid UTF-8: byte 0xFE at byte offset 19; the file must be UTF-8 (convert it first, e.g. `iconv -f LATIN1 -t UTF-8`)")
    }
}
