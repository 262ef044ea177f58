import Foundation
import LexgraphCore
import Tensor
import Transformer
import XCTest

/// LoRA adapters on a tiny random encoder: peft's initialization, the frozen base, the
/// backward through adapter dropout by finite differences, training only the adapters,
/// the adapter folder's target encoding, and the errors a bad folder gets.
final class LoRATests: XCTestCase {
    /// GradientCheckTests' tiny encoder: non-trivial LayerNorms and biases, dropout 0.1.
    func makeModel() throws -> BertModel {
        let config = BertConfig(vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16,
                                maxPositionEmbeddings: 16, typeVocabSize: 2, layerNormEps: 1e-12,
                                hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, initializerRange: 0.4)
        let model = try BertModel(config: config, head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification), seed: 42)
        var rng = SeededGenerator(seed: 9)
        for p in model.parameters.parameters where p.name.contains("LayerNorm") || p.name.hasSuffix(".bias") {
            for i in 0..<p.value.count { p.value[i] += 0.2 * rng.nextNormal() }
        }
        return model
    }

    func batch() throws -> BertBatch {
        try BertBatch(batchSize: 2, sequenceLength: 6, inputIds: [2, 5, 7, 11, 3, 0, 2, 13, 19, 4, 1, 3],
                      tokenTypeIds: [0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1], attentionMask: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])
    }

    func temporaryFolder() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-lora-test-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// A: kaiming-uniform(a = √5) as peft, i.e. uniform in ±1/√in; B: zero, so fresh adapters
    /// change no output (bit for bit) and the classifier copy starts as the model's own.
    func testFreshAdaptersFollowPeftsInitializationAndChangeNothing() throws {
        let model = try makeModel()
        let batch = try batch()
        let before = try model.logits(batch)
        let lora = try model.attachLoRA(LoRAConfig(rank: 4, alpha: 8, dropout: 0, targets: LoRATarget.attentionAndFeedForward), seed: 3)
        XCTAssertEqual(try model.logits(batch), before)
        var aCount = 0
        for p in lora.parameters.parameters {
            let values = p.value.toArray()
            if p.name.contains("lora_A") {
                let bound = 1 / Float(p.shape[1]).squareRoot()
                XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "\(p.name) within ±1/√in")
                XCTAssertGreaterThan(values.map(abs).max()!, 0.8 * bound, "\(p.name) spans the range")
                aCount += 1
            } else if p.name.contains("lora_B") {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, "\(p.name) starts at zero")
            }
        }
        XCTAssertEqual(aCount, 2 * 6)  // 2 layers × 6 targets
        XCTAssertEqual(lora.parameters["classifier.weight"]?.value.toArray(), model.parameters["classifier.weight"]?.value.toArray())
        XCTAssertEqual(lora.parameterCount, 2 * (4 * (4 * 8 + 8 * 4) + (4 * 8 + 16 * 4) + (4 * 16 + 8 * 4)) + 3 * 8 + 3)
        XCTAssertThrowsError(try model.attachLoRA(LoRAConfig())) { XCTAssertTrue("\($0)".contains("already has LoRA adapters"), "\($0)") }
    }

    /// Finite differences along random directions for every adapter tensor and the
    /// classifier copy, with hidden, attention AND adapter dropout on (the generator is
    /// reseeded before each pass, so every evaluation draws the same masks).
    func testAdapterGradientsMatchFiniteDifferencesThroughDropout() throws {
        let model = try makeModel()
        let lora = try model.attachLoRA(LoRAConfig(rank: 3, alpha: 6, dropout: 0.3, targets: LoRATarget.attentionAndFeedForward), seed: 1)
        var rng = SeededGenerator(seed: 11)
        for p in lora.parameters.parameters where p.name.contains("lora_B") {
            for i in 0..<p.value.count { p.value[i] = 0.3 * rng.nextNormal() }
        }
        let batch = try batch(), labels = Labels.classes([2, 0])
        func loss() throws -> Double {
            model.rng = SeededGenerator(seed: 77)
            return Double(try model.lossAndBackward(batch, labels: labels, dropout: true).loss)
        }
        let noDropout = Double(try model.lossAndBackward(batch, labels: labels, dropout: false).loss)
        XCTAssertGreaterThan(abs(try loss() - noDropout), 1e-4, "dropout changes the loss")
        lora.parameters.zeroGrad()
        _ = try loss()
        let analytic = lora.parameters.grads.base, eps = 1e-2
        let g = [Float](UnsafeBufferPointer(start: analytic, count: lora.parameters.scalarCount))
        var worst = 0.0
        for p in lora.parameters.parameters {
            let n = p.value.count, off = p.value.offset
            var d = (0..<n).map { _ in Double(rng.nextNormal()) }
            let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / norm }
            let saved = p.value.toArray()
            for i in 0..<n { p.value[i] = Float(Double(saved[i]) + eps * d[i]) }
            let plus = try loss()
            for i in 0..<n { p.value[i] = Float(Double(saved[i]) - eps * d[i]) }
            let minus = try loss()
            for i in 0..<n { p.value[i] = saved[i] }
            let numeric = (plus - minus) / (2 * eps)
            let exact = (0..<n).reduce(0.0) { $0 + Double(g[off + $1]) * d[$1] }
            worst = max(worst, abs(numeric - exact) / max(abs(exact), 1e-3))
            XCTAssertLessThanOrEqual(abs(numeric - exact), 2e-2 * abs(exact) + 2e-5, "\(p.name): finite difference \(numeric) vs analytic \(exact)")
        }
        print("[LoRA gradient check, dropout on] worst relative error \(worst)")
        XCTAssertEqual(Kernels.sumOfSquares(model.parameters.grads.base, count: model.parameters.grads.count), 0, "the base gets no gradient")
    }

    /// AdamW over `trainableParameters` lowers the loss and leaves every base weight as it was.
    func testTrainingTheAdaptersLeavesTheBaseUntouched() throws {
        let model = try makeModel()
        let base = model.parameters.values
        let frozen = [Float](UnsafeBufferPointer(start: base.base, count: base.count))
        try model.attachLoRA(LoRAConfig(rank: 2, alpha: 4, dropout: 0.1), seed: 5)
        let optimizer = AdamW(parameters: model.trainableParameters, weightDecay: 0.01)
        let batch = try batch(), labels = Labels.classes([2, 0])
        let first = try model.lossAndBackward(batch, labels: labels).loss
        for _ in 0..<30 {
            model.trainableParameters.zeroGrad()
            try model.lossAndBackward(batch, labels: labels, dropout: true)
            optimizer.update(learningRate: 1e-2)
        }
        let last = try model.lossAndBackward(batch, labels: labels).loss
        XCTAssertLessThan(last, 0.5 * first, "30 adapter steps fit two examples")
        XCTAssertEqual([Float](UnsafeBufferPointer(start: base.base, count: base.count)), frozen, "base weights unchanged")
        // Detaching restores the base model's outputs; merging keeps the adapted ones.
        let adapted = try model.logits(batch)
        let lora = try XCTUnwrap(model.detachLoRA())
        XCTAssertNotEqual(try model.logits(batch), adapted)
        let again = try makeModel()
        let dir = temporaryFolder()
        try lora.save(directory: dir, baseModel: "tiny")
        try again.loadLoRA(directory: dir)
        XCTAssertEqual(try again.logits(batch), adapted)
        try again.mergeLoRA()
        let merged = try again.logits(batch)
        for (m, a) in zip(merged, adapted) { XCTAssertEqual(m, a, accuracy: 1e-5) }
    }

    /// Target sets a list of module names cannot say (the feed-forward output without the
    /// attention output: "output.dense" matches both) are written as one regular expression
    /// that peft full-matches; each set reads back as itself.
    func testEveryTargetSetRoundTripsThroughTheAdapterConfig() throws {
        let sets: [[LoRATarget]] = [[.query, .value], LoRATarget.attention, LoRATarget.attentionAndFeedForward, [.output], [.key, .intermediate, .output]]
        for targets in sets {
            let model = try makeModel()
            let dir = temporaryFolder()
            try model.attachLoRA(LoRAConfig(rank: 2, targets: targets)).save(directory: dir, baseModel: "tiny")
            let json = try String(contentsOfFile: dir + "/adapter_config.json", encoding: .utf8)
            XCTAssertEqual(json.contains("\"target_modules\":["), !(targets.contains(.output) && !targets.contains(.attentionOutput)), json)
            let again = try makeModel()
            XCTAssertEqual(try again.loadLoRA(directory: dir).config.targets, targets)
        }
    }

    /// Folders lexgraph cannot reproduce faithfully are refused, naming the file and key.
    func testBadAdapterFoldersAreClearErrors() throws {
        let model = try makeModel()
        let dir = temporaryFolder()
        try model.attachLoRA(LoRAConfig(rank: 2)).save(directory: dir, baseModel: "tiny")
        let original = try String(contentsOfFile: dir + "/adapter_config.json", encoding: .utf8)
        func expectError(_ edit: (String) -> String, _ message: String, in named: String = "adapter_config.json",
                         file: StaticString = #filePath, line: UInt = #line) throws {
            try edit(original).write(toFile: dir + "/adapter_config.json", atomically: true, encoding: .utf8)
            let fresh = try makeModel()
            XCTAssertThrowsError(try fresh.loadLoRA(directory: dir), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(message), "\($0)", file: file, line: line)
                XCTAssertTrue("\($0)".contains(dir + "/" + named), "names the file: \($0)", file: file, line: line)
            }
            XCTAssertNil(fresh.adapters, "nothing attached", file: file, line: line)
        }
        try expectError({ $0.replacingOccurrences(of: "\"use_dora\":false", with: "\"use_dora\":true") },
                        "\"use_dora\" true: is not supported")
        try expectError({ $0.replacingOccurrences(of: "\"peft_type\":\"LORA\"", with: "\"peft_type\":\"IA3\"") }, "only LoRA adapters")
        try expectError({ $0.replacingOccurrences(of: "\"r\":2", with: "\"r\":0") }, "\"r\" 0: the rank must be a positive integer")
        try expectError({ $0.replacingOccurrences(of: "[\"query\",\"key\",\"value\",\"attention.output.dense\"]", with: "[\"dense\"]") },
                        "also selects bert.pooler.dense")
        try expectError({ $0.replacingOccurrences(of: "[\"query\",\"key\",\"value\",\"attention.output.dense\"]",
                                                  with: "\"bert\\\\.encoder\\\\.layer\\\\.0\\\\.attention\\\\.self\\\\.query\"") },
                        "in layer 0 but [] in layer 1")
        try expectError({ $0.replacingOccurrences(of: "\"rank_pattern\":{}", with: "\"rank_pattern\":{\"query\":4}") }, "per-module ranks")
        try expectError({ $0.replacingOccurrences(of: "\"r\":2", with: "\"r\":4") }, "has shape [2, 8] in the file but rank 4 on this model needs [4, 8]",
                        in: "adapter_model.safetensors")
        try expectError({ _ in "{\"peft_type\": " }, "adapter config is not valid JSON")
        try original.write(toFile: dir + "/adapter_config.json", atomically: true, encoding: .utf8)
        // A classifier for another number of labels.
        let twoLabels = try BertModel(config: model.config, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification))
        XCTAssertThrowsError(try twoLabels.loadLoRA(directory: dir)) {
            XCTAssertTrue("\($0)".contains("has shape [3, 8] in the file but this model's 2-label head needs [2, 8]"), "\($0)")
        }
        // A tensor missing from the weights file.
        let file = try SafetensorsFile(path: dir + "/adapter_model.safetensors")
        let kept = try file.entries.dropFirst().map { (name: $0.name, tensor: try file.tensor($0.name)) }
        try SafetensorsWriter.write(kept, to: dir + "/adapter_model.safetensors")
        XCTAssertThrowsError(try makeModel().loadLoRA(directory: dir)) {
            XCTAssertTrue("\($0)".contains("missing 1 adapter tensor(s): \"\(file.entries[0].name)\""), "\($0)")
        }
        XCTAssertThrowsError(try makeModel().loadLoRA(directory: dir + "/nowhere")) {
            XCTAssertTrue("\($0)".contains("no adapter_config.json in the adapter folder"), "\($0)")
        }
        XCTAssertThrowsError(try makeModel().attachLoRA(LoRAConfig(rank: 9))) { XCTAssertTrue("\($0)".contains("exceeds the smallest adapted dimension (8)"), "\($0)") }
        XCTAssertThrowsError(try makeModel().attachLoRA(LoRAConfig(dropout: 1))) { XCTAssertTrue("\($0)".contains("dropout must be in [0, 1)"), "\($0)") }
        XCTAssertThrowsError(try makeModel().mergeLoRA()) { XCTAssertTrue("\($0)".contains("no LoRA adapters to merge"), "\($0)") }
    }
}
