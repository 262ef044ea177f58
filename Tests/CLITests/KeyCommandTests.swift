import Foundation
import TestRequirements
import XCTest

/// `lexgraph key ...` and every other command on an encrypted database, through the real
/// binary: the key comes from $LEXGRAPH_DB_KEY_FILE or $LEXGRAPH_DB_KEY.
final class KeyCommandTests: XCTestCase {
    static let canary = "QUOKKA-CANARY-55e1"

    /// A folder with a small citation graph's CSV files and recipe.
    private func graphFiles() throws -> URL {
        let dir = try CLI.temporaryFolder(self)
        try "key,name\nc1,\(Self.canary) v. Ohio\nc2,Mapp v. Ohio\nc3,Terry v. Ohio\n".write(to: dir.appendingPathComponent("cases.csv"), atomically: true, encoding: .utf8)
        try "from,to\nc1,c2\nc1,c3\nc2,c3\n".write(to: dir.appendingPathComponent("cites.csv"), atomically: true, encoding: .utf8)
        try """
            recipe: small
            sources:
              - file: cases.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
              - file: cites.csv
                edges: [{type: CITES, from: "{from}", to: "{to}", key: "e{_row}"}]
            """.write(to: dir.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    private func contents(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    private let oneHop = "MATCH (a:SupremeCourtCase)-[:CITES]->(b) WHERE a.name STARTS WITH 'QUOKKA' RETURN b.name AS cited ORDER BY cited"

    func testEncryptedDatabaseEndToEnd() throws {
        let dir = try graphFiles()
        let db = dir.appendingPathComponent("g.sqlite").path
        let keyA = dir.appendingPathComponent("a.key").path, keyB = dir.appendingPathComponent("b.key").path

        let generate = try CLI.run(["key", "generate", "--out", keyA])
        XCTAssertEqual(generate.status, 0, "\(generate)")
        XCTAssertEqual(generate.stdout, "wrote a new key to \(keyA) (mode 600); keep a copy: without it the database cannot be read\n")
        let keyText = String(decoding: contents(keyA), as: UTF8.self)
        XCTAssertNotNil(keyText.range(of: "^[0-9a-f]{64}\n$", options: .regularExpression), keyText)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: keyA)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let again = try CLI.run(["key", "generate", "--out", keyA])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "lexgraph: error: \(keyA) exists: a key file is never overwritten (a lost key loses the database)\n")
        XCTAssertEqual(try CLI.run(["key", "generate", "--out", keyB]).status, 0)

        // Build and query with the key from a file.
        let withA = ["LEXGRAPH_DB_KEY_FILE": keyA]
        let load = try CLI.run(["load", dir.appendingPathComponent("recipe.yaml").path, "--init", "--db", db, "--data", dir.path], environment: withA)
        XCTAssertEqual(load.status, 0, "\(load)")
        XCTAssertFalse(contents(db).starts(with: Data("SQLite format 3".utf8)))
        for file in [db, db + "-wal"] { XCTAssertNil(contents(file).range(of: Data(Self.canary.utf8)), file) }
        let query = try CLI.run(["query", oneHop, "--db", db, "--format", "csv"], environment: withA)
        XCTAssertEqual(query.status, 0, "\(query)")
        XCTAssertEqual(query.stdout, "cited\nMapp v. Ohio\nTerry v. Ohio\n")

        // No key, a wrong key: one clear line, nothing of the data or the key.
        let none = try CLI.run(["query", oneHop, "--db", db])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "lexgraph: error: the graph database \(db) is encrypted and no key was given: set LEXGRAPH_DB_KEY_FILE to a key file (or LEXGRAPH_DB_KEY to the key)\n")
        let wrong = try CLI.run(["stats", "--db", db], environment: ["LEXGRAPH_DB_KEY": "not-the-key-xyz"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.stderr, "lexgraph: error: the database at \(db) could not be decrypted: wrong key or not an encrypted Lexgraph database (key from $LEXGRAPH_DB_KEY)\n")
        XCTAssertFalse(wrong.stderr.contains("not-the-key-xyz") || wrong.stderr.contains(Self.canary))
        let missingFile = try CLI.run(["stats", "--db", db], environment: ["LEXGRAPH_DB_KEY_FILE": dir.appendingPathComponent("nope.key").path])
        XCTAssertEqual(missingFile.stderr, "lexgraph: error: no key file at \(dir.appendingPathComponent("nope.key").path) (from $LEXGRAPH_DB_KEY_FILE)\n")

        // Rotation: B opens it, A no longer does.
        let rotate = try CLI.run(["key", "rotate", "--db", db, "--new-key-file", keyB], environment: withA)
        XCTAssertEqual(rotate.status, 0, "\(rotate)")
        XCTAssertTrue(rotate.stdout.hasPrefix("re-encrypted \(db) with the key file \(keyB) ("), rotate.stdout)
        XCTAssertTrue(rotate.stdout.hasSuffix("; the key file \(keyA) no longer opens it\n"), rotate.stdout)
        XCTAssertEqual(try CLI.run(["query", oneHop, "--db", db, "--format", "csv"], environment: ["LEXGRAPH_DB_KEY_FILE": keyB]).stdout, query.stdout)
        let old = try CLI.run(["query", oneHop, "--db", db], environment: withA)
        XCTAssertEqual(old.status, 1)
        XCTAssertTrue(old.stderr.hasPrefix("lexgraph: error: the database at \(db) could not be decrypted: wrong key"), old.stderr)

        // Decrypt to a plain file (opens without a key), encrypt again with A.
        let decrypt = try CLI.run(["key", "decrypt", "--db", db, "--key-file", keyB])
        XCTAssertEqual(decrypt.status, 0, "\(decrypt)")
        XCTAssertTrue(contents(db).starts(with: Data("SQLite format 3".utf8)))
        XCTAssertEqual(try CLI.run(["query", oneHop, "--db", db, "--format", "csv"]).stdout, query.stdout)
        let encrypt = try CLI.run(["key", "encrypt", "--db", db, "--key-file", keyA])
        XCTAssertEqual(encrypt.status, 0, "\(encrypt)")
        XCTAssertTrue(encrypt.stdout.hasPrefix("encrypted \(db) with the key file \(keyA) ("), encrypt.stdout)
        XCTAssertFalse(contents(db).starts(with: Data("SQLite format 3".utf8)))
        XCTAssertEqual(try CLI.run(["query", oneHop, "--db", db, "--format", "csv"], environment: withA).stdout, query.stdout)
        let twice = try CLI.run(["key", "encrypt", "--db", db, "--key-file", keyA])
        XCTAssertEqual(twice.status, 1)
        XCTAssertEqual(twice.stderr, "lexgraph: error: the graph database \(db) is already encrypted: `lexgraph key rotate` changes its key\n")
    }

    func testKeyCommandsNeedAKey() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let r = try CLI.run(["key", "encrypt", "--db", db])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "lexgraph: error: no key given: pass --key-file FILE or set LEXGRAPH_DB_KEY_FILE (or LEXGRAPH_DB_KEY)\n")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-empty-\(UUID().uuidString).key").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data("\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let e = try CLI.run(["key", "encrypt", "--db", db, "--key-file", empty])
        XCTAssertEqual(e.stderr, "lexgraph: error: the database key from the key file \(empty) is empty\n")
        XCTAssertTrue(try CLI.run(["stats", "--db", db]).status == 0, "the refused commands left the plain database as it was")
    }
}
