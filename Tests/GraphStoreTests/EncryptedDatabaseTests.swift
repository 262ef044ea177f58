import Foundation
import GRDB
import GraphStore
import TestRequirements
import XCTest

/// Encryption at rest, for real: SQLite 3.40 through the AES-256-GCM VFS of
/// CLexgraphCrypt (OpenSSL), a real load, the real files on disk.
final class EncryptedDatabaseTests: XCTestCase {
    typealias S = LoadTestSupport

    /// A string that must never appear in a file on disk or in an error message.
    static let canary = "ZEBRA-CANARY-7f3a91"

    private func key(_ text: String) throws -> DatabaseKey { try DatabaseKey(material: Array(text.utf8), source: "the test key '\(text.prefix(3))...'") }

    /// A new encrypted database in a temporary folder holding 200 cases, one of them
    /// named after the canary; the store is still open (its -wal holds the load).
    private func encryptedGraph(key: DatabaseKey) throws -> (dir: URL, path: String, store: GraphStore) {
        let dir = try S.tempFolder(self)
        var csv = "key,name,facts\n"
        for i in 0..<200 {
            let party = i == 17 ? Self.canary : "Case \(i)"
            csv += "case:\(i),\(party) v. United States,The petitioner \(party) was searched without a warrant.\n"
        }
        try S.write(["cases.csv": csv], in: dir)
        let recipe = try S.recipe("""
            recipe: cases
            sources:
              - file: cases.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, facts: facts}}]
            """, in: dir)
        let path = dir.appendingPathComponent("graph.sqlite").path
        let store = try BuildCatalog.openForBuild(path: path, root: S.root, key: .key(key))
        try GraphLoader(store: store, dataFolder: dir).load([recipe])
        return (dir, path, store)
    }

