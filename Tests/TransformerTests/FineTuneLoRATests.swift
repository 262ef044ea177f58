import Foundation
import Tensor
import Tokenizers
import Transformer
import XCTest

/// Fine-tuning runs with LoRA adapters on the tiny model folder: the loss falls while only
/// the adapters and the classifier change, the adapter folder and the merged checkpoint
/// both reproduce the run's dev predictions, an interrupted run resumes bit for bit, and
/// bad combinations are errors naming the options.
final class FineTuneLoRATests: XCTestCase {
    /// Mean pooling: the tiny random encoder's [CLS] pooler carries too little of the topic
    /// word for a few dozen updates to find it (a full fine-tuning learns no faster there).
    func options(rank: Int = 4, dropout: Double = 0.1, pooling: HeadPooling = .mean) -> FineTuneOptions {
        var o = FineTuneOptions(task: .classify)
        o.epochs = 8; o.batchSize = 4; o.learningRate = 2e-2; o.maxLength = 24; o.seed = 5; o.pooling = pooling
        o.lora = LoRAConfig(rank: rank, alpha: 8, dropout: dropout, targets: LoRATarget.attentionAndFeedForward)
        return o
    }

    /// Every tensor of a safetensors file by name, without the `bert.` prefix a model with a head saves.
    func tensors(_ path: String) throws -> [String: [Float]] {
        let file = try SafetensorsFile(path: path)
        var out: [String: [Float]] = [:]
        for entry in file.entries {
            var values = [Float](repeating: 0, count: entry.shape.reduce(1, *))
            try values.withUnsafeMutableBufferPointer { try file.readFloats(entry.name, into: $0.baseAddress!) }
            out[entry.name.hasPrefix("bert.") ? String(entry.name.dropFirst(5)) : entry.name] = values
        }
        return out
    }

    func devExamples(_ inputs: FineTuneInputs, tokenizerFolder: String) throws -> [EncodedExample] {
        let items = try TextDataset.load(path: try XCTUnwrap(inputs.devPath), fields: inputs.fields, multiLabel: false)
        return try EncodedExample.encode(items, tokenizer: try BertTokenizer.load(directory: tokenizerFolder), maxLength: 24,
                                         labels: try LabelSet(names: TinyTask.topics))
    }

