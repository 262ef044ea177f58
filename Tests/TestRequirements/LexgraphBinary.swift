import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The `lexgraph` binary the package built next to the test bundles, and one way to run
/// it and collect what it printed. Tests of every target that check a command's output
/// (errors, formats, read-only opens, the fuzzer) run the real binary through here.
public enum LexgraphBinary {
    /// The package root (this file is Tests/TestRequirements/LexgraphBinary.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary: next to the test bundle, else in the package's release or debug
    /// build folder. Missing is `TestRequirements.missing` (a skip locally, a failure in CI).
    /// `LEXGRAPH_TEST_BINARY=PATH` runs the tests against another build (an older one, to
    /// see a test fail before its fix).
    public static func url() throws -> URL {
        if let other = ProcessInfo.processInfo.environment["LEXGRAPH_TEST_BINARY"] { return URL(fileURLWithPath: other) }
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("lexgraph")) }
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("lexgraph")) }
        candidates.append(packageRoot.appendingPathComponent(".build/release/lexgraph"))
        candidates.append(packageRoot.appendingPathComponent(".build/debug/lexgraph"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestRequirements.missing("the lexgraph binary was not found next to the tests (looked in \(candidates.map(\.path)))")
        }
        return found
    }

    /// What one run printed and how it ended.
    public struct Result: CustomStringConvertible, Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, for checks that do not care which one a line went to.
        public var output: String { stdout + stderr }
        public var description: String { "exit \(status)\n--- stdout:\n\(stdout.prefix(3000))\n--- stderr:\n\(stderr.prefix(3000))" }
    }

    /// Runs `lexgraph ARGUMENTS` in `directory` (the package root by default) with `input`
    /// on stdin and waits for it, at most `timeout` seconds (then it is killed and this
    /// throws). `wrapper` goes in front of the binary (e.g. `setpriv` to drop root);
    /// `environment` replaces the caller's. Both output streams are read as they come, so
    /// a child that fills one pipe cannot block.
    public static func run(_ arguments: [String], in directory: URL? = nil, through wrapper: [String] = [],
                           input: String = "", environment: [String: String]? = nil,
                           timeout: TimeInterval = 600) throws -> Result {
        let process = Process()
        let binary = try url()
        if let tool = wrapper.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(wrapper.dropFirst()) + [binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory ?? packageRoot
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        let stdout = Collected(), stderr = Collected()
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        signal(SIGPIPE, SIG_IGN)  // a child that exits without reading its input fails its test, not the runner
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw RunFailure(description: "lexgraph \(arguments.joined(separator: " ")) ran past \(Int(timeout)) s")
        }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        stdout.append(out.fileHandleForReading.readDataToEndOfFile())
        stderr.append(err.fileHandleForReading.readDataToEndOfFile())
        return Result(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text)
    }

    /// A run that went past its time, or a set-up run that failed.
    public struct RunFailure: Error, CustomStringConvertible { public let description: String }

    /// A database holding one case (`c1`, "One v. Two"), made by `lexgraph load --init` in a
    /// temporary folder that is removed after `test`.
    public static func oneCaseDatabase(for test: XCTestCase) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-one-case-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try "key,name\nc1,One v. Two\n".write(to: dir.appendingPathComponent("nodes.csv"), atomically: true, encoding: .utf8)
        try """
            recipe: one
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
            """.write(to: dir.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("g.sqlite").path
        let load = try run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path])
        guard load.status == 0 else { throw RunFailure(description: "lexgraph load --init failed: \(load)") }
        return db
    }

    /// Bytes a pipe delivered, from the pipe's reading thread.
    public final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        public init() {}
        public func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
        public var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }
}
