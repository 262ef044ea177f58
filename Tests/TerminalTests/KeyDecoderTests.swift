import Terminal
import XCTest

final class KeyDecoderTests: XCTestCase {
    private func keys(_ bytes: [UInt8]) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.decode(bytes)
    }

    private func keys(_ text: String) -> [Key] { keys(Array(text.utf8)) }

    func testArrowsInNormalAndApplicationMode() {
        XCTAssertEqual(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D"), [.up, .down, .right, .left])
        XCTAssertEqual(keys("\u{1B}OA\u{1B}OB\u{1B}OC\u{1B}OD"), [.up, .down, .right, .left])
    }

    func testHomeAndEndVariants() {
        XCTAssertEqual(keys("\u{1B}[H\u{1B}OH\u{1B}[1~\u{1B}[7~"), [.home, .home, .home, .home])
        XCTAssertEqual(keys("\u{1B}[F\u{1B}OF\u{1B}[4~\u{1B}[8~"), [.end, .end, .end, .end])
    }

    func testDeleteAndWordMotion() {
        XCTAssertEqual(keys("\u{1B}[3~"), [.delete])
        XCTAssertEqual(keys("\u{1B}[1;5D\u{1B}[1;5C\u{1B}b\u{1B}f"), [.wordLeft, .wordRight, .wordLeft, .wordRight])
        // Shift-Right (modifier 2) is still Right.
        XCTAssertEqual(keys("\u{1B}[1;2C"), [.right])
    }

    func testControlBytes() {
        XCTAssertEqual(keys([0x01, 0x05, 0x03, 0x04, 0x15, 0x0B, 0x17]),
                       [.control("a"), .control("e"), .control("c"), .control("d"), .control("u"), .control("k"), .control("w")])
        XCTAssertEqual(keys([0x0D, 0x0A, 0x7F, 0x08, 0x09]), [.enter, .enter, .backspace, .backspace, .tab])
        // NUL and Ctrl-\ mean nothing here: ignored.
        XCTAssertEqual(keys([0x00, 0x1C, 0x61]), [.character("a")])
    }

    func testUTF8CharactersWholeAndSplitAcrossReads() {
        XCTAssertEqual(keys("é§中😀"), [.character("é"), .character("§"), .character("中"), .character("😀")])
        var decoder = KeyDecoder()
        let bytes = Array("中😀".utf8)  // 3 + 4 bytes
        XCTAssertEqual(decoder.decode(bytes[0..<1]), [])
        XCTAssertTrue(decoder.hasPendingBytes)
        XCTAssertEqual(decoder.decode(bytes[1..<5]), [.character("中")])
        XCTAssertEqual(decoder.decode(bytes[5..<7]), [.character("😀")])
        XCTAssertFalse(decoder.hasPendingBytes)
    }

    func testEscapeSequenceSplitAcrossReads() {
        var decoder = KeyDecoder()
        XCTAssertEqual(decoder.decode([0x1B]), [])
        XCTAssertEqual(decoder.decode(Array("[3".utf8)), [])
        XCTAssertEqual(decoder.decode(Array("~x".utf8)), [.delete, .character("x")])
    }

    /// Invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subpart, the same as
    /// Swift's own decoder (`String(decoding:as:)`), and never stops the decoding.
    func testInvalidUTF8BecomesReplacementCharacters() {
        let cases: [[UInt8]] = [
            [0x80],                    // stray continuation byte
            [0xC0, 0xAF],              // overlong
            [0xE2, 0x82, 0x41],        // truncated 3-byte sequence, then 'A'
            [0xED, 0xA0, 0x80],        // UTF-16 surrogate
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xFF, 0x61],
        ]
        for bytes in cases {
            let expected = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { Key.character(Character($0)) }
            XCTAssertEqual(keys(bytes), expected, "bytes \(bytes)")
            XCTAssertTrue(keys(bytes).contains(.character("\u{FFFD}")), "bytes \(bytes)")
        }
        XCTAssertEqual(keys([0xE2, 0x82, 0x41]), [.character("\u{FFFD}"), .character("A")])
    }

    func testIncompleteInputAtEndOfInput() {
        var decoder = KeyDecoder()
        XCTAssertEqual(decoder.decode([0xE4, 0xB8]), [])
        XCTAssertEqual(decoder.finish(), [.character("\u{FFFD}")])
        XCTAssertEqual(decoder.decode([0x1B, 0x5B]), [])
        XCTAssertEqual(decoder.finish(), [])
    }

    func testUnknownEscapeSequencesAreIgnored() {
        // F5, Alt-x, a CSI with an unmapped final byte, a broken-off CSI, ESC ESC.
        XCTAssertEqual(keys("\u{1B}[15~a"), [.character("a")])
        XCTAssertEqual(keys("\u{1B}xb"), [.character("b")])
        XCTAssertEqual(keys("\u{1B}[2J\u{1B}[?25hc"), [.character("c")])
        XCTAssertEqual(keys([0x1B, 0x5B, 0x31, 0x0D]), [.enter])
        XCTAssertEqual(keys("\u{1B}\u{1B}[A"), [.up])
    }
}
