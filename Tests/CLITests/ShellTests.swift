import Foundation
import TestRequirements
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `lexgraph shell`: `:` lines are shell commands (`:help`; an unknown one is an error,
/// never query text), and Ctrl-C while a query runs cancels the query, not the shell.
final class ShellTests: XCTestCase {
    /// Runs for minutes on the real citation graph (trails of up to 6 CITES hops), so only
    /// a cancellation ends it within the test's few seconds (the time limit is 300 s).
    static let slowQuery = "MATCH (a)-[:CITES*1..6]->(b) RETURN count(*) AS trails;"

    /// A shell that died early must fail its test, not kill the test runner with SIGPIPE.
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    func testHelpAndUnknownCommands() throws {
        let db = try SharedGraph.database()
        let r = try CLI.run(["shell", "--db", db], input: ":help\n:frobnicate now\nRETURN 40 + 2 AS answer;\n:quit\nRETURN 'not run';\n")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains(":history"), "help lists the commands: \(r)")
        XCTAssertTrue(r.stdout.contains("Ctrl-C while a query runs cancels it"), "\(r)")
        XCTAssertTrue(r.stderr.contains("lexgraph: error: unknown shell command ':frobnicate' (:help lists them)"), "\(r)")
        // The unknown command did not become the start of the next query.
        XCTAssertTrue(r.stdout.contains("42"), "\(r)")
        XCTAssertFalse(r.stdout.contains("not run"), ":quit leaves: \(r)")
    }

    /// SIGINT (what Ctrl-C sends) while a query runs, input from a pipe.
    func testSIGINTCancelsTheRunningQueryAndTheShellGoesOn() throws {
        let db = try SharedGraph.database()
        let shell = Process()
        shell.executableURL = try CLI.binary()
        shell.arguments = ["shell", "--db", db, "--time-limit", "300"]
        shell.environment = CLI.environment([:])
        let input = Pipe(), out = Pipe(), err = Pipe()
        shell.standardInput = input
        shell.standardOutput = out
        shell.standardError = err
        let stdout = LexgraphBinary.Collected(), stderr = LexgraphBinary.Collected()
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try shell.run()
        defer { if shell.isRunning { kill(shell.processIdentifier, SIGKILL) } }

        try input.fileHandleForWriting.write(contentsOf: Data((Self.slowQuery + "\n").utf8))
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(shell.isRunning)
        XCTAssertEqual(stdout.text, "", "the slow query is still running")
        let sent = Date()
        kill(shell.processIdentifier, SIGINT)
        XCTAssertTrue(wait(until: { stderr.text.contains("query cancelled") }, seconds: 20), "no 'query cancelled': \(stderr.text)")
        XCTAssertLessThan(Date().timeIntervalSince(sent), 10, "the cancellation stops the statement at once")
        guard shell.isRunning else { return XCTFail("SIGINT ended the shell: \(stderr.text)") }

        try input.fileHandleForWriting.write(contentsOf: Data("RETURN 40 + 2 AS answer;\n".utf8))
        XCTAssertTrue(wait(until: { stdout.text.contains("42") }, seconds: 20), "the next query did not run: \(stdout.text) \(stderr.text)")
        try input.fileHandleForWriting.close()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationReason, .exit)
        XCTAssertEqual(shell.terminationStatus, 0, stderr.text)
    }

    /// Ctrl-C typed on a real terminal: the shell runs in its own session with the
    /// pseudo-terminal as its controlling terminal (`setsid --ctty`), so the terminal
    /// driver turns the byte 0x03 into SIGINT for it, as for a user at a keyboard.
    func testCtrlCOnATerminalCancelsTheQueryAndReturnsToThePrompt() throws {
        let db = try SharedGraph.database()
        let (master, slave) = try pseudoTerminal()
        defer { close(master) }
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        shell.arguments = ["--wait", "--ctty", try CLI.binary().path, "shell", "--db", db, "--time-limit", "300"]
        shell.environment = CLI.environment(["TERM": "xterm"])
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        shell.standardInput = terminal
        shell.standardOutput = terminal
        shell.standardError = terminal
        try shell.run()
        close(slave)
        defer { if shell.isRunning { kill(shell.processIdentifier, SIGKILL) } }

        var screen = ""
        func read(until text: String, after offset: Int, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if screen.count > offset, screen.dropFirst(offset).contains(text) { return true }
                var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = Glibc.read(master, &buffer, buffer.count)
                if n > 0 { screen += String(decoding: buffer[0..<n], as: UTF8.self) }
            }
            return screen.count > offset && screen.dropFirst(offset).contains(text)
        }
        func type(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) } }

        XCTAssertTrue(read(until: "lexgraph> ", after: 0, seconds: 30), "no prompt: \(screen)")
        type(Self.slowQuery + "\r")
        Thread.sleep(forTimeInterval: 2)
        let before = screen.count
        type("\u{03}")
        XCTAssertTrue(read(until: "query cancelled", after: before, seconds: 20), "Ctrl-C did not cancel the query: \(screen.debugDescription)")
        XCTAssertTrue(read(until: "lexgraph> ", after: before, seconds: 10), "no prompt after the cancellation: \(screen.debugDescription)")
        let next = screen.count
        type("RETURN 40 + 2 AS answer;\r")
        XCTAssertTrue(read(until: "42", after: next, seconds: 20), "the next query did not run: \(screen.debugDescription)")
        // Keys typed before the line editor is back in raw mode would be flushed with the
        // mode switch: wait for its prompt.
        // The prompt may have arrived in the same read as the answer: look after the answer,
        // not after what has been read so far.
        let tail = String(screen.dropFirst(next))
        let answered = next + (tail.range(of: "(1 row)").map { tail.distance(from: tail.startIndex, to: $0.upperBound) } ?? tail.count)
        XCTAssertTrue(read(until: "lexgraph> ", after: answered, seconds: 10), "no prompt after the answer: \(screen.debugDescription)")
        type("\u{04}")  // Ctrl-D on an empty line leaves
        let deadline = Date().addingTimeInterval(20)
        while shell.isRunning && Date() < deadline { _ = read(until: "\u{0}", after: screen.count, seconds: 0.2) }
        guard !shell.isRunning else { return XCTFail("the shell did not leave on Ctrl-D: \(screen.debugDescription)") }
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0, "the shell ended with \(shell.terminationStatus) (130: killed by SIGINT): \(screen.debugDescription)")
    }

    func wait(until condition: () -> Bool, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(50_000) }
        return condition()
    }

    /// A new pseudo-terminal pair (see Tests/TerminalTests/RawModeSignalTests.swift for the
    /// two ioctls that stand in for `unlockpt` and `ptsname`).
    func pseudoTerminal() throws -> (master: Int32, slave: Int32) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw CLI.Failure(description: "no /dev/ptmx: \(String(cString: strerror(errno)))") }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            close(master)
            throw CLI.Failure(description: "cannot unlock a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { close(master); throw CLI.Failure(description: "cannot open /dev/pts/\(number)") }
        return (master, slave)
    }
}
