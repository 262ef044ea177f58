import Terminal
import XCTest

final class LineEditorTests: XCTestCase {
    private func type(_ text: String, into editor: inout LineEditor) {
        for character in text { _ = editor.handle(.character(character)) }
    }

    func testInsertInTheMiddleAndSubmit() {
        var editor = LineEditor()
        type("MATCH (n) RETURN n;", into: &editor)
        _ = editor.handle(.left)
        type(".name", into: &editor)
        XCTAssertEqual(editor.line, "MATCH (n) RETURN n.name;")
        XCTAssertEqual(editor.cursor, 23)
        XCTAssertEqual(editor.handle(.enter), .submit("MATCH (n) RETURN n.name;"))
        XCTAssertEqual(editor.buffer, [])
        XCTAssertEqual(editor.cursor, 0)
    }

    func testCursorMovesByCharacterOverMultiByteText() {
        var editor = LineEditor()
        type("é§中x", into: &editor)
        XCTAssertEqual(editor.buffer.count, 4)
        _ = editor.handle(.control("a"))
        _ = editor.handle(.right)
        _ = editor.handle(.right)
        XCTAssertEqual(editor.handle(.delete), .redraw)
        XCTAssertEqual(editor.line, "é§x")
        _ = editor.handle(.backspace)
        XCTAssertEqual(editor.line, "éx")
        XCTAssertEqual(editor.cursor, 1)
    }

    func testCombiningScalarJoinsThePreviousCharacter() {
        var editor = LineEditor()
        for scalar in "cafe\u{301}".unicodeScalars { _ = editor.handle(.character(Character(scalar))) }
        XCTAssertEqual(editor.buffer.count, 4)
        XCTAssertEqual(editor.line, "caf\u{E9}")  // canonically equivalent to e + U+0301
        _ = editor.handle(.backspace)
        XCTAssertEqual(editor.line, "caf")
    }

    func testHomeEndAndBoundaries() {
        var editor = LineEditor()
        type("abc", into: &editor)
        XCTAssertEqual(editor.handle(.right), .none)  // already at the end
        XCTAssertEqual(editor.handle(.home), .redraw)
        XCTAssertEqual(editor.cursor, 0)
        XCTAssertEqual(editor.handle(.left), .none)
        XCTAssertEqual(editor.handle(.backspace), .none)
        XCTAssertEqual(editor.handle(.control("e")), .redraw)
        XCTAssertEqual(editor.cursor, 3)
        XCTAssertEqual(editor.handle(.end), .none)
    }

    func testKills() {
        var editor = LineEditor()
        type("MATCH (c:Case) RETURN c", into: &editor)
        for _ in 0..<8 { _ = editor.handle(.left) }  // before "RETURN c"
        XCTAssertEqual(editor.handle(.control("k")), .redraw)
        XCTAssertEqual(editor.line, "MATCH (c:Case) ")
        XCTAssertEqual(editor.cursor, 15)
        _ = editor.handle(.left)
        _ = editor.handle(.left)
        XCTAssertEqual(editor.handle(.control("u")), .redraw)
        XCTAssertEqual(editor.line, ") ")
        XCTAssertEqual(editor.cursor, 0)
        XCTAssertEqual(editor.handle(.control("u")), .none)
    }

    func testCtrlWKillsTheWordBeforeTheCursor() {
        var editor = LineEditor()
        type("RETURN n.name,  ", into: &editor)
        XCTAssertEqual(editor.handle(.control("w")), .redraw)  // blanks and "," then "name"
        XCTAssertEqual(editor.line, "RETURN n.")
        _ = editor.handle(.control("w"))
        XCTAssertEqual(editor.line, "RETURN ")
        _ = editor.handle(.control("w"))
        XCTAssertEqual(editor.line, "")
        XCTAssertEqual(editor.handle(.control("w")), .none)

        type("§ 1983 Klage", into: &editor)
        _ = editor.handle(.wordLeft)
        XCTAssertEqual(editor.cursor, 7)
        _ = editor.handle(.wordLeft)
        XCTAssertEqual(editor.cursor, 2)
        _ = editor.handle(.wordRight)
        XCTAssertEqual(editor.cursor, 6)
    }

