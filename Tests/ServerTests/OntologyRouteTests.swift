import Compliance
import Foundation
import GraphStore
import LexgraphCore
import TestRequirements
import XCTest
import Server

/// `POST /v1/ontology/validate|diff|apply` over real HTTP on the harness's legal-core
/// version 1 graph (two Supreme Court cases and one ECtHR case). The answers are compared
/// with what the `lexgraph ontology` commands print for the same file on the same kind of
/// database; apply is checked in the database afterwards (history, migrated node, audit
/// entry) and a refused apply, after a change that had already migrated data in its
/// transaction, is checked to leave everything as it was.
final class OntologyRouteTests: XCTestCase {
    static let updateName = "0002-2026-11-29-ecthr-judgment.yaml"
    static var updateText: String {
        get throws { try String(contentsOf: ServerHarness.root.appendingPathComponent("ontology/updates/\(updateName)"), encoding: .utf8) }
    }

    func post(_ s: ServerHarness, _ verb: String, yaml: String, query: String = "", role: Role = .curator,
              contentType: String = "application/yaml") async throws -> ServerHarness.Reply {
        try await s.request("POST", "/v1/ontology/\(verb)\(query)", token: s.tokens[role], body: Data(yaml.utf8), contentType: contentType)
    }

    /// `yaml` wrapped as `{"yaml": "..."}`.
    func wrapped(_ yaml: String) -> String { Value.map(["yaml": .string(yaml)]).jsonText }

