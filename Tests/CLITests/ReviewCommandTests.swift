import Foundation
import XCTest

/// `lexgraph review` and `lexgraph tag` as a user runs them: a graph made by `lexgraph
/// load --init` (clause types and clauses, and the committed contract types and their
/// expectations), two runs made by `lexgraph finetune` from the tiny test encoder, then
/// the output shape of each format and the errors.
final class ReviewCommandTests: XCTestCase {
    struct Setup {
        var dir: URL
        var db: String
        var typesRun: String
        var unfairRun: String
    }

    func path(_ dir: URL, _ name: String) -> String { dir.appendingPathComponent(name).path }

    func makeSetup() throws -> Setup {
        let dir = try CLI.temporaryFolder(self)
        let fm = FileManager.default
        // Graph: one clause per clause type the committed expectations name, plus the
        // contract types themselves (graphs/contracts/contract_type*.csv, copied).
        let contractTypes = CLI.root.appendingPathComponent("graphs/contracts")
        for name in ["contract_type_names.csv", "contract_types.csv"] {
            try fm.copyItem(atPath: contractTypes.appendingPathComponent(name).path, toPath: path(dir, name))
        }
        let expected = try String(contentsOfFile: path(dir, "contract_types.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        var clauses = "key,type,text\n"
        for (k, type) in Set(expected).sorted().enumerated() {
            clauses += "c\(k),\(type),\"\(type.capitalized). A standard \(type) clause of a contract.\"\n"
        }
        try clauses.write(toFile: path(dir, "clauses.csv"), atomically: true, encoding: .utf8)
        try """
            recipe: review-test
            sources:
              - file: clauses.csv
                nodes:
                  - {key: "clausetype:clause-corpus:{type|slug}", type: ClauseType, properties: {name: type, source: {value: clause-corpus}}}
                  - {key: "clause:test:{key}", type: Clause, properties: {text: text, source: {value: clause-corpus}}}
                edges:
                  - {type: INSTANCE_OF, from: "clause:test:{key}", to: "clausetype:clause-corpus:{type|slug}"}
              - file: contract_type_names.csv
                nodes:
                  - {key: "contracttype:{contract_type}", type: ContractType, properties: {name: name, title_words: title_words}}
              - file: contract_types.csv
                edges:
                  - {type: EXPECTS, from: "contracttype:{contract_type}", to: "clausetype:clause-corpus:{clause_type|slug}", properties: {basis: basis}}
            """.write(toFile: path(dir, "recipe.yaml"), atomically: true, encoding: .utf8)
        let db = path(dir, "graph.sqlite")
        let load = try CLI.run(["load", path(dir, "recipe.yaml"), "--init", "--db", db, "--data", dir.path])
        guard load.status == 0 else { throw CLI.Failure(description: "lexgraph load failed: \(load)") }

        // The tiny encoder with a vocabulary, and two one-epoch runs.
        let base = dir.appendingPathComponent("tiny-bert")
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert")
        for name in ["config.json", "model.safetensors"] {
            try fm.copyItem(at: fixture.appendingPathComponent(name), to: base.appendingPathComponent(name))
        }
        let words = "the a of to and or this agreement party shall may not confidential information law governing term notice data . , ;"
        try (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words.split(separator: " ").map(String.init)).joined(separator: "\n")
            .write(to: base.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        func train(_ name: String, task: String, _ lines: [String]) throws -> String {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path(dir, name + ".jsonl"), atomically: true, encoding: .utf8)
            let run = path(dir, name)
            let r = try CLI.run(["finetune", "--model", base.path, "--train", path(dir, name + ".jsonl"), "--task", task, "--epochs", "1",
                                 "--batch-size", "2", "--max-length", "32", "--out", run])
            guard r.status == 0 else { throw CLI.Failure(description: "lexgraph finetune failed: \(r)") }
            return run
        }
        let types = try train("types", task: "classify", ["confidentiality", "governing-law", "term"].map { "{\"text\": \"the \($0) of this agreement\", \"label\": \"\($0)\"}" })
        let unfair = try train("unfair", task: "multilabel", ["Choice of law", "Jurisdiction", "Limitation of liability"].map { "{\"text\": \"the party may \($0)\", \"label\": [\"\($0)\"]}" })
        return Setup(dir: dir, db: db, typesRun: types, unfairRun: unfair)
    }

    /// A short mutual NDA; clause 2's heading carries an escape sequence.
    static let contract = "# Mutual Non-Disclosure Agreement\n\n1. **Confidentiality**. Each party shall keep the other party's information confidential.\n\n"
        + "2. **Governing \u{1B}[31mLaw**. The law of the State of New York governs this agreement.\n"

    func testReviewPrintsATableJSONAndMarkdown() throws {
        let setup = try makeSetup()
        let file = path(setup.dir, "nda.md")
        try Self.contract.write(toFile: file, atomically: true, encoding: .utf8)
        let common = [file, "--types-model", setup.typesRun, "--unfair-model", setup.unfairRun, "--db", setup.db]

        let table = try CLI.run(["review"] + common)
        XCTAssertEqual(table.status, 0, "\(table)")
        let lines = table.stdout.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("contract: \(file) (markdown, "), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("title \"Mutual Non-Disclosure Agreement\""), lines[0])
        XCTAssertEqual(lines[1], "contract type: mutual-nda (Mutual non-disclosure agreement), chosen by \"non-disclosure agreement\" in the title")
        XCTAssertTrue(lines.contains { $0.hasPrefix("clause  lines  heading") && $0.contains("  type (probability)") && $0.hasSuffix("  unfair terms") }, table.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("1       3      Confidentiality  ") }, table.stdout)
        XCTAssertTrue(table.stdout.contains("Governing \\u{1B}[31mLaw"), "the escape is shown, not sent")
        XCTAssertFalse(table.stdout.contains("\u{1B}"))
        XCTAssertTrue(table.stdout.contains("expected clauses of a mutual non-disclosure agreement: "), table.stdout)
        XCTAssertTrue(table.stdout.contains("  MISSING  injunctive-relief: "), table.stdout)
        XCTAssertTrue(table.stdout.contains("      clause:test:"), "suggestions name the clause's graph key")
        XCTAssertTrue(lines.contains { $0.hasPrefix("reviewed in ") }, table.stdout)

        let json = try CLI.run(["review"] + common + ["--format", "json"])
        XCTAssertEqual(json.status, 0, "\(json)")
        XCTAssertEqual(json.lines.count, 1, "one JSON object")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let clauses = try XCTUnwrap(object["clauses"] as? [[String: Any]])
        XCTAssertEqual(clauses.map { $0["path"] as? String }, ["1", "2"])
        XCTAssertEqual(clauses[1]["heading"] as? String, "Governing \u{1B}[31mLaw")
        XCTAssertEqual(clauses[0]["lines"] as? [Int], [3, 3])
        XCTAssertEqual((clauses[0]["types"] as? [[String: Any]])?.count, 3)
        XCTAssertEqual((object["contract_type"] as? [String: Any])?["slug"] as? String, "mutual-nda")
        XCTAssertEqual((object["expected"] as? [[String: Any]])?.count, 6)

        let markdown = try CLI.run(["review"] + common + ["--format", "markdown", "--contract-type", "data-processing-agreement"])
        XCTAssertEqual(markdown.status, 0, "\(markdown)")
        XCTAssertTrue(markdown.stdout.hasPrefix("# Contract review: \(file)\n"), markdown.stdout)
        XCTAssertTrue(markdown.stdout.contains("- contract type: data-processing-agreement (Data processing agreement), chosen by --contract-type"), markdown.stdout)
        XCTAssertTrue(markdown.stdout.contains("| clause | lines | heading | type | probability | unfair terms |"), markdown.stdout)
    }

