import GRDB
import GraphStore
import XCTest
import Compliance

/// The audit chain: appends, verification, and tampering (edit, delete, reorder), each
/// detected at the first bad entry.
final class AuditChainTests: XCTestCase {
    private func store(entries: Int) throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: .permissive)
        for i in 1...entries {
            try AuditChain.append(AuditEntry(principal: "curator", action: "load", subject: "graphs/recipe-\(i).yaml", outcome: "ok: \(i) nodes"), to: store)
        }
        return store
    }

    /// Changes rows behind the chain's back, as someone with the file and sqlite3 could.
    private func tamper(_ store: GraphStore, _ sql: String...) throws {
        try store.database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
            for s in sql { try db.execute(sql: s) }
        }
    }

    func testAppendedChainVerifiesAndIsAppendOnly() throws {
        let store = try store(entries: 5)
        let result = try AuditChain.verify(store)
        XCTAssertTrue(result.isIntact)
        XCTAssertEqual(result.entries, 5)
        let rows = try store.read { db in try AuditLogTable.all(in: db) }
        XCTAssertEqual(rows.map(\.seq), [1, 2, 3, 4, 5])
        XCTAssertEqual(rows[0].prevHash, AuditChain.genesis)
        XCTAssertEqual(rows[3].prevHash, rows[2].hash)
        XCTAssertEqual(result.head, rows[4].hash)
        XCTAssertThrowsError(try store.database.write { db in try db.execute(sql: "UPDATE audit_log SET outcome = 'x' WHERE seq = 2") }) { error in
            XCTAssertTrue("\(error)".contains("audit_log is append-only"), "\(error)")
        }
        XCTAssertThrowsError(try store.database.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE seq = 2") })
    }

    func testEditedEntryIsNamed() throws {
        let store = try store(entries: 5)
        try tamper(store, "UPDATE audit_log SET outcome = 'ok: 0 nodes' WHERE seq = 3")
        let result = try AuditChain.verify(store)
        XCTAssertEqual(result.firstBad?.seq, 3)
        XCTAssertEqual(result.firstBad?.reason, "entry 3 was changed: its hash does not match its contents")
        XCTAssertEqual(result.entries, 2)
    }

    func testDeletedEntryIsNamed() throws {
        let store = try store(entries: 5)
        try tamper(store, "DELETE FROM audit_log WHERE seq = 2")
        let result = try AuditChain.verify(store)
        XCTAssertEqual(result.firstBad?.seq, 2)
        XCTAssertEqual(result.firstBad?.reason, "entry 2 is missing (entry 3 follows entry 1)")
    }

    func testDeletedAndRenumberedEntryIsNamed() throws {
        let store = try store(entries: 5)
        try tamper(store, "DELETE FROM audit_log WHERE seq = 2", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")
        let result = try AuditChain.verify(store)
        XCTAssertEqual(result.firstBad?.seq, 2)
        XCTAssertTrue(result.firstBad?.reason.hasPrefix("entry 2 does not link to entry 1") == true, "\(String(describing: result.firstBad))")
    }

    func testReorderedEntriesAreNamed() throws {
        let store = try store(entries: 5)
        // Swap entries 2 and 4 wholesale (contents and hashes), keeping the numbers in place.
        try tamper(store,
                   "UPDATE audit_log SET seq = 100 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 4", "UPDATE audit_log SET seq = 4 WHERE seq = 100")
        let result = try AuditChain.verify(store)
        XCTAssertEqual(result.firstBad?.seq, 2)
        XCTAssertTrue(result.firstBad?.reason.hasPrefix("entry 2 ") == true, "\(String(describing: result.firstBad))")
    }

    func testHookAppendsOnlyWhenItsTransactionCommits() throws {
        let store = try store(entries: 1)
        let hook = AuditChain.hook(action: "ontology.apply", subject: "ontology/updates/0002.yaml", principal: "curator")
        try store.database.write { db in try hook(db, "applied update 2") }
        struct Refused: Error {}
        XCTAssertThrowsError(try store.database.write { db in
            try hook(db, "applied update 3")
            throw Refused()
        })
        let rows = try store.read { db in try AuditLogTable.all(in: db) }
        XCTAssertEqual(rows.map(\.outcome), ["ok: 1 nodes", "applied update 2"])
        XCTAssertEqual(rows.last?.action, "ontology.apply")
        XCTAssertTrue(try AuditChain.verify(store).isIntact)
    }
}
