import Foundation
import Terminal
import XCTest

final class DisplayWidthTests: XCTestCase {
    /// Widths from the `wcwidth` Python package (tools/make_terminal_width_fixture.py).
    func testWidthsMatchWcwidth() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/terminal/display_width.json"))
        let fixture = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let samples = try XCTUnwrap(fixture["samples"] as? [[String: Any]])
        XCTAssertGreaterThan(samples.count, 30)
        for sample in samples {
            let text = try XCTUnwrap(sample["text"] as? String)
            let columns = try XCTUnwrap(sample["columns"] as? Int)
            XCTAssertEqual(DisplayWidth.columns(of: text), columns, "\(text.debugDescription)")
        }
    }

    func testRenderPlacesTheCursorByDisplayWidth() {
        let line = Array("中文 é")
        // Prompt 10 columns + "中文" (4) = column 14 for a cursor after the two ideographs.
        XCTAssertEqual(LineRenderer.render(prompt: "lexgraph> ", buffer: line, cursor: 2, columns: 80),
                       "\rlexgraph> 中文 é\u{1B}[K\r\u{1B}[14C")
        XCTAssertEqual(LineRenderer.render(prompt: "", buffer: [], cursor: 0, columns: 80), "\r\u{1B}[K\r")
    }

    func testRenderScrollsALongLineToKeepTheCursorVisible() {
        let prompt = "> "  // 2 columns; 20-column terminal leaves 17 for text
        let line = Array("一二三四五六七八九十abc")  // 10 wide + 3 narrow = 23 columns
        let atEnd = LineRenderer.render(prompt: prompt, buffer: line, cursor: line.count, columns: 20)
        // The window drops ideographs from the left until the 23 columns fit into 17.
        XCTAssertEqual(atEnd, "\r> 四五六七八九十abc\u{1B}[K\r\u{1B}[19C")
        let atStart = LineRenderer.render(prompt: prompt, buffer: line, cursor: 0, columns: 20)
        XCTAssertEqual(atStart, "\r> 一二三四五六七八\u{1B}[K\r\u{1B}[2C")
    }
}
