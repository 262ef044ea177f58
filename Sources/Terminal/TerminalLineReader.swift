#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from an interactive terminal with editing and history (see `LineEditor` for
/// the keys). Only for a terminal on both sides: `init` returns nil unless input and output
/// are TTYs, and the caller then reads plainly (pipes, files, CI).
///
/// Each `readLine` puts the terminal in raw mode (`RawMode`) and restores it before it
/// returns or throws. Keys decoded beyond the end of a line (a pasted block of several
/// lines) are kept for the next call.
public final class TerminalLineReader {
    /// What one `readLine` produced.
    public enum Input: Equatable, Sendable {
        case line(String)
        /// Ctrl-C: the line was abandoned.
        case cancelled
        /// Ctrl-D on an empty line, or the input closed.
        case endOfInput
    }

    public var editor: LineEditor
    private var decoder = KeyDecoder()
    private var pendingKeys: [Key] = []
    private let input: Int32
    private let output: Int32

    /// `history` (oldest first) is only evaluated when both sides are terminals.
    public init?(input: Int32 = 0, output: Int32 = 1, history: @autoclosure () -> [String] = []) {
        guard isatty(input) != 0, isatty(output) != 0 else { return nil }
        self.input = input
        self.output = output
        self.editor = LineEditor(history: history())
    }

    /// Terminal width from TIOCGWINSZ, 80 when the terminal does not say.
    public var columns: Int {
        var size = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    public func readLine(prompt: String) throws -> Input {
        fflush(nil)  // what the caller printed through stdio goes out before the prompt
        return try RawMode.with(fileDescriptor: input) {
            editor.reset()
            try emit(LineRenderer.render(prompt: prompt, buffer: [], cursor: 0, columns: columns))
            while true {
                if pendingKeys.isEmpty { pendingKeys = try readKeys() }
                var needsRedraw = false
                while !pendingKeys.isEmpty {
                    let key = pendingKeys.removeFirst()
                    switch editor.handle(key) {
                    case .none: continue
                    case .redraw: needsRedraw = true
                    case .submit(let text):
                        try emit(LineRenderer.renderFinal(prompt: prompt, line: text))
                        return .line(text)
                    case .cancel:
                        try emit(LineRenderer.renderFinal(prompt: prompt, line: "", suffix: "^C"))
                        return .cancelled
                    case .endOfInput:
                        try emit(LineRenderer.renderFinal(prompt: prompt, line: ""))
                        return .endOfInput
                    }
                }
                // One redraw per chunk read: a paste is drawn once, not once per character.
                if needsRedraw {
                    try emit(LineRenderer.render(prompt: prompt, buffer: editor.buffer, cursor: editor.cursor, columns: columns))
                }
            }
        }
    }

    /// Blocks for the next chunk of input; end of input (or a closed terminal) reads as Ctrl-D
    /// on an empty line after the half-typed line is dropped.
    private func readKeys() throws -> [Key] {
        var bytes = [UInt8](repeating: 0, count: 256)
        while true {
            let count = bytes.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count > 0 { return decoder.decode(bytes[0..<count]) }
            if count < 0, errno == EINTR { continue }  // e.g. SIGWINCH on a resize
            if count < 0 { throw RawMode.failure("read") }
            return decoder.finish() + [.end, .control("u"), .control("d")]
        }
    }

    private func emit(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { throw RawMode.failure("write") }
            bytes = bytes.dropFirst(written)
        }
    }
}
