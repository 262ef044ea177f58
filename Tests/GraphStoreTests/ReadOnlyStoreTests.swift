import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Ontology
import XCTest

/// Work that must not write: reads through a store opened read-only, refused loads and
/// updates, dry runs. Each compares the database file's bytes (SHA-256) before and after.
final class ReadOnlyStoreTests: XCTestCase {
    typealias S = LoadTestSupport

    static let recipe = """
        recipe: small
        sources:
          - file: small.csv
            nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, term: term}}]
        """

    /// A database file holding two cases, every connection to it closed.
    private func database() throws -> (dir: URL, path: String) {
        let dir = try S.tempFolder(self)
        try S.write(["small.csv": "key,name,term\nbase:1,Base 1,1900\nbase:2,Base 2,1901\n"], in: dir)
        let recipe = try S.recipe(Self.recipe, in: dir, name: "small.yaml")
        do {
            let store = try S.newStore(in: dir)
            try GraphLoader(store: store, dataFolder: dir).load([recipe])
        }
        let path = dir.appendingPathComponent("graph.sqlite").path
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "closing the last connection removes the -wal file")
        return (dir, path)
    }

    private func digest(_ path: String) throws -> String {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return Checksum.sha256(bytes).map { String(format: "%02x", $0) }.joined()
    }

    private func files(in dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testReadOnlyWorkLeavesTheFileByteIdentical() throws {
        let (dir, path) = try database()
        let before = try digest(path)
        do {
            let store = try GraphStore(path: path, mode: .readOnly)
            XCTAssertEqual(try store.counts().nodes.map { "\($0.0) \($0.1)" }, ["SupremeCourtCase 2"])
            XCTAssertEqual(try store.ontologyHistory().count, S.shippedOntologyVersion)
            // `ontology diff` of a document: a dry run that needs writes, on a copy.
            let report = try store.previewOntologyDocument(try store.activeOntology(), source: "same.yaml")
            XCTAssertEqual(report.status, .dryRun)
            XCTAssertThrowsError(try store.write { _ in }) { error in
                XCTAssertTrue("\(error)".contains("opened read-only"), "\(error)")
            }
        }
        XCTAssertEqual(try digest(path), before, "a read must leave the file byte-identical")
        _ = dir
    }

    func testOpeningForWritingWritesNothingByItself() throws {
        let (dir, path) = try database()
        let before = try digest(path)
        do {
            let store = try GraphStore(path: path)
            XCTAssertEqual(try store.counts().nodes.count, 1)
        }
        XCTAssertEqual(try digest(path), before, "opening for writing must not change the file")
        XCTAssertEqual(try files(in: dir).filter { $0.hasPrefix("graph.sqlite") }, ["graph.sqlite"], "no -wal or -shm left behind")
    }

    func testRefusedLoadWritesNothingNotEvenALogRow() throws {
        let (dir, path) = try database()
        let before = try digest(path)
        try S.write(["small.csv": "key,name,term\nbase:1,Changed,1900\nbase:3,Base 3,not a year\n"], in: dir)
        do {
            let store = try GraphStore(path: path)
            XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load([try S.recipe(Self.recipe, in: dir, name: "small.yaml")])) { error in
                XCTAssertTrue(error is LoadFailure, "\(error)")
            }
            XCTAssertEqual(try store.read { db in try String.fetchAll(db, sql: "SELECT status FROM load_log") }, ["ok"])
        }
        XCTAssertEqual(try digest(path), before, "a refused load must leave the file byte-identical")
        XCTAssertEqual(try files(in: dir).filter { $0.hasPrefix("graph.sqlite") }, ["graph.sqlite"], "no -wal or -shm left behind")
    }

    func testRefusedAndDryRunUpdatesLeaveTheFileByteIdentical() throws {
        let (dir, path) = try database()
        let before = try digest(path)
        let outOfOrder = """
            update: 9
            date: 2026-12-01
            base_version: 8
            description: too far ahead
            changes:
              - op: add_property
                node_type: SupremeCourtCase
                name: test_pages
                definition: int
            """
        let version = S.shippedOntologyVersion
        let next = outOfOrder.replacingOccurrences(of: "update: 9", with: "update: \(version + 1)")
            .replacingOccurrences(of: "base_version: 8", with: "base_version: \(version)")
        let nextFile = String(format: "%04d-2026-12-01-x.yaml", version + 1)
        do {
            let store = try GraphStore(path: path)
            XCTAssertThrowsError(try store.applyOntologyUpdate(try OntologyUpdate(yaml: outOfOrder, file: "0009-2026-12-01-x.yaml"))) { error in
                XCTAssertTrue("\(error)".contains("out of order"), "\(error)")
            }
            let report = try store.applyOntologyUpdate(try OntologyUpdate(yaml: next, file: nextFile), options: OntologyApplyOptions(dryRun: true))
            XCTAssertEqual(report.status, .dryRun)
        }
        do {
            let readOnly = try GraphStore(path: path, mode: .readOnly)
            let report = try readOnly.applyOntologyUpdate(try OntologyUpdate(yaml: next, file: nextFile), options: OntologyApplyOptions(dryRun: true))
            XCTAssertTrue(report.isApplicable, report.text)
            XCTAssertThrowsError(try readOnly.applyOntologyUpdate(try OntologyUpdate(yaml: next, file: nextFile)))
        }
        XCTAssertEqual(try digest(path), before, "a refused or dry-run update must leave the file byte-identical")
        _ = dir
    }

    /// A write-protected copy in a write-protected folder: as a user other than root the
    /// folder really is read-only (root ignores the modes; the test then still checks
    /// the bytes, and the immutable path is exercised below).
    func testQueriesAWriteProtectedCopy() throws {
        let (_, path) = try database()
        let copyDir = try S.tempFolder(self).appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: copyDir, withIntermediateDirectories: true)
        let copy = copyDir.appendingPathComponent("graph.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let before = try digest(copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: copyDir.path)
        addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copyDir.path) }
        do {
            let store = try GraphStore(path: copy, mode: .readOnly)
            XCTAssertEqual(try store.counts().nodes.map(\.1), [2])
        }
        XCTAssertEqual(try digest(copy), before)
    }

    func testImmutableOpenReadsWithoutSideFiles() throws {
        let (dir, path) = try database()
        let before = try digest(path)
        let uri = GraphStore.immutableURI(of: path)
        XCTAssertTrue(uri.hasPrefix("file:/") && uri.hasSuffix("?immutable=1"), uri)
        var config = Configuration()
        config.readonly = true
        do {
            let pool = try DatabasePool(path: uri, configuration: config)
            XCTAssertEqual(try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node") }, 2)
        }
        XCTAssertEqual(try digest(path), before)
        XCTAssertEqual(try files(in: dir).filter { $0.hasPrefix("graph.sqlite") }, ["graph.sqlite"], "an immutable open makes no -wal or -shm")
    }
}