    func testLoRARunTrainsOnlyAdaptersAndClassifierAndSavesBothForms() throws {
        let dir = try TinyTask.temporaryDirectory("lora-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir, train: TinyTask.items(48, seed: 1))
        let out = dir + "/run"
        var notes: [String] = []
        let history = try FineTuneRun(inputs: inputs, options: options(), directory: out).run(resume: false, log: { notes.append($0) })
        print("[lora run] " + history.map { "loss \($0.trainLoss) dev \($0.dev)" }.joined(separator: "; "))
        XCTAssertEqual(history.count, 8)
        XCTAssertLessThan(history.last!.trainLoss, 0.8 * history.first!.trainLoss, "the loss falls")
        XCTAssertGreaterThan(history.compactMap { $0.dev["accuracy"] }.max() ?? 0, 0.7, "dev accuracy well above chance (1/3)")
        // 2 layers × (4 attention adapters of 4·16 + 16·4, up 4·16 + 32·4, down 4·32 + 16·4) + classifier 3·16 + 3
        let trainable = 2 * (4 * 128 + 192 + 192) + 51
        XCTAssertTrue(notes.contains { $0.hasPrefix("LoRA adapters: rank 4, alpha 8.0, dropout 0.1 on attention.self.query,")
                                       && $0.contains("; \(trainable) trainable parameters") }, "\(notes)")
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
        XCTAssertTrue(summary.contains("- LoRA: rank 4, alpha 8.0, dropout 0.1, targets attention.self.query"), summary)

        // The base in the saved state is the base model's, bit for bit (its head aside: the base had none).
        let base = try tensors(inputs.modelDirectory + "/model.safetensors")
        let state = try tensors(out + "/state/model.safetensors")
        XCTAssertEqual(Set(state.keys).subtracting(base.keys), ["classifier.weight", "classifier.bias"])
        for (name, values) in base { XCTAssertEqual(state[name], values, "state \(name) unchanged") }

        // The merged checkpoint: untouched where no adapter sits, W + scaling·B·A where one does.
        let merged = try tensors(out + "/checkpoint/model.safetensors")
        let adapter = try tensors(out + "/checkpoint/adapter/adapter_model.safetensors")
        XCTAssertEqual(adapter.count, 2 * 6 * 2 + 2)
        let scaling: Float = 8.0 / 4
        var adapted = 0
        for (name, values) in base {
            let module = String(name.dropLast(".weight".count))
            guard let a = adapter["base_model.model.bert.\(module).lora_A.weight"], let b = adapter["base_model.model.bert.\(module).lora_B.weight"] else {
                XCTAssertEqual(merged[name], values, "\(name) unchanged")
                continue
            }
            adapted += 1
            let outF = b.count / 4, inF = a.count / 4
            XCTAssertTrue(b.contains { $0 != 0 }, "\(module) lora_B trained")
            let m = try XCTUnwrap(merged[name])
            for o in 0..<outF {
                for i in 0..<inF {
                    let delta = (0..<4).reduce(Float(0)) { $0 + b[o * 4 + $1] * a[$1 * inF + i] }
                    XCTAssertEqual(m[o * inF + i], values[o * inF + i] + scaling * delta, accuracy: 1e-5, "\(name)[\(o), \(i)]")
                }
            }
        }
        XCTAssertEqual(adapted, 12)
        XCTAssertEqual(merged["classifier.weight"], adapter["base_model.model.classifier.weight"])
        XCTAssertEqual(merged["classifier.bias"], adapter["base_model.model.classifier.bias"])

        // peft's config next to the adapters; the run's config records the LoRA options.
        let peft = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/checkpoint/adapter/adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(peft["r"] as? Int, 4)
        XCTAssertEqual(peft["base_model_name_or_path"] as? String, inputs.modelDirectory)
        XCTAssertEqual(peft["task_type"] as? String, "SEQ_CLS")
        let record = try FineTuneRun.record(ofRun: out + "/checkpoint")
        XCTAssertEqual(record.options.lora, options().lora)
        XCTAssertEqual(try BertModel.load(directory: out + "/checkpoint").head?.pooling, .mean, "the pooling peft has no field for")

        // Adapters reloaded onto the base and the merged checkpoint both give the dev predictions the run saved.
        let dev = try devExamples(inputs, tokenizerFolder: out + "/checkpoint")
        let reloaded = try BertModel.load(directory: inputs.modelDirectory, head: options().head(labelCount: 3))
        try reloaded.loadLoRA(directory: out + "/checkpoint/adapter")
        let adapterLogits = try reloaded.predictLogits(dev)
        let mergedLogits = try BertModel.load(directory: out + "/checkpoint").predictLogits(dev)
        let lines = try String(contentsOfFile: out + "/dev_predictions.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, dev.count)
        for (k, line) in lines.enumerated() {
            let scores = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["scores"] as? [String: Double])
            for (row, what) in [(adapterLogits[k], "adapters"), (mergedLogits[k], "merged")] {
                let e = row.map { exp(Double($0 - row.max()!)) }
                for (c, name) in TinyTask.topics.enumerated() {
                    XCTAssertEqual(scores[name] ?? -1, e[c] / e.reduce(0, +), accuracy: 2e-6, "\(what) line \(k + 1) \(name)")
                }
            }
            for c in 0..<3 { XCTAssertEqual(mergedLogits[k][c], adapterLogits[k][c], accuracy: 1e-5) }
        }
    }

    /// The adapters a tuner trains, saved and loaded onto a fresh copy of the base, give the
    /// very same logits (bit for bit) as the tuner's model.
    func testSavedAdaptersReloadToIdenticalLogits() throws {
        let dir = try TinyTask.temporaryDirectory("lora-reload")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let examples = try TinyTask.examples(12, seed: 3)
        let tuner = try FineTuner(model: try TinyTask.model(seed: 11), examples: examples, options: options(pooling: .cls))
        let before = TinyTask.values(tuner.model)
        for _ in 0..<3 { try tuner.step() }
        XCTAssertEqual(TinyTask.values(tuner.model), before, "base weights and base classifier bit-identical")
        try XCTUnwrap(tuner.model.adapters).save(directory: dir + "/adapter", baseModel: "tiny")
        let fresh = try TinyTask.model(seed: 11)
        try fresh.loadLoRA(directory: dir + "/adapter")
        XCTAssertEqual(try fresh.predictLogits(examples), try tuner.model.predictLogits(examples))
    }

    func testInterruptedLoRARunResumesBitForBit() throws {
        let dir = try TinyTask.temporaryDirectory("lora-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir, train: TinyTask.items(48, seed: 1))
        let straight = try FineTuneRun(inputs: inputs, options: options(), directory: dir + "/a").run(resume: false)
        let run = FineTuneRun(inputs: inputs, options: options(), directory: dir + "/b")
        XCTAssertEqual(try run.run(resume: false, epochLimit: 1).count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/b/state/adapter/adapter_model.safetensors"))
        XCTAssertThrowsError(try FineTuneRun(inputs: inputs, options: options(rank: 2), directory: dir + "/b").run(resume: true)) {
            XCTAssertTrue("\($0)".contains("training options differ"), "\($0)")
        }
        let resumed = try run.run(resume: true)
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(resumed.map(\.dev), straight.map(\.dev))
        for file in ["checkpoint/model.safetensors", "checkpoint/adapter/adapter_model.safetensors", "state/adapter/adapter_model.safetensors",
                     "state/optimizer.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/" + file)), try Data(contentsOf: URL(fileURLWithPath: dir + "/b/" + file)), file)
        }
    }

