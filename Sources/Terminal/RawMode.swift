#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw ("non-canonical") mode on a terminal for the length of one closure.
///
/// The kernel's line discipline must stop editing and echoing for the line editor to see
/// every key: ICANON (line buffering), ECHO, ISIG (Ctrl-C/Ctrl-Z become bytes instead of
/// signals, so Ctrl-C can cancel a line without killing the shell), IEXTEN (Ctrl-V), IXON
/// (Ctrl-S/Ctrl-Q) and ICRNL (Enter arrives as CR) are turned off; reads return after one
/// byte (VMIN 1, VTIME 0). Output processing (OPOST: "\n" -> "\r\n") stays on, so anything
/// printed while raw still looks normal.
///
/// The saved settings are restored by `defer` however the closure ends, by return or
/// throw; only raw mode for reading a line is used, so query output and Ctrl-C during a
/// query behave as in a cooked terminal.
public enum RawMode {
    public static func with<Result>(fileDescriptor: Int32, _ body: () throws -> Result) throws -> Result {
        var original = termios()
        guard tcgetattr(fileDescriptor, &original) == 0 else { throw failure("tcgetattr") }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR | IGNCR)
        setControlCharacter(&raw, index: Int(VMIN), value: 1)
        setControlCharacter(&raw, index: Int(VTIME), value: 0)
        guard tcsetattr(fileDescriptor, TCSADRAIN, &raw) == 0 else { throw failure("tcsetattr (raw mode)") }
        defer { _ = tcsetattr(fileDescriptor, TCSADRAIN, &original) }
        return try body()
    }

    private static func setControlCharacter(_ settings: inout termios, index: Int, value: cc_t) {
        withUnsafeMutableBytes(of: &settings.c_cc) { bytes in
            let characters = bytes.bindMemory(to: cc_t.self)
            if index < characters.count { characters[index] = value }
        }
    }

    static func failure(_ call: String) -> TerminalError {
        TerminalError("terminal: \(call) failed: \(String(cString: strerror(errno)))")
    }
}
