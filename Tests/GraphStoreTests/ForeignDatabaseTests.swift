import Foundation
import GRDB
import GraphStore
import LexgraphCore
import XCTest

/// An SQLite file that is not a Lexgraph database (somebody's own data, passed by mistake
/// as `--db`) is refused in every open mode and left byte-identical: opening it for
/// writing used to run Lexgraph's migrations into it, and reading it reported an
/// "older lexgraph" database.
final class ForeignDatabaseTests: XCTestCase {
    private func foreignDatabase() throws -> String {
        let dir = try LoadTestSupport.tempFolder(self)
        let path = dir.appendingPathComponent("accounts.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE client(id INTEGER PRIMARY KEY, name TEXT)")
                try db.execute(sql: "INSERT INTO client(name) VALUES ('Acme LLP')")
            }
        }
        return path
    }

    private func digest(_ path: String) throws -> [UInt8] {
        Checksum.sha256([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func testEveryOpenModeRefusesAForeignDatabaseAndLeavesItAlone() throws {
        let path = try foreignDatabase()
        let before = try digest(path)
        for mode in [GraphStore.OpenMode.readOnly, .readWrite, .create] {
            XCTAssertThrowsError(try GraphStore(path: path, mode: mode), "\(mode)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("not a Lexgraph graph database"), text)
                XCTAssertTrue(text.contains("client"), "names what the file holds: \(text)")
            }
            XCTAssertEqual(try digest(path), before, "\(mode) left the file byte-identical")
        }
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        XCTAssertEqual(tables, ["client"], "no Lexgraph table was written into it")
    }

    func testAnEmptyFileIsStillCreatedAsANewDatabase() throws {
        let dir = try LoadTestSupport.tempFolder(self)
        let path = dir.appendingPathComponent("new.sqlite").path
        FileManager.default.createFile(atPath: path, contents: Data())
        let store = try GraphStore(path: path, mode: .create)
        XCTAssertEqual(try store.counts().nodes.count, 0)
    }
}
