import Foundation
import TestRequirements
import Transformer
import XCTest

/// `lexgraph finetune` with the head options: mean pooling, balanced class weights and
/// every layer frozen reach the run folder; a bad choice is a usage error and a depth past
/// the model's a runtime error naming the option.
final class FineTuneCommandTests: XCTestCase {
    func testHeadOptionsReachTheRunFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-cli")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let common = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                      "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24"]
        let ok = try LexgraphBinary.run(common + ["--pooling", "mean", "--class-weight", "balanced", "--freeze-layers", "2", "--out", dir + "/run"])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertTrue(ok.stderr.contains("cached the output of 2 frozen layers for 33 examples"), ok.stderr)
        XCTAssertTrue(ok.stderr.contains("class weights (cross-entropy weight): contract 1, court 1, statute 1"), ok.stderr)
        XCTAssertTrue(ok.stdout.contains("run folder: \(dir)/run (2 epoch(s)"), ok.stdout)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/checkpoint/config.json"))) as? [String: Any])
        XCTAssertEqual(config["lexgraph_pooling"] as? String, "mean")
        let record = try XCTUnwrap(config["lexgraph_finetune"] as? [String: Any])
        XCTAssertEqual(record["classWeights"] as? [Double], [1, 1, 1])
        XCTAssertEqual((record["options"] as? [String: Any])?["freezeLayers"] as? Int, 2)

