import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
import TestRequirements
#endif

/// `lexgraph shell` killed while it waits for a key (SIGTERM from `kill`, SIGHUP when the
/// terminal closes) gives the terminal back as it found it: canonical input, echo and
/// keyboard signals on, instead of a raw terminal that no longer echoes what the user types.
/// The real binary, on a real pseudo-terminal.
final class RawModeSignalTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()


    /// A new pseudo-terminal pair (Linux `/dev/ptmx`). Glibc's Swift module leaves out
    /// `grantpt`, `unlockpt` and `ptsname` (they need `_XOPEN_SOURCE`), so this uses the two
    /// ioctls they wrap; the request numbers are `_IOW('T', 0x31, int)` (TIOCSPTLCK) and
    /// `_IOR('T', 0x30, unsigned int)` (TIOCGPTN), macros Swift does not import.
    func pseudoTerminal() throws -> (master: Int32, slave: Int32) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw TestRequirements.missing("no /dev/ptmx here") }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            close(master)
            throw TestRequirements.missing("cannot unlock a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(slave, 0, "open /dev/pts/\(number)")
        return (master, slave)
    }

    func localModes(_ fd: Int32) -> tcflag_t {
        var settings = termios()
        XCTAssertEqual(tcgetattr(fd, &settings), 0)
        return settings.c_lflag
    }

    func testATerminatingSignalRestoresTheTerminal() throws {
        let exe = try LexgraphBinary.url()
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        for sig in [SIGTERM, SIGHUP] {
            let (master, slave) = try pseudoTerminal()
            defer { close(slave); close(master) }
            let cooked = localModes(slave)
            XCTAssertNotEqual(cooked & tcflag_t(ICANON | ECHO | ISIG), 0)

            let shell = Process()
            shell.executableURL = exe
            shell.arguments = ["shell", "--db", db]
            shell.environment = ["HOME": FileManager.default.temporaryDirectory.path, "TERM": "xterm"]
            let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
            shell.standardInput = terminal
            shell.standardOutput = terminal
            shell.standardError = terminal
            try shell.run()
            defer { if shell.isRunning { kill(shell.processIdentifier, SIGKILL) } }

            // Wait for the prompt: the line editor is then reading keys in raw mode.
            var screen = ""
            let deadline = Date().addingTimeInterval(30)
            while !screen.contains("lexgraph> "), Date() < deadline {
                var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 200) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(master, &buffer, buffer.count)
                if n > 0 { screen += String(decoding: buffer[0..<n], as: UTF8.self) }
            }
            XCTAssertTrue(screen.contains("lexgraph> "), "no prompt: \(screen)")
            XCTAssertEqual(localModes(slave) & tcflag_t(ICANON | ECHO | ISIG), 0, "the shell is not in raw mode at its prompt")

            kill(shell.processIdentifier, sig)
            shell.waitUntilExit()
            XCTAssertEqual(shell.terminationReason, .uncaughtSignal)
            XCTAssertEqual(shell.terminationStatus, sig, "the process ends by the signal it was sent")
            XCTAssertEqual(localModes(slave), cooked, "signal \(sig) left the terminal in raw mode")
        }
    }
}
