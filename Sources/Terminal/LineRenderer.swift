/// The bytes that draw the prompt and the line being edited on the terminal's current row.
///
/// One row only: a line wider than the terminal scrolls horizontally (the window of text
/// shown always contains the cursor), so redrawing never has to know how the terminal
/// wrapped earlier output. Drawing is carriage return, prompt, visible text, clear to the end
/// of the row (`ESC [ K`), carriage return, then `ESC [ n C` to put the cursor back.
public enum LineRenderer {
    public static func render(prompt: String, buffer: [Character], cursor: Int, columns: Int) -> String {
        let promptWidth = DisplayWidth.columns(of: prompt)
        // At least one column of text even on an absurdly narrow terminal; the last column is
        // kept free so the cursor at the end never makes the terminal wrap.
        let available = max(1, columns - promptWidth - 1)
        let cursor = min(max(cursor, 0), buffer.count)

        // The window starts as far left as possible while the cursor still fits in it.
        var start = 0
        var widthToCursor = DisplayWidth.columns(of: buffer[0..<cursor])
        while start < cursor, widthToCursor > available {
            widthToCursor -= DisplayWidth.columns(of: buffer[start])
            start += 1
        }
        var end = cursor
        var width = widthToCursor
        while end < buffer.count, width + DisplayWidth.columns(of: buffer[end]) <= available {
            width += DisplayWidth.columns(of: buffer[end])
            end += 1
        }

        var output = "\r" + prompt + String(buffer[start..<end]) + "\u{1B}[K\r"
        let cursorColumn = promptWidth + widthToCursor
        if cursorColumn > 0 { output += "\u{1B}[\(cursorColumn)C" }
        return output
    }

    /// The final drawing of a submitted (or cancelled) line: the whole text, left for the
    /// terminal to wrap, so the scrollback shows what was run, then a new line.
    public static func renderFinal(prompt: String, line: String, suffix: String = "") -> String {
        "\r" + prompt + line + suffix + "\u{1B}[K\r\n"
    }
}