        let badChoice = try LexgraphBinary.run(common + ["--pooling", "max", "--out", dir + "/bad"])
        XCTAssertEqual(badChoice.status, 64, "\(badChoice)")
        XCTAssertTrue(badChoice.stderr.contains("max"), badChoice.stderr)
        let tooDeep = try LexgraphBinary.run(common + ["--freeze-layers", "3", "--out", dir + "/deep"])
        XCTAssertEqual(tooDeep.status, 1, "\(tooDeep)")
        XCTAssertTrue(tooDeep.stderr.contains("lexgraph: error: fine-tuning option freeze layers must be in 0...2 for this model"), tooDeep.stderr)
    }

    /// `--mask`: a canary planted in the training texts (a person, an e-mail, a phone, a
    /// street address, an SSN) is replaced before tokenization, each kind counted in the
    /// log, and reaches no file of the run folder and no output; the run records how it
    /// masked, so a resume without `--mask` is refused.
    func testMaskReplacesPersonalDataBeforeTraining() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-mask")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let canary = ["Kowalczyk", "jdoe@mail.example.com", "(217) 555-0143", "1234 Elm Street", "219-09-9999"]
        let planted = [
            LabeledText(text: "the court heard Mr. Kowalczyk, who wrote from 1234 Elm Street, Springfield, IL 62704", labels: ["court"], id: "c1", line: 0),
            LabeledText(text: "the contract names jdoe@mail.example.com and the phone (217) 555-0143", labels: ["contract"], id: "c2", line: 0),
            LabeledText(text: "the statute protects SSN 219-09-9999 of Mr. Kowalczyk", labels: ["statute"], id: "c3", line: 0),
        ]
        let inputs = try TinyTask.runInputs(dir, train: TinyTask.items(24, seed: 1) + planted)
        let common = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                      "--task", "classify", "--id-field", "id", "--epochs", "1", "--lr", "5e-3", "--batch-size", "4", "--max-length", "32"]
        let ok = try LexgraphBinary.run(common + ["--mask", "--out", dir + "/run"])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertTrue(ok.stderr.contains("masked the train and dev texts before tokenization (placeholder of "), ok.stderr)
        XCTAssertTrue(ok.stderr.contains("address 1, email 1, person 2, phone 1, ssn 1"), ok.stderr)
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: dir + "/run")
        while let name = walker?.nextObject() as? String { files.append(name) }
        XCTAssertTrue(files.contains("checkpoint/config.json") && files.contains("dev_predictions.jsonl"), "\(files)")
        for name in files {
            guard let data = FileManager.default.contents(atPath: dir + "/run/" + name) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for secret in canary { XCTAssertFalse(text.contains(secret), "\(secret) in \(name)") }
        }
        for secret in canary { XCTAssertFalse((ok.stdout + ok.stderr).contains(secret), "\(secret) in the output") }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/config.json"))) as? [String: Any])
        let masking = ((config["lexgraph_finetune"] as? [String: Any])?["inputs"] as? [String: Any])?["masking"] as? String
        XCTAssertEqual(masking?.hasPrefix("placeholder of address, bank_account, card, date_of_birth, docket, email, "), true, "\(String(describing: masking))")

        let unmasked = try LexgraphBinary.run(common + ["--resume", "--epochs", "2", "--out", dir + "/run"])
        XCTAssertEqual(unmasked.status, 1, "\(unmasked)")
        XCTAssertTrue(unmasked.stderr.contains("resume: the model, data files or fields differ from the run's"), unmasked.stderr)
        let badPolicy = try LexgraphBinary.run(common + ["--mask-policy", dir + "/nope.yaml", "--out", dir + "/bad"])
        XCTAssertEqual(badPolicy.status, 1, "\(badPolicy)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad"), "nothing written")
    }

    /// `--lora-*` reach the run folder: adapters in peft's layout, the merged checkpoint that
    /// `lexgraph tag` reads like any other; LoRA settings without a rank are usage errors,
    /// LoRA with frozen layers a runtime error naming both.
    func testLoRAOptionsReachTheRunFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-lora-cli")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let common = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                      "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "1e-2", "--batch-size", "4", "--max-length", "24"]
        let ok = try LexgraphBinary.run(common + ["--lora-rank", "4", "--lora-alpha", "16", "--lora-dropout", "0.05", "--lora-targets", "attention+ffn",
                                                  "--pooling", "mean", "--out", dir + "/run"])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertTrue(ok.stderr.contains("LoRA adapters: rank 4, alpha 16.0, dropout 0.05 on attention.self.query, attention.self.key, "
                                         + "attention.self.value, attention.output.dense, intermediate.dense, output.dense of every layer"), ok.stderr)
        let peft = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/checkpoint/adapter/adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(peft["r"] as? Int, 4)
        XCTAssertEqual(peft["lora_alpha"] as? Int, 16)
        XCTAssertEqual(peft["lora_dropout"] as? Double, 0.05)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/checkpoint/config.json"))) as? [String: Any])
        XCTAssertEqual(config["lexgraph_pooling"] as? String, "mean", "the pooling peft has no field for")
        let lora = try XCTUnwrap(((config["lexgraph_finetune"] as? [String: Any])?["options"] as? [String: Any])?["lora"] as? [String: Any])
        XCTAssertEqual(lora["rank"] as? Int, 4)
        XCTAssertEqual(lora["targets"] as? [String], ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"])

        try Data("{\"text\": \"the court may not\", \"id\": \"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/tag.jsonl"))
        let tag = try LexgraphBinary.run(["tag", dir + "/tag.jsonl", "--types-model", dir + "/run", "--top", "3"])
        XCTAssertEqual(tag.status, 0, "\(tag)")
        let line = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(tag.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(((line["types"] as? [[String: Any]]) ?? []).compactMap { $0["label"] as? String }), Set(TinyTask.topics))

        let noRank = try LexgraphBinary.run(common + ["--lora-alpha", "16", "--out", dir + "/bad"])
        XCTAssertEqual(noRank.status, 64, "\(noRank)")
        XCTAssertTrue(noRank.stderr.contains("--lora-alpha needs --lora-rank"), noRank.stderr)
        let badTargets = try LexgraphBinary.run(common + ["--lora-rank", "4", "--lora-targets", "ffn", "--out", dir + "/bad"])
        XCTAssertEqual(badTargets.status, 64, "\(badTargets)")
        XCTAssertTrue(badTargets.stderr.contains("ffn"), badTargets.stderr)
        let frozen = try LexgraphBinary.run(common + ["--lora-rank", "4", "--freeze-layers", "1", "--out", dir + "/bad"])
        XCTAssertEqual(frozen.status, 1, "\(frozen)")
        XCTAssertTrue(frozen.stderr.contains("lexgraph: error: fine-tuning option LoRA rank 4 cannot be combined with freeze layers 1"), frozen.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad"), "nothing written")
    }
}
