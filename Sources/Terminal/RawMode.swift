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
/// query behave as in a cooked terminal. A signal that ends the process while the line is
/// read (SIGTERM from `kill`, SIGHUP when the terminal closes) would skip the `defer` and
/// leave the user's terminal raw, without echo; so for the length of the closure those
/// signals restore the saved settings first and then end the process as they would have.
public enum RawMode {
    /// Signals whose default action ends the process and that can reach a shell waiting
    /// for a key (keyboard signals are off in raw mode).
    static let terminatingSignals: [Int32] = [SIGTERM, SIGHUP]

    public static func with<Result>(fileDescriptor: Int32, _ body: () throws -> Result) throws -> Result {
        var original = termios()
        guard tcgetattr(fileDescriptor, &original) == 0 else { throw failure("tcgetattr") }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR | IGNCR)
        setControlCharacter(&raw, index: Int(VMIN), value: 1)
        setControlCharacter(&raw, index: Int(VTIME), value: 0)
        signalRestore = (fileDescriptor, original)
        let previous = terminatingSignals.map { signal($0, restoreTerminalAndRaise) }
        defer {
            for (sig, handler) in zip(terminatingSignals, previous) { signal(sig, handler) }
            signalRestore = nil
        }
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

/// The terminal and settings a terminating signal restores while `RawMode.with` runs. A
/// signal handler cannot capture context, so this one global holds them; it is written
/// only by `RawMode.with`, before the handlers are installed and after they are removed.
nonisolated(unsafe) private var signalRestore: (fileDescriptor: Int32, settings: termios)?

/// Restores the saved terminal settings, then lets the signal end the process with its
/// default action (so the exit status still says which signal it was). Only
/// async-signal-safe calls: tcsetattr, signal, raise.
private func restoreTerminalAndRaise(_ sig: Int32) {
    if var saved = signalRestore {
        _ = tcsetattr(saved.fileDescriptor, TCSANOW, &saved.settings)
    }
    signal(sig, SIG_DFL)
    raise(sig)
}

