import Foundation
import XCTest

/// SQL over the graph tables lives in the stores, GraphStore and PostgresStore (issue 16:
/// one place per backend). A scan of Sources/: outside the stores no code line (comments
/// aside) may hold SQL text, except the query compiler's dialect-neutral frame in
/// `compilerFiles` (SELECT, FROM, JOIN, WHERE, EXISTS), and even there nothing that
/// differs between engines: those constructs come from the `SQLDialect`. Stores of their
/// own SQLite files (`ownDatabaseFiles`) may hold SQL, but none over a graph table.
final class SQLPlacementTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The graph's stores: SQLite (GraphStore) and the PostgreSQL server (PostgresStore,
    /// whose statements are PostgreSQL's own).
    static let storeModules = ["Sources/GraphStore/", "Sources/PostgresStore/"]

    /// The compiler that writes each MATCH's frame and asks its dialect for the rest.
    static let compilerFiles: Set<String> = ["Sources/Query/MatchPlanner.swift", "Sources/Query/SQLProjection.swift"]

    /// Stores of their own SQLite files, which hold no graph table and stay local files
    /// whatever backend holds the graph; they may hold SQL, but never over graph tables.
    static let ownDatabaseFiles: [String: String] = [
        "Sources/HyperparameterSearch/StudyStore.swift": "the `lexgraph tune` study file (trials, jobs, results)",
    ]

    /// SQL over the graph's own tables.
    static let graphTablePatterns = [#"\b(FROM|JOIN|INTO|UPDATE)\s+(node|edge|node_label|node_fts|store_meta|ontology_version)\b"#]

    /// SQL functions and tables only a database engine knows.
    static let engineTokens = [
        #"\bjson_\w+\("#, #"\bjsonb?_typeof\b"#, #"->>"#, #"\binstr\("#, #"\bstrpos\("#, #"\bnode_fts\b"#, #"\bbm25\("#,
        #"\browid\b"#, #"\bsqlite_master\b"#,
    ]

    /// Statement SQL: a keyword pair or a table name in SQL position, or an SQL string
    /// handed to GRDB (`sql: "…"`). (Not lone keywords: LIMIT, UNION, CREATE are Cypher too.)
    static let statementPatterns = [
        #"\bSELECT\b[^\n]*\bFROM\b"#, #"\bINSERT\s+(OR\s+\w+\s+)?INTO\b"#, #"\bUPDATE\s+\w+\s+SET\b"#, #"\bDELETE\s+FROM\b"#,
        #"\bWITH\s+RECURSIVE\b"#, #"\bCREATE\s+(UNIQUE\s+)?(TABLE|INDEX|VIRTUAL|TRIGGER|VIEW)\b"#, #"\bPRAGMA\s"#,
        #"\b(FROM|JOIN)\s+(node|edge|node_label|node_fts|store_meta|ontology_version)\b"#,
        #"\bsql:\s*""#, #"EXPLAIN QUERY PLAN"#,
    ] + engineTokens

    /// In the compiler's files: every construct whose SQL differs between engines comes
    /// from the `SQLDialect`, and every value is bound through `SQLFragment`.
    static let dialectPatterns = engineTokens + [
        #"\bLIMIT\b"#, #"\bOFFSET\b"#, #"\bUNION\b"#, #"\bNULLS\s+(FIRST|LAST)\b"#, #"\bWITH\s+RECURSIVE\b"#, #"\bASC\b"#, #"\bDESC\b"#,
        #""','""#, #"::"#,
        // A placeholder written as text.
        #""[^"\n]*(= \?|\(\?|\?\))[^"\n]*""#,
    ]

    /// Code lines (comment lines dropped) of a Swift source, with their line numbers.
    static func codeLines(_ text: String) -> [(number: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line -> (Int, String)? in
            line.trimmingCharacters(in: .whitespaces).hasPrefix("//") ? nil : (i + 1, String(line))
        }
    }

    /// Every Swift file under Sources/ with its code lines (comment lines dropped), by
    /// path relative to the repository root.
    func sources() throws -> [(path: String, lines: [(number: Int, text: String)])] {
        let base = SQLPlacementTests.root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: base.path])
        }
        var out: [(String, [(Int, String)])] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let relative = String(url.path.dropFirst(SQLPlacementTests.root.path.count + 1))
            out.append((relative, SQLPlacementTests.codeLines(try String(contentsOf: url, encoding: .utf8))))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    func hits(_ patterns: [String], in lines: [(number: Int, text: String)]) throws -> [String] {
        let regexes = try patterns.map { try NSRegularExpression(pattern: $0) }
        var found: [String] = []
        for (number, text) in lines {
            let range = NSRange(text.startIndex..., in: text)
            for (pattern, regex) in zip(patterns, regexes) where regex.firstMatch(in: text, range: range) != nil {
                found.append("\(number): \(pattern): \(text.trimmingCharacters(in: .whitespaces))")
            }
        }
        return found
    }

    func testNoSQLOutsideGraphStoreAndTheCompilerFrame() throws {
        let files = try sources()
        XCTAssertTrue(files.contains { $0.path == "Sources/Query/MatchPlanner.swift" }, "the scan found no compiler: wrong root \(SQLPlacementTests.root.path)")
        for (path, lines) in files where !SQLPlacementTests.storeModules.contains(where: { path.hasPrefix($0) }) {
            let patterns = SQLPlacementTests.compilerFiles.contains(path) ? SQLPlacementTests.dialectPatterns
                : SQLPlacementTests.ownDatabaseFiles[path] != nil ? SQLPlacementTests.graphTablePatterns : SQLPlacementTests.statementPatterns
            for hit in try hits(patterns, in: lines) {
                XCTFail("\(path):\(hit) — SQL outside GraphStore: add a GraphReads function (or a SQLDialect construct for the compiler)")
            }
        }
    }

    /// The scan finds SQL where it is: GraphStore's own statements and the dialect.
    func testTheScanRecognisesSQL() throws {
        let files = Dictionary(uniqueKeysWithValues: try sources().map { ($0.path, $0.lines) })
        let reads = try XCTUnwrap(files["Sources/GraphStore/GraphReads.swift"])
        XCTAssertGreaterThan(try hits(SQLPlacementTests.statementPatterns, in: reads).count, 10)
        let dialect = try XCTUnwrap(files["Sources/GraphStore/SQLDialect.swift"])
        XCTAssertGreaterThan(try hits(SQLPlacementTests.dialectPatterns, in: dialect).count, 5)
        // A statement in a string is found, and a comment is not.
        let sample = SQLPlacementTests.codeLines(#"""
            let rows = try Row.fetchAll(db, sql: "SELECT id FROM node WHERE key = ?")
                // SELECT id FROM node: explained in a comment
            """#)
        XCTAssertEqual(try hits(SQLPlacementTests.statementPatterns, in: sample).map { String($0.prefix(2)) }, ["1:", "1:", "1:"])
        XCTAssertEqual(try hits(SQLPlacementTests.dialectPatterns, in: sample).map { String($0.prefix(2)) }, ["1:"])
    }
}
