import Foundation
import GraphStore
import LexgraphCore
import TestRequirements
import XCTest

/// The real binary: read-only commands on a write-protected copy, and what
/// `load --dry-run` prints.
final class ReadOnlyCLITests: XCTestCase {
    typealias S = LoadTestSupport

    /// Runs the lexgraph binary; as root (whom file modes do not stop) through
    /// `setpriv` as the unprivileged user 65534, when `unprivileged` and possible.
    private func lexgraph(_ arguments: [String], unprivileged: Bool = false) throws -> (status: Int32, out: String, err: String) {
        let dropRoot = unprivileged && geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        let r = try LexgraphBinary.run(arguments, in: S.root,
                                       through: dropRoot ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [])
        return (r.status, r.stdout, r.stderr)
    }

    private func database() throws -> (dir: URL, path: String) {
        let dir = try S.tempFolder(self)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        try S.write(["small.csv": "key,name\nbase:1,Base 1\nbase:2,Base 2\n"], in: dir)
        try S.write(["small.yaml": """
            recipe: small
            sources:
              - file: small.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
            """], in: dir)
        _ = try S.newStore(in: dir)
        return (dir, dir.appendingPathComponent("graph.sqlite").path)
    }

    func testLoadDryRunSpeaksOfWhatItWouldWrite() throws {
        let (dir, db) = try database()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let run = try lexgraph(["load", dir.appendingPathComponent("small.yaml").path, "--dry-run", "--db", db, "--data", dir.path])
        XCTAssertEqual(run.status, 0, run.err)
        let lines = run.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("dry run (nothing written): small: 2 records read in ") == true, run.out)
        XCTAssertEqual(Array(lines.dropFirst().prefix(3)), [
            "would write nodes: 2 new, 0 changed, 0 unchanged; edges: 0 new, 0 changed, 0 unchanged",
            "  would load node SupremeCourtCase: 2",
            // The data-quality report: the recipe fills only `name` of SupremeCourtCase's 34 optional properties.
            "quality: 66 empty optional properties, 0 dates out of range, 0 duplicates kept out, 0 unresolved references",
        ], run.out)
        XCTAssertEqual(lines.count, 5, run.out)
        XCTAssertTrue(lines.last?.hasPrefix("  SupremeCourtCase (2 nodes): mostly empty: case_disposition_code, case_origin_code, ") == true, run.out)
        XCTAssertFalse(lines.last?.contains(" name,") ?? true, run.out)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "a dry run leaves the file byte-identical")
    }

    func testReadOnlyCommandsWorkOnAWriteProtectedCopy() throws {
        let (dir, db) = try database()
        let load = try lexgraph(["load", dir.appendingPathComponent("small.yaml").path, "--db", db, "--data", dir.path])
        XCTAssertEqual(load.status, 0, load.err)
        let roDir = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: roDir, withIntermediateDirectories: true)
        let copy = roDir.appendingPathComponent("graph.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: roDir.path)
        addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: roDir.path) }
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))

        let query = try lexgraph(["query", "MATCH (c:SupremeCourtCase) RETURN count(c) AS n", "--format", "csv", "--db", copy], unprivileged: true)
        XCTAssertEqual(query.status, 0, query.err)
        XCTAssertEqual(query.out, "n\n2\n")
        let stats = try lexgraph(["stats", "--db", copy], unprivileged: true)
        XCTAssertEqual(stats.status, 0, stats.err)
        XCTAssertTrue(stats.out.contains("SupremeCourtCase"), stats.out)
        let history = try lexgraph(["ontology", "history", "--db", copy], unprivileged: true)
        XCTAssertEqual(history.status, 0, history.err)

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), before, "reads leave the file byte-identical")
        if geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: roDir.path), ["graph.sqlite"], "nothing was created beside it")
        }
    }
}
