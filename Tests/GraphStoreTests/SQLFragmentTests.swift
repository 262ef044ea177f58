import GRDB
import GraphStore
import XCTest

/// SQL built as values that carry their arguments: the arguments stay in text order
/// however the fragments are nested and joined, and each dialect writes its own
/// placeholders.
final class SQLFragmentTests: XCTestCase {
    func testArgumentsFollowTheTextThroughNestingAndJoins() throws {
        let type: SQLFragment = "e1.type = \(bind: "CITES")"
        let seed: SQLFragment = "s2.id = \(slot: "m")"
        let both = [seed, type, "n1.name = \(bind: "Mapp")"].joined(separator: " AND ")
        let statement: SQLFragment = "SELECT n1.id FROM node n1 WHERE \(both) LIMIT \(bind: 10)"
        XCTAssertEqual(statement.arguments, [.slot("m"), .value("CITES".databaseValue), .value("Mapp".databaseValue), .value(10.databaseValue)])
        XCTAssertEqual(statement.description, "SELECT n1.id FROM node n1 WHERE s2.id = ? AND e1.type = ? AND n1.name = ? LIMIT ?")

        let sqlite = statement.rendered(for: SQLiteDialect())
        XCTAssertEqual(sqlite.sql, "SELECT n1.id FROM node n1 WHERE s2.id = ? AND e1.type = ? AND n1.name = ? LIMIT ?")
        XCTAssertEqual(sqlite.arguments, statement.arguments)
        let numbered = statement.rendered(for: PostgreSQLDialect())
        XCTAssertEqual(numbered.sql, "SELECT n1.id FROM node n1 WHERE s2.id = $1 AND e1.type = $2 AND n1.name = $3 LIMIT $4")
    }

    /// A value is never text: quotes and a question mark inside it stay in the argument.
    func testValuesStayOutOfTheText() throws {
        let fragment: SQLFragment = "n.key = \(bind: "it's ? a \"key\"")"
        XCTAssertEqual(fragment.rendered(for: SQLiteDialect()).sql, "n.key = ?")
        XCTAssertEqual(fragment.arguments, [.value("it's ? a \"key\"".databaseValue)])
        XCTAssertEqual(SQLFragment.bind(nil).arguments, [.value(.null)])
    }

    /// SQLite's JSON path of a key: literal for a plain key (what the identifier indexes
    /// are declared on), bound otherwise, none where its path syntax cannot quote the key.
    func testSQLitePropertyPaths() throws {
        let dialect = SQLiteDialect()
        XCTAssertEqual(dialect.propertyPath("usid")?.description, "'$.\"usid\"'")
        XCTAssertEqual(dialect.propertyPath("odd key")?.arguments, [.value("$.\"odd key\"".databaseValue)])
        XCTAssertNil(dialect.propertyPath("quo\"te"))
        XCTAssertNil(dialect.propertyPath("back\\slash"))
    }
}