    /// `lexgraph ARGS` run in a folder holding `text` as `name`, as a curator would run it.
    func cli(_ arguments: [String], file name: String, text: String) throws -> LexgraphBinary.Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-ontology-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        return try LexgraphBinary.run(arguments, in: dir)
    }

    /// A fresh copy of the harness's graph for the CLI to work on.
    func cliDatabase() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-ontology-cli-\(UUID().uuidString).sqlite").path
        addTeardownBlock { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        _ = try ServerHarness.legalStore(at: path)
        return path
    }

    func testValidateAndDiffAnswerWhatTheCLIPrints() async throws {
        let s = try await startServer()
        let text = try Self.updateText
        let base = ServerHarness.root.appendingPathComponent("ontology/legal-core.yaml").path

        let validated = try await post(s, "validate", yaml: text, query: "?file=\(Self.updateName)")
        XCTAssertEqual(validated.status, 200, "\(validated)")
        XCTAssertEqual(validated.json["kind"] as? String, "update")
        let printed = try cli(["ontology", "validate", Self.updateName, "--base", base], file: Self.updateName, text: text)
        XCTAssertEqual(printed.status, 0, "\(printed)")
        XCTAssertEqual((validated.json["lines"] as? [String])?.joined(separator: "\n") ?? "", printed.stdout.trimmingCharacters(in: .newlines))
        let update = try XCTUnwrap(validated.json["update"] as? [String: Any])
        XCTAssertEqual(update["number"] as? Int, 2)
        XCTAssertEqual(update["base_version"] as? Int, 1)
        let changes = try XCTUnwrap(update["changes"] as? [[String: Any]])
        XCTAssertEqual(changes.map { $0["operation"] as? String }, ["rename_node_type", "set_description", "add_property"])
        XCTAssertEqual(changes.first?["impact"] as? String, "breaking")
        let location = try XCTUnwrap(changes.first?["location"] as? [String: Any])
        XCTAssertEqual(location["file"] as? String, Self.updateName)
        XCTAssertEqual(location["line"] as? Int, 13, "the '- op: rename_node_type' item of the file")

        // The same file as a JSON-wrapped body, and a full document: the CLI's answers too.
        let asJSON = try await post(s, "validate", yaml: wrapped(text), query: "?file=\(Self.updateName)", contentType: "application/json")
        XCTAssertEqual(asJSON.json["lines"] as? [String], validated.json["lines"] as? [String], "\(asJSON)")
        let document = try String(contentsOfFile: base, encoding: .utf8)
        let documentReply = try await post(s, "validate", yaml: document)
        XCTAssertEqual(documentReply.json["kind"] as? String, "document", "\(documentReply)")
        let documentPrinted = try cli(["ontology", "validate", "legal-core.yaml"], file: "legal-core.yaml", text: document)
        XCTAssertEqual(documentReply.json["lines"] as? [String], [documentPrinted.stdout.trimmingCharacters(in: .newlines)])

        // diff counts the stored ECtHR case the rename migrates, as `ontology diff` does.
        let diff = try await post(s, "diff", yaml: text, query: "?file=\(Self.updateName)")
        XCTAssertEqual(diff.status, 200, "\(diff)")
        XCTAssertEqual(diff.json["status"] as? String, "dry run")
        XCTAssertEqual(diff.json["applicable"] as? Bool, true)
        let rename = try XCTUnwrap((diff.json["changes"] as? [[String: Any]])?.first)
        XCTAssertEqual(rename["action"] as? String, "migrated")
        XCTAssertEqual((rename["touched"] as? [String: Any])?["nodes"] as? Int, 1)
        let diffPrinted = try cli(["ontology", "diff", Self.updateName, "--db", try cliDatabase()], file: Self.updateName, text: text)
        XCTAssertEqual(diffPrinted.status, 0, "\(diffPrinted)")
        XCTAssertEqual(diff.json["text"] as? String, diffPrinted.stdout.trimmingCharacters(in: .newlines))

        // Nothing was written by either.
        let store = try GraphStore(path: s.databasePath, mode: .readOnly, key: .noKey)
        XCTAssertEqual(try store.ontologyHistory().map(\.version), [1])
    }

    func testApplyIsOneTransactionWithTheCLIsAuditEntry() async throws {
        let s = try await startServer()
        let text = try Self.updateText
        let applied = try await post(s, "apply", yaml: wrapped(text), query: "?file=\(Self.updateName)", contentType: "application/json")
        XCTAssertEqual(applied.status, 200, "\(applied)")
        XCTAssertEqual(applied.json["status"] as? String, "applied")
        XCTAssertEqual(applied.json["number"] as? Int, 2)

        // `lexgraph ontology apply` on a copy of the same graph reports the same.
        let db = try cliDatabase()
        let printed = try cli(["ontology", "apply", Self.updateName, "--db", db], file: Self.updateName, text: text)
        XCTAssertEqual(printed.status, 0, "\(printed)")
        XCTAssertEqual(applied.json["text"] as? String, printed.stdout.trimmingCharacters(in: .newlines))

        // In the database: version 2 from this file, the node migrated, the CLI's audit entry
        // with the token as principal.
        let store = try GraphStore(path: s.databasePath, mode: .readOnly, key: .noKey)
        let history = try store.ontologyHistory()
        XCTAssertEqual(history.map(\.version), [1, 2])
        XCTAssertEqual(history.last?.source, Self.updateName)
        XCTAssertEqual(history.last?.checksum, Checksum.sha256Hex(text))
        let cliStore = try GraphStore(path: db, mode: .readOnly, key: .noKey)
        XCTAssertEqual(try cliStore.ontologyHistory().last?.summary, history.last?.summary)
        let curatorID = try XCTUnwrap(try APITokens(store: store).list().first { $0.name == "test curator" }?.id)
        let entries = try store.read { db in try AuditLogTable.all(in: db) }.filter { $0.action == "ontology.apply" }
        XCTAssertEqual(entries.map { "\($0.principal) | \($0.subject) | \($0.outcome)" },
                       ["token \(curatorID) (test curator) | \(Self.updateName) | applied update 2: version 1 -> 2"])
        let cliEntries = try cliStore.read { db in try AuditLogTable.all(in: db) }.filter { $0.action == "ontology.apply" }
        XCTAssertEqual(cliEntries.map { "\($0.subject) | \($0.outcome)" }, entries.map { "\($0.subject) | \($0.outcome)" })

        // The service reads the new ontology from its next request on.
        let query = try await s.transaction([("MATCH (j:ECtHRJudgment) RETURN j.name AS name", [:])])
        XCTAssertEqual(((query.json["results"] as? [[String: Any]])?.first?["data"] as? [[String: Any]])?.compactMap { ($0["row"] as? [Any])?.first as? String },
                       ["Tenant v. State"], "\(query)")

        // Again: a no-op, as the CLI's second apply is; no second audit entry.
        let again = try await post(s, "apply", yaml: text, query: "?file=\(Self.updateName)")
        XCTAssertEqual(again.status, 200, "\(again)")
        XCTAssertEqual(again.json["status"] as? String, "already applied")
        XCTAssertEqual(try store.read { db in try AuditLogTable.all(in: db) }.filter { $0.action == "ontology.apply" }.count, 1)
    }

    /// A refused update, whose first change had already migrated a node inside the
    /// transaction, leaves the database as it was: no version, no audit entry, the node
    /// untouched. So does a dry run.
    func testAFailingApplyChangesNothing() async throws {
        let s = try await startServer()
        let refused = """
        update: 2
        date: 2026-12-07
        base_version: 1
        description: "Rename ECtHR cases, then drop Supreme Court cases (refused: two are stored)."
        changes:
          - op: rename_node_type
            from: ECtHRCase
            to: ECtHRJudgment
            migrate: true
          - op: remove_node_type
            name: SupremeCourtCase
        """
        let store = try GraphStore(path: s.databasePath, mode: .readOnly, key: .noKey)
        func snapshot() throws -> [String] {
            let history = try store.ontologyHistory().map { "v\($0.version) \($0.checksum)" }
            let audit = try store.read { db in try AuditLogTable.all(in: db) }.filter { $0.action == "ontology.apply" }.map(\.hash)
            let nodes = try store.counts().nodes.map { "\($0.0) \($0.1)" }.sorted()
            return history + audit + nodes
        }
        let before = try snapshot()
        XCTAssertEqual(before.suffix(2), ["ECtHRCase 1", "SupremeCourtCase 2"])

        let reply = try await post(s, "apply", yaml: refused)
        XCTAssertEqual(reply.status, 409, "\(reply)")
        XCTAssertEqual(reply.error["code"] as? String, "Refused")
        let message = try XCTUnwrap(reply.error["message"] as? String)
        XCTAssertTrue(message.hasPrefix("request: update 2 refused, database unchanged:"), message)
        XCTAssertTrue(message.contains("remove node type 'SupremeCourtCase'"), message)
        XCTAssertTrue(message.contains("REFUSED, 4 would break"), message)  // 2 nodes and their 2 edges
        XCTAssertEqual(try snapshot(), before)

        // The CLI refuses the same file with the same message.
        let printed = try cli(["ontology", "apply", "request", "--db", try cliDatabase()], file: "request", text: refused)
        XCTAssertEqual(printed.status, 1, "\(printed)")
        XCTAssertTrue(printed.stderr.contains(message), "\(printed)")

        // A dry run of the good update counts and migrates, then rolls back.
        let dry = try await post(s, "apply", yaml: try Self.updateText, query: "?dry_run=true&file=\(Self.updateName)")
        XCTAssertEqual(dry.status, 200, "\(dry)")
        XCTAssertEqual(dry.json["status"] as? String, "dry run")
        XCTAssertEqual(try snapshot(), before)
    }

    func testOnlyCuratorsAndBadInputIsAClearError() async throws {
        let s = try await startServer()
        let text = try Self.updateText
        for role in [Role.reader, .analyst] {
            for verb in ["validate", "diff", "apply"] {
                let reply = try await post(s, verb, yaml: text, role: role)
                XCTAssertEqual(reply.status, 403, "\(role) \(verb): \(reply)")
                XCTAssertEqual(reply.error["code"] as? String, "Forbidden")
                XCTAssertTrue((reply.error["message"] as? String ?? "").contains("needs the role curator"), "\(reply)")
            }
        }
        let anonymous = try await s.request("POST", "/v1/ontology/apply", body: Data(text.utf8), contentType: "application/yaml")
        XCTAssertEqual(anonymous.status, 401, "\(anonymous)")

        func refusal(_ reply: ServerHarness.Reply, _ status: Int, _ code: String, _ fragment: String, line: UInt = #line) {
            XCTAssertEqual(reply.status, status, "\(reply)", line: line)
            XCTAssertEqual(reply.error["code"] as? String, code, "\(reply)", line: line)
            XCTAssertTrue((reply.error["message"] as? String ?? "").contains(fragment), "\(reply)", line: line)
        }
        refusal(try await post(s, "validate", yaml: text, contentType: "text/plain"), 415, "UnsupportedMediaType", "got Content-Type: text/plain")
        refusal(try await post(s, "validate", yaml: "{\"yaml\": ", contentType: "application/json"), 400, "BadRequest", "not valid JSON")
        refusal(try await post(s, "validate", yaml: "[1]", contentType: "application/json"), 400, "BadRequest", "must be a JSON object")
        refusal(try await post(s, "validate", yaml: "{\"text\": \"x\"}", contentType: "application/json"), 400, "BadRequest", "unknown field \"text\"")
        refusal(try await post(s, "validate", yaml: "{\"yaml\": 3}", contentType: "application/json"), 400, "BadRequest", "\"yaml\" must be a string")
        refusal(try await post(s, "apply", yaml: text, query: "?force=yes"), 400, "BadRequest", "force must be true or false, got 'yes'")
        refusal(try await post(s, "validate", yaml: text, query: "?force=true"), 400, "BadRequest", "unknown query parameter 'force'")
        refusal(try await post(s, "apply", yaml: try String(contentsOf: ServerHarness.root.appendingPathComponent("ontology/legal-core.yaml"), encoding: .utf8)),
                422, "InvalidOntology", "`apply` takes an update file")
        // Update 3 on a database at version 1: out of order, refused by the store.
        let three = try String(contentsOf: ServerHarness.root.appendingPathComponent("ontology/updates/0003-2026-11-29-same-court.yaml"), encoding: .utf8)
        refusal(try await post(s, "apply", yaml: three), 409, "Refused", "out of order")

        // An invalid update: the line and column the CLI reports, in the message and as fields.
        let invalid = text.replacingOccurrences(of: "    to: ECtHRJudgment\n", with: "    to: ECtHRJudgment\n    migrat: true\n")
        let reply = try await post(s, "validate", yaml: invalid, query: "?file=\(Self.updateName)")
        XCTAssertEqual(reply.status, 422, "\(reply)")
        XCTAssertEqual(reply.error["code"] as? String, "InvalidOntology")
        let location = try XCTUnwrap(reply.error["location"] as? [String: Any], "\(reply)")
        XCTAssertEqual(location["file"] as? String, Self.updateName)
        XCTAssertEqual(location["line"] as? Int, 16, "the misspelt key's line")
        let message = try XCTUnwrap(reply.error["message"] as? String)
        XCTAssertTrue(message.hasPrefix("\(Self.updateName):16:"), message)
        XCTAssertTrue(message.contains("migrat"), message)
        let printed = try cli(["ontology", "validate", Self.updateName, "--base", ServerHarness.root.appendingPathComponent("ontology/legal-core.yaml").path],
                              file: Self.updateName, text: invalid)
        XCTAssertEqual(printed.status, 1, "\(printed)")
        XCTAssertTrue(printed.stderr.contains(message), "the CLI says the same: \(printed)")
        // Broken YAML: libyaml's position.
        let broken = try await post(s, "validate", yaml: "update: 2\nchanges: [\n  - op: x\n")
        XCTAssertEqual(broken.status, 422, "\(broken)")
        XCTAssertNotNil((broken.error["location"] as? [String: Any])?["line"] as? Int, "\(broken)")
        XCTAssertEqual(try GraphStore(path: s.databasePath, mode: .readOnly, key: .noKey).ontologyHistory().map(\.version), [1])
    }

    func testAReadOnlyServerRefusesApply() async throws {
        let s = try await startServer { $0.readOnly = true }
        let reply = try await post(s, "apply", yaml: try Self.updateText)
        XCTAssertEqual(reply.status, 403, "\(reply)")
        XCTAssertTrue((reply.error["message"] as? String ?? "").contains("runs read-only"), "\(reply)")
        let validated = try await post(s, "validate", yaml: try Self.updateText)
        XCTAssertEqual(validated.status, 200, "validate and diff only read: \(validated)")
    }
}