    func testBadLoRACombinationsAreNamedErrorsAndWriteNothing() throws {
        let dir = try TinyTask.temporaryDirectory("lora-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        func failure(_ o: FineTuneOptions, _ name: String) -> String {
            var message = ""
            XCTAssertThrowsError(try FineTuneRun(inputs: inputs, options: o, directory: dir + "/" + name).run(resume: false)) { message = "\($0)" }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + name), "\(name): nothing written")
            return message
        }
        var frozen = options()
        frozen.freezeLayers = 1
        XCTAssertTrue(failure(frozen, "frozen").contains("fine-tuning option LoRA rank 4 cannot be combined with freeze layers 1"))
        XCTAssertTrue(failure(options(rank: 0), "rank0").contains("LoRA rank must be at least 1, got 0"))
        XCTAssertTrue(failure(options(rank: 17), "rank17").contains("LoRA rank 17 exceeds the smallest adapted dimension (16)"))
        XCTAssertTrue(failure(options(dropout: 1), "dropout").contains("LoRA dropout must be in [0, 1), got 1.0"))

        // A model that already carries other adapters, or adapters the options do not ask for.
        let model = try TinyTask.model()
        try model.attachLoRA(LoRAConfig(rank: 2))
        let examples = try TinyTask.examples(6, seed: 1)
        XCTAssertThrowsError(try FineTuner(model: model, examples: examples, options: options(pooling: .cls))) {
            XCTAssertTrue("\($0)".contains("the model's LoRA adapters"), "\($0)")
        }
        var full = options(pooling: .cls)
        full.lora = nil
        XCTAssertThrowsError(try FineTuner(model: model, examples: examples, options: full)) {
            XCTAssertTrue("\($0)".contains("has LoRA adapters attached but the options fine-tune every parameter"), "\($0)")
        }
    }

    /// Runs saved before LoRA existed have no `lora` in their record and decode as full
    /// fine-tuning; a full run's record still has none.
    func testOptionsWithoutLoRADecodeAsFullFineTuning() throws {
        var o = options()
        o.lora = nil
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as? [String: Any])
        XCTAssertNil(json["lora"])
        XCTAssertEqual(try JSONDecoder().decode(FineTuneOptions.self, from: JSONSerialization.data(withJSONObject: json)), o)
        let lora = options()
        XCTAssertEqual(try JSONDecoder().decode(FineTuneOptions.self, from: JSONEncoder().encode(lora)), lora)
    }
}
