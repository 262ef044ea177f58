import Foundation
import TestRequirements
import XCTest

/// `lexgraph label` and `lexgraph label simulate` end to end on the tiny BERT fixture
/// (Tests/Fixtures/model/tiny-bert, a vocabulary written here): the answers-file round
/// trip, the prompt over stdin, resume, bad input, and the simulation's files.
final class LabelCommandTests: XCTestCase {
    static let words = ["arbitration", "court", "liability", "refund", "privacy"]

    /// A tiny model folder, a pool of 14 texts (one repeated) and a class list.
    func setUpFiles() throws -> (dir: URL, model: String, pool: String, labels: String) {
        let dir = try CLI.temporaryFolder(self)
        let fm = FileManager.default
        let model = dir.appendingPathComponent("model")
        try fm.createDirectory(at: model, withIntermediateDirectories: true)
        let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert")
        for name in ["config.json", "model.safetensors"] {
            try fm.copyItem(at: fixture.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
        let fillers = (0..<(99 - 5 - Self.words.count)).map { "w\($0)" }
        try (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.words + fillers).joined(separator: "\n")
            .appending("\n").write(to: model.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        var lines: [String] = []
        for i in 0..<14 {
            let text = i == 13 ? "arbitration w0 w1" : "\(Self.words[i % 5]) w\(i) w\(i + 20)"
            lines.append("{\"id\": \"p\(i)\", \"text\": \"\(i == 0 ? "arbitration w0 w1" : text)\"}")
        }
        let pool = dir.appendingPathComponent("pool.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: pool, atomically: true, encoding: .utf8)
        let labels = dir.appendingPathComponent("classes.txt")
        try "dispute\nmoney\nother\n".write(to: labels, atomically: true, encoding: .utf8)
        return (dir, model.path, pool.path, labels.path)
    }

    func testCuratorLoopThroughTheAnswersFileAndThePrompt() throws {
        let f = try setUpFiles()
        let state = f.dir.appendingPathComponent("state").path
        let common = ["label", "--pool", f.pool, "--labels", f.labels, "--state", state, "--model", f.model, "--max-length", "16", "--k", "3"]
        let first = try CLI.run(common + ["--strategy", "margin"])
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertEqual(first.stderr.split(separator: "\n").first.map(String.init),
                       "note: \(f.pool): 1 duplicate text dropped from the pool (line 14 repeats line 1)")
        XCTAssertEqual(first.lines[0], "Round 1 (margin): 0 labelled of 13 in the pool.")
        XCTAssertTrue(first.lines[2].hasPrefix("Next 3 to label (written to \(state)/queue.jsonl;"), "\(first)")
        XCTAssertEqual(first.lines.count, 6)
        // Fill in the queue file and hand it back.
        let queue = try CLI.jsonLines(try String(contentsOfFile: state + "/queue.jsonl", encoding: .utf8))
        XCTAssertEqual(queue.count, 3)
        var answers = ""
        for (i, item) in queue.enumerated() {
            answers += "{\"id\": \"\(item["id"] as! String)\", \"label\": \(i == 2 ? "null" : "\"dispute\"")}\n"
        }
        let answerFile = f.dir.appendingPathComponent("answers.jsonl").path
        try answers.write(toFile: answerFile, atomically: true, encoding: .utf8)
        let second = try CLI.run(common + ["--answers", answerFile])
        XCTAssertEqual(second.status, 0, "\(second)")
        XCTAssertEqual(second.lines[0], "Took 2 labels and 1 skip from \(answerFile).")
        XCTAssertEqual(second.lines[1], "Round 2 (margin): 2 labelled of 13 in the pool.")
        XCTAssertTrue(second.lines[4].contains("[model: dispute "), "\(second)")
        // Running again without answers shows the same open batch (nothing is lost or redrawn).
        let again = try CLI.run(common)
        XCTAssertEqual(again.lines.suffix(3), second.lines.suffix(3))
        // The prompt over stdin: label by number and by name, undo, skip, quit.
        let prompt = try CLI.run(common + ["--interactive"], input: "2\nu\nmoney\ns\nq\n")
        XCTAssertEqual(prompt.status, 0, "\(prompt)")
        XCTAssertTrue(prompt.stdout.contains("Took back the answer for"), prompt.stdout)
        XCTAssertTrue(prompt.lines.contains("Saved: 3 labelled of 13 in \(state); run again to go on."), prompt.stdout)
        let labels = try CLI.jsonLines(try String(contentsOfFile: state + "/labels.jsonl", encoding: .utf8))
        XCTAssertEqual(labels.map { $0["label"] as? String }, ["dispute", "dispute", "money"])
    }

    func testBadInputIsNamed() throws {
        let f = try setUpFiles()
        let state = f.dir.appendingPathComponent("state").path
        let common = ["label", "--pool", f.pool, "--labels", f.labels, "--state", state, "--model", f.model, "--max-length", "16"]
        let zero = try CLI.run(common + ["--k", "0"])
        XCTAssertEqual(zero.status, 64)
        XCTAssertTrue(zero.stderr.hasPrefix("lexgraph: error: --k must be at least 1, got 0"), zero.stderr)
        XCTAssertEqual(try CLI.run(common).status, 0)
        let bad = f.dir.appendingPathComponent("bad.jsonl").path
        try "{\"id\": \"p1\", \"label\": \"dispute\"}\n{\"id\": \"p2\", \"label\": \"refunds\"}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let unknown = try CLI.run(common + ["--answers", bad])
        XCTAssertEqual(unknown.status, 1)
        // After the pool's note on its repeated text, the one error line.
        XCTAssertEqual(unknown.stderr.split(separator: "\n").last.map(String.init),
                       "lexgraph: error: \(bad):2: unknown class \"refunds\" (classes: dispute, money, other)")
        let empty = f.dir.appendingPathComponent("empty.jsonl").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let none = try CLI.run(["label", "--pool", empty, "--labels", f.labels, "--state", state, "--model", f.model])
        XCTAssertEqual(none.stderr, "lexgraph: error: \(empty): the pool is empty: no examples to label\n")
        let dup = f.dir.appendingPathComponent("dup.jsonl").path
        try "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"a\", \"text\": \"two\"}\n".write(toFile: dup, atomically: true, encoding: .utf8)
        let twice = try CLI.run(["label", "--pool", dup, "--labels", f.labels, "--state", state, "--model", f.model])
        XCTAssertEqual(twice.stderr, "lexgraph: error: \(dup):2: id \"a\" is used twice in the pool (lines 1 and 2)\n")
    }

    /// `--mask`: personal data planted in the pool and the seed set (a person, an e-mail,
    /// an SSN) is replaced before the texts are embedded, shown or saved: none reaches the
    /// output or a file of the state folder; a resume without `--mask` is refused (the
    /// state fingerprints the masked pool).
    func testMaskReplacesPersonalDataBeforeEmbedding() throws {
        let f = try setUpFiles()
        let canary = ["Kowalczyk", "jdoe@mail.example.com", "219-09-9999"]
        var pool = try String(contentsOfFile: f.pool, encoding: .utf8)
        pool += "{\"id\": \"c1\", \"text\": \"arbitration with Mr. Kowalczyk w3\"}\n"
        pool += "{\"id\": \"c2\", \"text\": \"refund to jdoe@mail.example.com w4\"}\n"
        pool += "{\"id\": \"c3\", \"text\": \"court ruling on SSN 219-09-9999\"}\n"
        try pool.write(toFile: f.pool, atomically: true, encoding: .utf8)
        let seeds = f.dir.appendingPathComponent("seeds.jsonl").path
        try ("{\"id\": \"c3\", \"text\": \"court ruling on SSN 219-09-9999\", \"label\": \"dispute\"}\n"
             + "{\"id\": \"p1\", \"text\": \"court w1 w21\", \"label\": \"dispute\"}\n{\"id\": \"p3\", \"text\": \"refund w3 w23\", \"label\": \"money\"}\n")
            .write(toFile: seeds, atomically: true, encoding: .utf8)
        let state = f.dir.appendingPathComponent("state").path
        let common = ["label", "--pool", f.pool, "--labels", seeds, "--state", state, "--model", f.model, "--max-length", "16", "--k", "15"]
        let masked = try CLI.run(common + ["--mask"])
        XCTAssertEqual(masked.status, 0, "\(masked)")
        XCTAssertTrue(masked.stderr.contains("masked the pool and seed texts before embedding (placeholder of "), masked.stderr)
        XCTAssertTrue(masked.stderr.contains("): email 1, person 1, ssn 2"), masked.stderr)
        XCTAssertTrue(masked.stdout.contains("[PERSON_1]") && masked.stdout.contains("[EMAIL_1]"), "the batch shows masked texts: \(masked.stdout)")
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: state)
        while let name = walker?.nextObject() as? String { files.append(name) }
        XCTAssertTrue(files.contains("queue.jsonl") && files.contains("state.json"), "\(files)")
        for name in files {
            guard let data = FileManager.default.contents(atPath: state + "/" + name) else { continue }
            for secret in canary { XCTAssertFalse(String(decoding: data, as: UTF8.self).contains(secret), "\(secret) in \(name)") }
        }
        for secret in canary { XCTAssertFalse((masked.stdout + masked.stderr).contains(secret), "\(secret) in the output") }
        let unmasked = try CLI.run(common)
        XCTAssertEqual(unmasked.status, 1, "\(unmasked)")
        XCTAssertTrue(unmasked.stderr.contains("this session was started on another pool"), unmasked.stderr)
    }

    func testSimulationWritesCurvesSummaryAndPlot() throws {
        let f = try setUpFiles()
        let task = f.dir.appendingPathComponent("task")
        try FileManager.default.createDirectory(at: task, withIntermediateDirectories: true)
        let labels = ["Arbitration", "Jurisdiction", "Limitation of liability"]
        var id = 0
        for (split, count) in [("train", 40), ("dev", 15)] {
            var lines: [String] = []
            for i in 0..<count {
                id += 1
                let l = i % 4
                let label = l == 3 ? "[]" : "[\"\(labels[l])\"]"
                let text = l == 3 ? "w\(i) w\(i + 30) w\(id % 50)" : "\(Self.words[l]) w\(i % 9) w\(id % 40)"
                lines.append("{\"id\": \"u\(id)\", \"label\": \(label), \"text\": \"\(text)\"}")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: task.appendingPathComponent("\(split).jsonl"), atomically: true, encoding: .utf8)
        }
        let description: [String: Any] = ["task": "unfair-tos", "fold": 1, "keep_headings": false, "labels": labels + ["Other"],
                                          "counts": ["train": 40, "dev": 15, "test": 0], "data": "/nowhere", "split_file": "/nowhere"]
        try JSONSerialization.data(withJSONObject: description).write(to: task.appendingPathComponent("task.json"))
        let out = f.dir.appendingPathComponent("sim").path
        let r = try CLI.run(["label", "simulate", "--task", task.path, "--strategies", "margin,kcenter", "--seeds", "2", "--rounds", "2", "--k", "4",
                             "--out", out, "--model", f.model, "--max-length", "16"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.lines.first, "# Active learning on unfair-tos fold 1")
        XCTAssertTrue(r.lines.contains { $0.hasPrefix("| random | ") && $0.contains(" | +0.0 | ") }, r.stdout)
        XCTAssertTrue(r.lines.contains { $0.hasPrefix("| margin | ") }, r.stdout)
        XCTAssertTrue(r.lines.contains { $0.hasPrefix("| kcenter | ") }, r.stdout)
        let curves = try String(contentsOfFile: out + "/curves.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(curves.count, 1 + 3 * 2 * 3, "3 strategies x 2 seeds x 3 points")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/learning-curves.svg"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/summary.csv"))
        let unknown = try CLI.run(["label", "simulate", "--task", task.path, "--strategies", "smart", "--out", out])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.hasPrefix("lexgraph: error: unknown strategy \"smart\" (known: random, least-confidence, margin, entropy, kcenter)"), unknown.stderr)
    }
}
