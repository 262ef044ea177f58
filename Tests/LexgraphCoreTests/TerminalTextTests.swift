import LexgraphCore
import XCTest

/// What a terminal would act on is shown, never sent: ESC sequences, carriage returns,
/// C1 controls and bidirectional overrides from the data.
final class TerminalTextTests: XCTestCase {
    func testEscapesEveryControlCharacterVisibly() {
        XCTAssertEqual(TerminalText.escaped("Mapp \u{1B}[31mv.\u{1B}[0m Ohio"), #"Mapp \u{1B}[31mv.\u{1B}[0m Ohio"#)
        XCTAssertEqual(TerminalText.escaped("a\tb\nc\rd"), #"a\tb\nc\rd"#)
        XCTAssertEqual(TerminalText.escaped("x\u{7F}y\u{9B}z\u{0}"), #"x\u{7F}y\u{9B}z\u{0}"#)
        // Trojan Source: an override and an isolate reorder what the reader sees.
        XCTAssertEqual(TerminalText.escaped("abc\u{202E}fed\u{2066}x\u{2069}"), #"abc\u{202E}fed\u{2066}x\u{2069}"#)
        XCTAssertEqual(TerminalText.escaped("line\u{2028}sep"), #"line\u{2028}sep"#)
    }

    func testEveryCategoryIsCovered() {
        for v in Array(0x00...0x1F) + Array(0x7F...0x9F) + Array(0x202A...0x202E) + Array(0x2066...0x2069) + [0x2028, 0x2029] {
            let scalar = Unicode.Scalar(UInt32(v))!
            let out = TerminalText.escaped("a" + String(Character(scalar)) + "b")
            XCTAssertFalse(out.unicodeScalars.contains(scalar), "U+\(String(v, radix: 16)) printed raw")
            XCTAssertTrue(out.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "escape of U+\(String(v, radix: 16)) is not plain ASCII: \(out)")
        }
    }

    func testPrintableTextIsUnchanged() {
        for text in ["Miranda v. Arizona", "Nîmes – Cour d'appel", "東京地方裁判所", "שלום", "مرحبا", "emoji 👩‍⚖️", "back\\slash", ""] {
            XCTAssertEqual(TerminalText.escaped(text), text)
        }
    }

    func testLineBreaksCanStayForMultiLineOutput() {
        XCTAssertEqual(TerminalText.escaped("a\nb\u{1B}c\r", keepingLineBreaks: true), "a\nb\\u{1B}c\\r")
    }
}
