import ContractReview
import Foundation
import LexgraphCore
import TestRequirements
import XCTest

/// Where the clause-task tests find their files: the small hand-written inputs in
/// Tests/Fixtures/clauses/, the reference values tools/make_clause_fixtures.py computed
/// with Python's csv module (expected_real.json), the committed split files and the
/// shared data (`$LEXGRAPH_DATA` or ../shared/data; missing: a skip, a failure under CI).
enum ClauseTestData {
    static let root = LexgraphBinary.packageRoot
    static let fixtures = root.appendingPathComponent("Tests/Fixtures/clauses")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static var dataFolder: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["LEXGRAPH_DATA"]
            ?? root.appendingPathComponent("../shared/data").standardizedFileURL.path)
    }

    /// The real source file of `task`, or a skip (failure under CI) when the shared data is missing.
    static func realFile(_ task: ClauseTask) throws -> String {
        let path = dataFolder.appendingPathComponent(task.dataFile).path
        try TestRequirements.requireFile(path, "the shared clause data (\(task.dataFile))")
        return path
    }

    /// The real corpora, each read once per test run.
    nonisolated(unsafe) private static var loaded: [ClauseTask: ClauseCorpus] = [:]
    private static let lock = NSLock()

    static func realCorpus(_ task: ClauseTask) throws -> ClauseCorpus {
        let path = try realFile(task)
        lock.lock(); defer { lock.unlock() }
        if let corpus = loaded[task] { return corpus }
        let corpus = try ClauseCorpus.load(task, path: path)
        loaded[task] = corpus
        return corpus
    }

    /// The committed split file of `task`.
    static func splitFile(_ task: ClauseTask) -> String { root.appendingPathComponent(task.splitFile).path }

    /// expected_real.json's entry for `task`.
    static func expected(_ task: ClauseTask) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("expected_real.json"))
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(all[task.rawValue] as? [String: Any])
    }

    /// A temporary folder removed after `test`.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-clauses-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Writes `text` to `name` in `folder` and returns its path.
    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The error's one-line description, or a failure when nothing was thrown.
    static func message(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do { try body() } catch { return "\(error)" }
        XCTFail("expected an error", file: file, line: line)
        return ""
    }
}