    func testReviewErrors() throws {
        let setup = try makeSetup()
        let binary = path(setup.dir, "scan.txt")
        FileManager.default.createFile(atPath: binary, contents: Data([0x31, 0x2E, 0x20, 0x00, 0x41]))
        let refused = try CLI.run(["review", binary, "--types-model", setup.typesRun, "--db", setup.db])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "lexgraph: error: \(binary):1: binary file: NUL byte at byte offset 3; a contract must be plain text or Markdown in UTF-8\n")
        XCTAssertEqual(refused.stdout, "")

        let file = path(setup.dir, "nda.md")
        try Self.contract.write(toFile: file, atomically: true, encoding: .utf8)
        let unknown = try CLI.run(["review", file, "--types-model", setup.typesRun, "--db", setup.db, "--contract-type", "lease"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "lexgraph: error: unknown contract type \"lease\"; the graph knows: data-processing-agreement, mutual-nda\n")

        let swapped = try CLI.run(["review", file, "--types-model", setup.unfairRun, "--db", setup.db])
        XCTAssertEqual(swapped.status, 1)
        XCTAssertEqual(swapped.stderr, "lexgraph: error: \(setup.unfairRun): the clause-type model must be a single-label (classify) run; this one is multi-label\n")

        let usage = try CLI.run(["review", file])
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.hasPrefix("lexgraph: error: Missing expected argument '--types-model <types-model>'"), usage.stderr)
    }

    func testTagWritesOneLinePerInputLineAndNamesTheBadLine() throws {
        let setup = try makeSetup()
        let input = path(setup.dir, "in.jsonl")
        try "{\"id\": \"a\", \"text\": \"The law of New York governs.\"}\n\n{\"id\": 7, \"text\": \"Each party keeps information confidential. The party may end it.\"}\n"
            .write(toFile: input, atomically: true, encoding: .utf8)
        let tagged = try CLI.run(["tag", input, "--types-model", setup.typesRun, "--unfair-model", setup.unfairRun])
        XCTAssertEqual(tagged.status, 0, "\(tagged)")
        let out = try CLI.jsonLines(tagged.stdout)
        XCTAssertEqual(out.count, 2)
        XCTAssertEqual(out.map { $0["line"] as? Int }, [1, 3])
        XCTAssertEqual(out[0]["id"] as? String, "a")
        XCTAssertEqual(out[1]["id"] as? Int, 7)
        for line in out {
            XCTAssertEqual((line["types"] as? [[String: Any]])?.count, 3)
            XCTAssertEqual(line["windows"] as? Int, 1)
            XCTAssertNotNil(line["unfair"] as? [[String: Any]])
        }

        let bad = path(setup.dir, "bad.jsonl")
        try "{\"text\": \"fine\"}\n{\"id\": \"x\"}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["tag", bad, "--types-model", setup.typesRun])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "lexgraph: error: \(bad):2: missing field \"text\"\n")
        XCTAssertEqual(refused.stdout, "", "nothing is tagged when a line is bad")
    }
}