    private func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    private func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch let error as GraphStoreError { return error.message } catch { return "\(error)" }
    }

    func testTheFileHasNoSQLiteHeaderAndNoPlaintextOnDisk() throws {
        let secret = try key("correct horse battery staple")
        let (_, path, store) = try encryptedGraph(key: secret)
        XCTAssertTrue(store.isEncrypted)
        let canary = Data(Self.canary.utf8)
        // While open, the load sits in the WAL: neither file may show the canary.
        XCTAssertGreaterThan(bytes(path + "-wal").count, 0, "the load should still be in the WAL")
        for file in [path, path + "-wal", path + "-shm"] {
            XCTAssertNil(bytes(file).range(of: canary), "plaintext canary found in \(file)")
            XCTAssertNil(bytes(file).range(of: Data("SupremeCourtCase".utf8)), "plaintext type name found in \(file)")
        }
        XCTAssertFalse(bytes(path).starts(with: Data("SQLite format 3".utf8)))
        // The data reads back, through SQL and the FTS5 index.
        let name = try store.read { db in try String.fetchOne(db, sql: "SELECT json_extract(props, '$.name') FROM node WHERE key = 'case:17'") }
        XCTAssertEqual(name, "\(Self.canary) v. United States")
        let hits = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node_fts WHERE node_fts MATCH ?", arguments: ["\"\(Self.canary)\""]) }
        XCTAssertEqual(hits, 1)
        XCTAssertEqual(try store.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }, ["ok"])
        // After the last connection closes, the checkpointed file is still ciphertext.
        try store.database.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        XCTAssertNil(bytes(path).range(of: canary))
        XCTAssertEqual(bytes(path).count % 4096, 0)
    }

    func testReopensWithTheKeyReadOnlyAndForWriting() throws {
        let secret = try key("k1")
        let (_, path, store) = try encryptedGraph(key: secret)
        let reader = try GraphStore(path: path, mode: .readOnly, key: .key(secret))
        XCTAssertTrue(reader.isEncrypted)
        XCTAssertEqual(try S.count(reader, "node"), 200)
        let writer = try GraphStore(path: path, mode: .readWrite, key: .key(secret))
        XCTAssertEqual(writer.migrationsApplied, [])
        XCTAssertEqual(try S.count(writer, "node"), 200)
        _ = store
    }

    func testAWrongKeyIsAClearErrorThatLeaksNothing() throws {
        let (_, path, _) = try encryptedGraph(key: try key("right key"))
        for mode in [GraphStore.OpenMode.readOnly, .readWrite, .create] {
            let text = message { try GraphStore(path: path, mode: mode, key: .key(try self.key("wrong key"))) }
            XCTAssertEqual(text, "the database at \(path) could not be decrypted: wrong key or not an encrypted Lexgraph database (key from the test key 'wro...')")
            XCTAssertFalse(text.contains(Self.canary))
        }
    }

    func testAnEncryptedFileWithoutAKeyIsRefusedClearly() throws {
        let (_, path, _) = try encryptedGraph(key: try key("k"))
        let text = message { try GraphStore(path: path, mode: .readOnly, key: .noKey) }
        XCTAssertEqual(text, "the graph database \(path) is encrypted and no key was given: set LEXGRAPH_DB_KEY_FILE to a key file (or LEXGRAPH_DB_KEY to the key)")
        // Plain SQLite cannot read it either (another program, no shim).
        XCTAssertThrowsError(try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node") }) { error in
            XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_NOTADB, "\(error)")
        }
    }

    func testAKeyForAPlainDatabaseIsRefused() throws {
        let dir = try S.tempFolder(self)
        let plain = try S.newStore(in: dir)
        XCTAssertFalse(plain.isEncrypted)
        let path = dir.appendingPathComponent("graph.sqlite").path
        XCTAssertTrue(bytes(path).starts(with: Data("SQLite format 3".utf8)))
        XCTAssertEqual(message { try GraphStore(path: path, mode: .readOnly, key: .key(try self.key("k"))) },
                       "the graph database \(path) is not encrypted, but a key was given (the test key 'k...'): run `lexgraph key encrypt --db \(path)` to encrypt it, or open it without a key")
    }

    func testATruncatedFileIsAClearError() throws {
        let secret = try key("k")
        let (dir, path, store) = try encryptedGraph(key: secret)
        try store.database.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let whole = bytes(path)
        let pages = whole.count / 4096
        XCTAssertGreaterThan(pages, 3)
        for (name, cut) in [("mid-page", whole.count - 100), ("pages", whole.count - 2 * 4096), ("tiny", 1000)] {
            let copy = dir.appendingPathComponent("cut-\(name).sqlite").path
            try whole.prefix(cut).write(to: URL(fileURLWithPath: copy))
            let text = message { try GraphStore(path: copy, mode: .readOnly, key: .key(secret)) }
            switch name {
            case "mid-page": XCTAssertEqual(text, "the encrypted database at \(copy) is truncated: \(cut) bytes (not a whole number of 4096-byte pages)")
            case "pages": XCTAssertEqual(text, "the encrypted database at \(copy) is truncated: \(cut) bytes, its header records \(pages) pages (\(pages * 4096) bytes)")
            default: XCTAssertEqual(text, "the encrypted database at \(copy) is truncated: \(cut) bytes (not a whole number of 4096-byte pages)")
            }
        }
    }

    func testATamperedPageFailsInsteadOfReadingGarbage() throws {
        let secret = try key("k")
        let (dir, path, store) = try encryptedGraph(key: secret)
        try store.database.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        var data = bytes(path)
        for page in 1..<(data.count / 4096) { data[page * 4096 + 100] ^= 0x01 }
        let copy = dir.appendingPathComponent("tampered.sqlite").path
        try data.write(to: URL(fileURLWithPath: copy))
        // Page 1 is intact, so the key check passes; a changed page fails its tag when
        // read (at open if the schema lives there, else in the integrity check).
        do {
            let opened = try GraphStore(path: copy, mode: .readOnly, key: .key(secret))
            _ = try opened.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            XCTFail("a tampered page was read")
        } catch let error as DatabaseError {
            XCTAssertEqual(error.extendedResultCode, .SQLITE_IOERR_DATA, "\(error)")
        } catch let error as GraphStoreError {
            XCTAssertEqual(error.message, "cannot open graph database \(copy) for reading: disk I/O error")
        }
    }

    func testRotationKeepsTheDataAndRetiresTheOldKey() throws {
        let old = try key("old key"), new = try key("new key")
        let (_, path, store) = try encryptedGraph(key: old)
        let before = try store.read { db in try Row.fetchAll(db, sql: "SELECT key, type, props FROM node ORDER BY key") }
        try store.close()
        let report = try DatabaseKeyChange.rotate(path: path, from: old, to: new)
        XCTAssertEqual(report.bytes, Int64(bytes(path).count))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".rekey"))
        let reopened = try GraphStore(path: path, mode: .readOnly, key: .key(new))
        XCTAssertEqual(try reopened.read { db in try Row.fetchAll(db, sql: "SELECT key, type, props FROM node ORDER BY key") }, before)
        XCTAssertEqual(try reopened.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }, ["ok"])
        XCTAssertEqual(try reopened.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }, "wal")
        XCTAssertTrue(message { try GraphStore(path: path, mode: .readOnly, key: .key(old)) }.hasPrefix("the database at \(path) could not be decrypted: wrong key"))
        XCTAssertNil(bytes(path).range(of: Data(Self.canary.utf8)))
    }

    func testEncryptAndDecryptConvertInPlace() throws {
        let dir = try S.tempFolder(self)
        let path = dir.appendingPathComponent("graph.sqlite").path
        do {
            let plain = try S.newStore(in: dir)
            try plain.installOntology(.permissive, documentText: "", source: Self.canary, summary: "canary")
            try plain.close()
        }
        let secret = try key("k")
        _ = try DatabaseKeyChange.encrypt(path: path, with: secret)
        XCTAssertFalse(bytes(path).starts(with: Data("SQLite format 3".utf8)))
        XCTAssertNil(bytes(path).range(of: Data(Self.canary.utf8)))
        let encrypted = try GraphStore(path: path, mode: .readWrite, key: .key(secret))
        XCTAssertEqual(try encrypted.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ontology_version WHERE source = ?", arguments: [Self.canary]) }, 1)
        try encrypted.close()
        _ = try DatabaseKeyChange.decrypt(path: path, with: secret)
        XCTAssertTrue(bytes(path).starts(with: Data("SQLite format 3".utf8)))
        let plain = try GraphStore(path: path, mode: .readOnly, key: .noKey)
        XCTAssertFalse(plain.isEncrypted)
        XCTAssertEqual(try plain.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ontology_version WHERE source = ?", arguments: [Self.canary]) }, 1)
    }

    func testTheVFSRefusesARollbackJournal() throws {
        let (_, _, store) = try encryptedGraph(key: try key("k"))
        XCTAssertThrowsError(try store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }) { error in
            XCTAssertEqual((error as? DatabaseError)?.message, "encrypted Lexgraph databases stay in WAL mode (a rollback journal would hold plaintext pages)")
        }
    }

    /// A `lexgraph load` killed half-way through its transaction leaves an encrypted
    /// database that opens with the key and holds the state before the load.
    func testAKilledLoadLeavesTheOldStateReadable() throws {
        let (dir, path, store) = try encryptedGraph(key: try key("file key"))
        try store.close()
        let keyFile = dir.appendingPathComponent("db.key").path
        try "file key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        // Few rows (quick to parse) with long texts: the transaction outgrows the page
        // cache and spills into the WAL well before it commits.
        var nodes = "key,name,facts\n"
        let filler = String(repeating: "Synthetic facts of a search and seizure. ", count: 50)
        for i in 0..<5_000 { nodes += "syn:\(i),Synthetic \(i),\(filler)\(i)\n" }
        try S.write(["nodes.csv": nodes], in: dir)
        _ = try S.recipe("""
            recipe: big
            sources:
              - file: nodes.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name, facts: facts}}]
            """, in: dir, name: "big.yaml")
        let process = Process()
        process.executableURL = try LexgraphBinary.url()
        process.arguments = ["load", dir.appendingPathComponent("big.yaml").path, "--db", path, "--data", dir.path]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEXGRAPH_") }.merging(["LEXGRAPH_DB_KEY_FILE": keyFile]) { _, b in b }
        process.currentDirectoryURL = S.root
        let err = Pipe(), output = LoadDurabilityTests.Output()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        // Kill once the open transaction has spilled pages into the WAL.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning, bytes(path + "-wal").count < 1 << 20 { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(process.isRunning, "the load ended before it could be killed: \(output.value)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, output.value)

        XCTAssertGreaterThan(bytes(path + "-wal").count, 0, "the killed load left pages in the WAL")
        XCTAssertNil(bytes(path + "-wal").range(of: Data("Synthetic 1".utf8)))
        let reopened = try GraphStore(path: path, mode: .readWrite, key: .key(try DatabaseKey.file(keyFile)))
        XCTAssertEqual(try reopened.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }, ["ok"])
        XCTAssertEqual(try S.count(reopened, "node"), 200)
        XCTAssertEqual(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node_fts WHERE node_fts MATCH 'seizure'") }, 0)
    }
}
