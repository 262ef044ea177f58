import Foundation
import GRDB
import XCTest

/// `lexgraph mask` and `lexgraph audit` as a user runs them: what they print, the vault
/// round trip, and the errors for a wrong key, a bad policy and a tampered audit chain.
final class MaskCommandTests: XCTestCase {
    static let text = "Petitioner Philomena Quackenbush (SSN 219-09-9999) wrote to p.q@mailbox.example. Quackenbush appealed.\n"

    func testMaskTextPrintsMaskedTextAndCountsOnStderr() throws {
        let dir = try CLI.temporaryFolder(self)
        let file = dir.appendingPathComponent("letter.txt")
        try Self.text.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["mask", file.path])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "Petitioner [PERSON_1] (SSN [SSN_1]) wrote to [EMAIL_1]. [PERSON_1.2] appealed.\n")
        XCTAssertEqual(r.stderr, "masked 1 document(s) (placeholder): person 2, email 1, ssn 1\n")
    }

    func testVaultRoundTripAndAWrongKeyLeaksNothing() throws {
        let dir = try CLI.temporaryFolder(self)
        let key = dir.appendingPathComponent("vault.key").path, vault = dir.appendingPathComponent("corpus.vault").path
        let input = dir.appendingPathComponent("in.jsonl"), output = dir.appendingPathComponent("out.jsonl").path
        let lines = [#"{"id":1,"party":"Philomena Quackenbush","text":"Quackenbush paid with 4111 1111 1111 1111."}"#,
                     #"{"id":2,"party":null,"text":"Call Ms. Quackenbush at (217) 555-0143."}"#]
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)

        let made = try CLI.run(["mask", "--new-key", "--key-file", key])
        XCTAssertEqual(made.status, 0, "\(made)")
        XCTAssertEqual(made.stdout, "wrote a new 256-bit vault key to \(key) (mode 600); keep it away from the data\n")
        let again = try CLI.run(["mask", "--new-key", "--key-file", key])
        XCTAssertEqual(again.stderr, "lexgraph: error: \(key) exists; --new-key never overwrites a key\n")

        let db = dir.appendingPathComponent("audit.sqlite").path
        XCTAssertEqual(try CLI.run(["ontology", "init", "ontology/legal-core.yaml", "--db", db]).status, 0)
        let masked = try CLI.run(["mask", input.path, "--field", "text", "--party-field", "party", "--mode", "substitute", "--seed", "t",
                                  "--vault", vault, "--key-file", key, "--out", output, "--audit-db", db])
        XCTAssertEqual(masked.status, 0, "\(masked)")
        XCTAssertEqual(masked.stdout, "masked 2 document(s) (substitute): person 3, phone 1, card 1; vault \(vault): 4 entries\n")
        let maskedText = try String(contentsOfFile: output, encoding: .utf8)
        for secret in ["Quackenbush", "4111", "555-0143"] { XCTAssertFalse(maskedText.contains(secret), maskedText) }
        XCTAssertEqual(maskedText.split(separator: "\n").count, 2)

        let restored = try CLI.run(["mask", output, "--field", "text", "--party-field", "party", "--unmask", "--vault", vault, "--key-file", key])
        XCTAssertEqual(restored.status, 0, "\(restored)")
        XCTAssertEqual(restored.stdout, lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(restored.stderr, "unmasked 2 document(s) with 4 vault entries\n")

        let wrong = try CLI.run(["mask", output, "--field", "text", "--unmask", "--vault", vault, "--audit-db", db],
                                environment: ["LEXGRAPH_VAULT_KEY": String(repeating: "0", count: 64), "LEXGRAPH_PRINCIPAL": "intruder"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.stdout, "")
        XCTAssertEqual(wrong.stderr, "lexgraph: error: cannot open the vault \(vault): the key does not match it, or the file was changed (AES-GCM authentication failed)\n")

        // Each vault access with --audit-db is in the trail, the refused one too, and no
        // entry holds masked data.
        let audit = try CLI.jsonLines(try CLI.run(["audit", "show", "--db", db, "--format", "json"]).stdout)
        XCTAssertEqual(audit.map { $0["action"] as? String }, ["vault.mask", "vault.unmask"])
        XCTAssertEqual(audit.last?["principal"] as? String, "intruder")
        XCTAssertTrue((audit.last?["outcome"] as? String ?? "").hasPrefix("refused: cannot open the vault"), "\(audit)")
        for row in audit { XCTAssertFalse("\(row)".contains("Quackenbush")) }
    }

    func testTSVColumnBadLinesAndAnUnknownEntityTypeInThePolicy() throws {
        let dir = try CLI.temporaryFolder(self)
        let tsv = dir.appendingPathComponent("clauses.tsv")
        try "id\ttext\n1\tNotices go to jdoe@firm.example.\n2\tNo personal data here.\n".write(to: tsv, atomically: true, encoding: .utf8)
        let r = try CLI.run(["mask", tsv.path, "--column", "text"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "id\ttext\n1\tNotices go to [EMAIL_1].\n2\tNo personal data here.\n")
        XCTAssertEqual(r.stderr, "masked 2 document(s) (placeholder): email 1\n")

        let noColumn = try CLI.run(["mask", tsv.path])
        XCTAssertEqual(noColumn.status, 64)
        XCTAssertTrue(noColumn.stderr.hasPrefix("lexgraph: error: \(tsv.path) looks like TSV: pass --column NAME"), "\(noColumn)")

        let bad = dir.appendingPathComponent("bad.jsonl")
        try "{\"text\": \"Mr. Quackenbush\"}\n{\"text\": 42}\n".write(to: bad, atomically: true, encoding: .utf8)
        let badLine = try CLI.run(["mask", bad.path, "--field", "text"])
        XCTAssertEqual(badLine.status, 1)
        XCTAssertEqual(badLine.stdout, "")
        XCTAssertEqual(badLine.stderr, "lexgraph: error: \(bad.path):2: field 'text' is not a string\n")

        let policy = dir.appendingPathComponent("policy.yaml")
        try "mode: placeholder\nentities:\n  person: on\n  passport: on\n".write(to: policy, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["mask", tsv.path, "--column", "text", "--policy", policy.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("lexgraph: error: \(policy.path):4:"), "\(refused)")
        XCTAssertTrue(refused.stderr.contains("unknown entity type 'passport' (known: person, organization, address, phone, email, ssn, national_id, bank_account, card, date_of_birth, docket)"), "\(refused)")
    }

    func testOntologyUpdatesAreAuditedAndTamperingIsNamed() throws {
        let dir = try CLI.temporaryFolder(self)
        let db = dir.appendingPathComponent("audit.sqlite").path
        XCTAssertEqual(try CLI.run(["ontology", "init", "ontology/legal-core.yaml", "--db", db]).status, 0)
        let empty = try CLI.run(["audit", "verify", "--db", db])
        XCTAssertEqual(empty.stdout, "OK: 0 audit entries, chain intact; head \(String(repeating: "0", count: 64))\n", "\(empty)")
        let applied = try CLI.run(["ontology", "apply", "ontology/updates", "--db", db], environment: ["LEXGRAPH_PRINCIPAL": "curator"])
        XCTAssertEqual(applied.status, 0, "\(applied)")
        let updates = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("ontology/updates").path).filter { $0.hasSuffix(".yaml") }.count
        let dryRun = try CLI.run(["ontology", "apply", "ontology/updates", "--db", db, "--dry-run"])
        XCTAssertEqual(dryRun.status, 0, "\(dryRun)")

        let verified = try CLI.run(["audit", "verify", "--db", db])
        XCTAssertEqual(verified.status, 0, "\(verified)")
        XCTAssertTrue(verified.stdout.hasPrefix("OK: \(updates) audit entries, chain intact; head "), "\(verified)")
        let head = String(verified.stdout.split(separator: " ").last!.dropLast())

        let shown = try CLI.run(["audit", "show", "--db", db, "--since", "2000-01-01", "--format", "json"])
        let rows = try CLI.jsonLines(shown.stdout)
        XCTAssertEqual(rows.count, updates, "re-applying and dry runs add no entries")
        XCTAssertEqual(rows.map { $0["action"] as? String }, Array(repeating: "ontology.apply", count: updates))
        XCTAssertEqual(rows.first?["principal"] as? String, "curator")
        XCTAssertEqual(rows.first?["outcome"] as? String, "applied update 2: version 1 -> 2")
        XCTAssertEqual(rows.last?["hash"] as? String, head)
        XCTAssertEqual(try CLI.run(["audit", "show", "--db", db, "--since", "2999-01-01"]).stdout, "no audit entries since 2999-01-01\n")
        let badDate = try CLI.run(["audit", "show", "--db", db, "--since", "yesterday"])
        XCTAssertEqual(badDate.status, 64)
        XCTAssertTrue(badDate.stderr.contains("--since must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ, got 'yesterday'"), "\(badDate)")

        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET principal = 'someone-else' WHERE seq = 2")
        }
        let broken = try CLI.run(["audit", "verify", "--db", db])
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stderr, "lexgraph: error: audit chain broken at entry 2: entry 2 was changed: its hash does not match its contents (entries before it verify)\n")
    }
}
