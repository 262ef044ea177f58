import Foundation
import TestRequirements
import XCTest

/// `lexgraph pretrain` end to end on MiniLM and a corpus of a dozen sentences: the run
/// folder, the perplexity it prints, a run stopped mid-epoch and resumed equal bit for bit
/// to an uninterrupted one, the adapted encoder as a `finetune` base, and bad input.
final class PretrainCommandTests: XCTestCase {
    static let sentences = [
        "The lessee shall indemnify the lessor against all claims arising from the use of the premises.",
        "Either party may terminate this agreement upon thirty days written notice to the other party.",
        "The court held that the statute did not apply retroactively to contracts formed before its enactment.",
        "Any dispute arising under this agreement shall be resolved by binding arbitration in New York.",
        "The petitioner argued that the search violated the Fourth Amendment because no warrant was issued.",
        "Confidential information shall not be disclosed to any third party without prior written consent.",
        "The judgment of the court of appeals is reversed and the case is remanded for further proceedings.",
        "The supplier warrants that the goods are free from defects in materials and workmanship.",
    ]
    static let heldOut = [
        "The licensee shall not sublicense the software without the licensor's written consent.",
        "The applicant complained that the length of the proceedings was unreasonable under Article 6.",
    ]

    func model() throws -> String {
        let model = CLI.root.appendingPathComponent("models/all-minilm-l6-v2").path
        try TestRequirements.requireFile(model + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        return model
    }

    static func jsonl(_ texts: [String]) throws -> String {
        try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) + "\n" }.joined()
    }

    func corpus(in dir: URL, train: String? = nil) throws -> URL {
        let folder = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (train ?? Self.jsonl(Self.sentences)).write(to: folder.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
        try Self.jsonl(Self.heldOut).write(to: folder.appendingPathComponent("heldout.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Two epochs of 4 updates (8 windows, batch 2), the held-out set scored whole.
    func pretrain(_ model: String, _ corpus: URL, out: URL, extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["pretrain", "--model", model, "--corpus", corpus.path, "--out", out.path, "--epochs", "2", "--batch-size", "2",
                     "--max-length", "32", "--lr", "1e-4", "--eval-windows", "0", "--threads", "1", "--seed", "7"] + extra)
    }

    /// metrics.jsonl without the wall time.
    func metrics(_ run: URL) throws -> [[String: Any]] {
        try CLI.jsonLines(String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)).map { $0.filter { $0.key != "seconds" } }
    }

    func testRunFolderPerplexityAndBitExactResume() throws {
        let model = try model()
        let dir = try CLI.temporaryFolder(self), corpus = try corpus(in: dir)
        let full = dir.appendingPathComponent("full")
        let r = try pretrain(model, corpus, out: full)
        XCTAssertEqual(r.status, 0, "\(r)")
        let line = try XCTUnwrap(r.lines.first { $0.hasPrefix("held-out perplexity: before ") }, "\(r)")
        let numbers = line.split(whereSeparator: { " ,(%)".contains($0) }).compactMap { Double($0) }
        XCTAssertEqual(numbers.count, 3, line)  // before, best, change
        XCTAssertGreaterThan(numbers[0], 1, line)
        XCTAssertLessThan(numbers[1], numbers[0], "the corpus's own language gets likelier: \(line)")
        XCTAssertTrue(r.stderr.contains("the base model has no MLM head: initialized from seed 7"), r.stderr)
        XCTAssertTrue(r.stderr.contains("epoch 2/2 [####################] 4/4"), r.stderr)

        let fm = FileManager.default
        for file in ["pretrain.json", "metrics.jsonl", "summary.md", "model/config.json", "model/model.safetensors", "model/pooler.safetensors",
                     "model/vocab.txt", "model/tokenizer_config.json", "state/model.safetensors", "state/optimizer.safetensors",
                     "state/trainer_state.json", "state/run_state.json"] {
            XCTAssertTrue(fm.fileExists(atPath: full.appendingPathComponent(file).path), "missing \(file)")
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: full.appendingPathComponent("model/config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForMaskedLM"])
        let metrics = try metrics(full)
        XCTAssertEqual(metrics.count, 2)
        XCTAssertEqual(metrics.map { $0["step"] as? Int }, [4, 8])
        let dev = try XCTUnwrap(metrics.last?["dev"] as? [String: Double])
        XCTAssertEqual(try XCTUnwrap(dev["neg_perplexity"]), -(try XCTUnwrap(dev["heldout_perplexity"])), accuracy: 1e-12)
        XCTAssertEqual(exp(try XCTUnwrap(dev["heldout_loss"])), try XCTUnwrap(dev["heldout_perplexity"]), accuracy: 1e-9)
        let summary = try String(contentsOf: full.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("held-out perplexity before training: " + String(format: "%.3f", numbers[0])), summary)

        // Stopped inside epoch 2, then resumed: the same losses, perplexities and weights.
        let parts = dir.appendingPathComponent("parts")
        let first = try pretrain(model, corpus, out: parts, extra: ["--stop-after", "6"])
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertTrue(first.stdout.contains("paused: continue with --resume"), "\(first)")
        XCTAssertEqual(try self.metrics(parts).count, 1)
        let again = try pretrain(model, corpus, out: parts)
        XCTAssertEqual(again.status, 1, "a second run into the same folder is refused: \(again)")
        XCTAssertTrue(again.stderr.contains("run folder already holds a run"), again.stderr)
        let resumed = try pretrain(model, corpus, out: parts, extra: ["--resume"])
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertTrue(resumed.stderr.contains("resumed at epoch 2, update 6 of 8"), resumed.stderr)
        XCTAssertEqual(NSDictionary(dictionary: ["m": try self.metrics(parts)]), NSDictionary(dictionary: ["m": metrics]))
        for file in ["model/model.safetensors", "state/model.safetensors", "state/optimizer.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: parts.appendingPathComponent(file)), try Data(contentsOf: full.appendingPathComponent(file)), "\(file) differs after resume")
        }
        let changed = try pretrain(model, corpus, out: parts, extra: ["--resume", "--lr", "2e-4"])
        XCTAssertEqual(changed.status, 1, "\(changed)")
        XCTAssertTrue(changed.stderr.contains("resume: the training options differ"), changed.stderr)

        // The adapted encoder is a fine-tuning base (the pooler comes from pooler.safetensors).
        let data = dir.appendingPathComponent("cls.jsonl")
        try Self.sentences.enumerated().map { i, s in
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": s, "label": i % 2 == 0 ? "a" : "b"]), as: UTF8.self) + "\n"
        }.joined().write(to: data, atomically: true, encoding: .utf8)
        let tuned = try CLI.run(["finetune", "--model", full.appendingPathComponent("model").path, "--train", data.path, "--task", "classify",
                                 "--epochs", "1", "--batch-size", "4", "--max-length", "32", "--freeze-layers", "6", "--threads", "1",
                                 "--out", dir.appendingPathComponent("tuned").path])
        XCTAssertEqual(tuned.status, 0, "\(tuned)")
    }

    /// `--mask`: identifiers planted in the corpus are counted as replaced before
    /// tokenization and reach no file of the run folder and no output; the run records the
    /// policy, so a resume without `--mask` is refused.
    func testMaskReplacesPersonalDataInTheCorpus() throws {
        let model = try model()
        let dir = try CLI.temporaryFolder(self)
        let canary = ["Kowalczyk", "jdoe@mail.example.com", "(217) 555-0143"]
        let planted = Self.sentences + ["Mr. Kowalczyk may be reached at jdoe@mail.example.com or (217) 555-0143."]
        let corpus = try corpus(in: dir, train: try Self.jsonl(planted))
        let out = dir.appendingPathComponent("masked")
        let r = try pretrain(model, corpus, out: out, extra: ["--mask", "--epochs", "1"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stderr.contains("masked the corpus texts before tokenization (placeholder of "), r.stderr)
        XCTAssertTrue(r.stderr.contains("): email 1, person 1, phone 1"), r.stderr)
        for secret in canary { XCTAssertFalse((r.stdout + r.stderr).contains(secret), "\(secret) in the output") }
        let walker = FileManager.default.enumerator(atPath: out.path)
        var files = 0
        while let name = walker?.nextObject() as? String {
            guard let data = FileManager.default.contents(atPath: out.appendingPathComponent(name).path) else { continue }
            files += 1
            let text = String(decoding: data, as: UTF8.self)
            for secret in canary { XCTAssertFalse(text.contains(secret), "\(secret) in \(name)") }
        }
        XCTAssertGreaterThan(files, 3)
        let unmasked = try pretrain(model, corpus, out: out, extra: ["--resume", "--epochs", "1"])
        XCTAssertEqual(unmasked.status, 1, "\(unmasked)")
        XCTAssertTrue(unmasked.stderr.contains("resume: the model or corpus files differ from the run's"), unmasked.stderr)
    }

    func testBadInputIsNamed() throws {
        let model = try model()
        let dir = try CLI.temporaryFolder(self)
        let empty = try corpus(in: dir.appendingPathComponent("empty"), train: "")
        var r = try pretrain(model, empty, out: dir.appendingPathComponent("r1"))
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("the training corpus has no text") && r.stderr.contains("empty/corpus/train.jsonl"), r.stderr)

        let junk = try corpus(in: dir.appendingPathComponent("junk"), train: try Self.jsonl([Self.sentences[0], "PK\u{3}\u{4}\u{0}\u{0}binary"]))
        r = try pretrain(model, junk, out: dir.appendingPathComponent("r2"))
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("junk/corpus/train.jsonl:2") && r.stderr.contains("control character U+0003"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r2").path), "nothing written for a bad corpus")

        let good = try corpus(in: dir.appendingPathComponent("good"))
        r = try pretrain("/nowhere/model", good, out: dir.appendingPathComponent("r3"))
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("no model folder at /nowhere/model"), r.stderr)

        r = try CLI.run(["pretrain", "--model", model, "--out", dir.appendingPathComponent("r4").path])
        XCTAssertEqual(r.status, 64, "\(r)")
        XCTAssertTrue(r.stderr.contains("pass --corpus DIR"), r.stderr)

        r = try CLI.run(["pretrain", "--model", model, "--corpus", dir.appendingPathComponent("none").path, "--out", dir.appendingPathComponent("r5").path])
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("none/train.jsonl") && r.stderr.contains("no corpus file here"), r.stderr)
    }
}
