import Foundation
import GRDB
import XCTest

/// A database made by an older lexgraph: read-only commands refuse it (they never write,
/// so they cannot migrate it) and name `lexgraph migrate`, which brings it up to date
/// without touching the data.
final class MigrateTests: XCTestCase {
    func testReadOnlyCommandsNameMigrateAndMigrateUpgradesTheSchema() throws {
        let dir = try CLI.temporaryFolder(self)
        let db = dir.appendingPathComponent("old.sqlite").path
        let init_ = try CLI.run(["ontology", "init", "ontology/legal-core.yaml", "--db", db])
        XCTAssertEqual(init_.status, 0, "\(init_)")
        // What a lexgraph before the edge-horizon index left: no index, no record of it.
        do {
            let queue = try DatabaseQueue(path: db)
            try queue.write { db in
                try db.execute(sql: "DROP INDEX edge_dated_by_type")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-edge-horizon'")
            }
        }
        let refused = try CLI.run(["stats", "--db", db])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("made by an older lexgraph (its schema lacks v2-edge-horizon)"), "\(refused)")
        XCTAssertTrue(refused.stderr.contains("run `lexgraph migrate --db \(db)`"), "\(refused)")

        let migrated = try CLI.run(["migrate", "--db", db])
        XCTAssertEqual(migrated.status, 0, "\(migrated)")
        XCTAssertEqual(migrated.stdout, "\(db): applied v2-edge-horizon\n")
        let indexes = try DatabaseQueue(path: db).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'edge_dated_by_type'")
        }
        XCTAssertEqual(indexes, ["edge_dated_by_type"])

        let again = try CLI.run(["migrate", "--db", db])
        XCTAssertEqual(again.stdout, "\(db): schema up to date, nothing to do\n", "\(again)")
        let stats = try CLI.run(["stats", "--db", db])
        XCTAssertEqual(stats.status, 0, "\(stats)")
        XCTAssertTrue(stats.stdout.contains("total: 0 nodes, 0 edges"), "\(stats)")
    }
}