    func testHistoryWalkRestoresTheLineBeingTyped() {
        var editor = LineEditor(history: ["first;", "second;"])
        type("draft", into: &editor)
        XCTAssertEqual(editor.handle(.up), .redraw)
        XCTAssertEqual(editor.line, "second;")
        XCTAssertEqual(editor.cursor, 7)
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "first;")
        XCTAssertEqual(editor.handle(.up), .none)  // oldest entry: stays
        XCTAssertEqual(editor.line, "first;")
        _ = editor.handle(.down)
        XCTAssertEqual(editor.line, "second;")
        _ = editor.handle(.down)
        XCTAssertEqual(editor.line, "draft")
        XCTAssertNil(editor.historyPosition)
        XCTAssertEqual(editor.handle(.down), .none)

        // A recalled entry can be edited and submitted; the history itself is unchanged.
        _ = editor.handle(.control("p"))
        _ = editor.handle(.backspace)
        type(" LIMIT 1;", into: &editor)
        XCTAssertEqual(editor.handle(.enter), .submit("second LIMIT 1;"))
        XCTAssertEqual(editor.history, ["first;", "second;"])
    }

    func testHistoryAddSkipsRepeatsAndKeepsTheLimit() {
        var editor = LineEditor(history: ["a;", "b;", "c;"], historyLimit: 3)
        editor.addHistory("c;")
        editor.addHistory("")
        XCTAssertEqual(editor.history, ["a;", "b;", "c;"])
        editor.addHistory("d;")
        XCTAssertEqual(editor.history, ["b;", "c;", "d;"])
        XCTAssertEqual(LineEditor(history: (1...1_500).map { "q\($0);" }).history.first, "q501;")
    }

    func testHistoryEntryWithControlCharactersIsShownWithSpaces() {
        var editor = LineEditor(history: ["MATCH (n)\tRETURN n;"])
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "MATCH (n) RETURN n;")
    }

    func testCancelAndEndOfInput() {
        var editor = LineEditor(history: ["old;"])
        type("half", into: &editor)
        _ = editor.handle(.up)
        XCTAssertEqual(editor.handle(.control("c")), .cancel)
        XCTAssertEqual(editor.line, "")
        XCTAssertNil(editor.historyPosition)
        type("ab", into: &editor)
        _ = editor.handle(.home)
        XCTAssertEqual(editor.handle(.control("d")), .redraw)  // not empty: delete under cursor
        XCTAssertEqual(editor.line, "b")
        _ = editor.handle(.control("d"))
        XCTAssertEqual(editor.handle(.control("d")), .endOfInput)
    }

    func testTransposeAndIgnoredControls() {
        var editor = LineEditor()
        type("RETRUN", into: &editor)
        for _ in 0..<2 { _ = editor.handle(.left) }
        _ = editor.handle(.control("t"))
        XCTAssertEqual(editor.line, "RETURN")
        XCTAssertEqual(editor.handle(.control("z")), .none)
        XCTAssertEqual(editor.handle(.tab), .redraw)
        XCTAssertEqual(editor.line, "RETUR N")
    }

    /// Keys decoded from bytes drive the editor end to end.
    func testDecodedKeystrokesEditALine() {
        var decoder = KeyDecoder()
        var editor = LineEditor()
        var actions: [LineEditor.Action] = []
        let input = "RETURN 1\u{1B}[D\u{1B}[D\u{7F}\u{1B}[H\u{1B}[3~\u{1}X\u{1B}[F;\r"
        for key in decoder.decode(Array(input.utf8)) { actions.append(editor.handle(key)) }
        XCTAssertEqual(actions.last, .submit("XETUR 1;"))
    }
}
