import Foundation
import Tensor
import TestRequirements
import Transformer
import XCTest

/// The MLM head and loss against transformers' `BertForMaskedLM` (tools/make_mlm_fixtures.py):
/// on tiny-bert every parameter's full gradient; on the real MiniLM (which ships no MLM
/// head: lexgraph initializes it from a seed, the script the same way) the loss, logits,
/// and for every parameter its gradient's norm, sum and a probe projection, plus the full
/// gradients of the head, the decoder bias, the tied word-embedding rows and more.
///
/// Tolerance: |Δ| ≤ 1e-4·|ref| + 1e-6 per element (as TinyBertReferenceTests); a norm, sum
/// or projection within what that per-element bound allows. (The attention key biases'
/// true gradient is exactly 0, softmax being shift-invariant: both sides hold ~1e-8 noise.)
final class MaskedLanguageModelReferenceTests: XCTestCase {
    static let rel: Float = 1e-4, abs: Float = 1e-6

    func meta(_ part: String) throws -> [String: Any] { try XCTUnwrap(try Fixtures.json("mlm_reference.json")[part] as? [String: Any]) }

    static func labels(_ json: [String: Any]) throws -> [Int32] { try Fixtures.int32Matrix(json, "labels") }

    /// tiny-bert's encoder under the fixture's head.
    func tinyModel() throws -> MaskedLanguageModel {
        let folder = try CheckpointFolder(directory: Fixtures.tinyModel)
        let model = try MaskedLanguageModel(config: folder.config)
        let ref = try Fixtures.tensors("mlm_reference.safetensors")
        for p in model.parameters.parameters {
            if p.name.hasPrefix("cls.") { try ref.readFloats("tiny.head.\(p.name)", into: p.value.data) } else { try folder.weights.readFloats("bert." + p.name, into: p.value.data) }
        }
        return model
    }

    func testTinyLossLogitsAndEveryGradientMatchTorch() throws {
        let m = try meta("tiny"), ref = try Fixtures.tensors("mlm_reference.safetensors")
        let model = try tinyModel()
        let batch = try Fixtures.batch(m), labels = try Self.labels(m)
        model.parameters.zeroGrad()
        let loss = try model.lossAndBackward(batch, maskedLabels: labels, dropout: false, lossScale: 1)
        let expected = try XCTUnwrap(m["loss"] as? Double)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-5 * max(1, Swift.abs(expected)))
        var cmp = Comparison()
        let torchNames = Set(try XCTUnwrap(m["parameters"] as? [String]))
        var compared = 0
        for p in model.parameters.parameters {
            let name = p.name.hasPrefix("cls.") ? p.name : "bert." + p.name
            guard torchNames.contains(name) else {
                // BertForMaskedLM has no pooler: ours is carried along without a gradient.
                XCTAssertTrue(p.name.hasPrefix("pooler."), "\(p.name) has no torch counterpart")
                XCTAssertTrue((0..<p.grad.count).allSatisfy { p.grad[$0] == 0 }, "\(p.name) must get no gradient")
                continue
            }
            cmp.check(p.name, p.grad.data, try ref.tensor("tiny.grad.\(name)"), abs: Self.abs, rel: Self.rel)
            compared += 1
        }
        XCTAssertEqual(compared, torchNames.count, "every torch parameter compared (the tied decoder is the word embedding)")
        let positions = try XCTUnwrap(m["positions"] as? [Int])
        cmp.check("logits", try model.logits(batch, positions: positions), try ref.tensor("tiny.logits"), abs: 1e-5, rel: 1e-4)
        cmp.assertPassed("tiny MLM: loss \(loss) vs \(expected), logits and \(compared) gradients")
        XCTAssertEqual(model.unusedParameterNames, ["pooler.dense.weight", "pooler.dense.bias"])
    }

    /// lossScale scales what is added; gradients accumulate; evaluation matches the training loss without dropout.
    func testLossScaleAccumulationAndEvaluation() throws {
        let m = try meta("tiny")
        let model = try tinyModel()
        let batch = try Fixtures.batch(m), labels = try Self.labels(m)
        model.parameters.zeroGrad()
        let loss = try model.lossAndBackward(batch, maskedLabels: labels)
        let once = Tensor(shape: [model.parameters.grads.count])
        once.data.update(from: model.parameters.grads.base, count: once.count)
        try model.lossAndBackward(batch, maskedLabels: labels, lossScale: 0.5)
        var worst: Float = 0
        for i in 0..<once.count { worst = max(worst, Swift.abs(model.parameters.grads.base[i] - 1.5 * once[i]) / max(1e-6, Swift.abs(once[i]))) }
        XCTAssertLessThan(worst, 1e-5)
        let evaluation = try model.evaluate(batch, maskedLabels: labels)
        XCTAssertEqual(evaluation.loss, loss, accuracy: 1e-6)
        XCTAssertEqual(evaluation.maskedTokens, labels.filter { $0 != -100 }.count)
        // Dropout: the same generator state gives the same loss, another a different one.
        model.rng = SeededGenerator(seed: 9)
        let a = try model.lossAndBackward(batch, maskedLabels: labels, dropout: true)
        model.rng = SeededGenerator(seed: 9)
        XCTAssertEqual(try model.lossAndBackward(batch, maskedLabels: labels, dropout: true), a)
        XCTAssertNotEqual(try model.lossAndBackward(batch, maskedLabels: labels, dropout: true), a)
    }

    func testBadLabelsAreErrors() throws {
        let m = try meta("tiny")
        let model = try tinyModel()
        let batch = try Fixtures.batch(m)
        var labels = try Self.labels(m)
        XCTAssertThrowsError(try model.lossAndBackward(batch, maskedLabels: Array(labels.dropLast()))) { XCTAssertTrue("\($0)".contains("maskedLabels has"), "\($0)") }
        labels[1] = 99
        XCTAssertThrowsError(try model.lossAndBackward(batch, maskedLabels: labels)) {
            XCTAssertTrue("\($0)".contains("maskedLabels[0][1] = 99 is neither -100 nor a token id in 0..<99"), "\($0)")
        }
        let t = batch.sequenceLength
        let padded = try XCTUnwrap(batch.attentionMask.firstIndex(of: 0))
        labels = [Int32](repeating: -100, count: labels.count)
        labels[padded] = 5
        XCTAssertThrowsError(try model.lossAndBackward(batch, maskedLabels: labels)) {
            XCTAssertTrue("\($0)".contains("maskedLabels[\(padded / t)][\(padded % t)] = 5 labels a padding position"), "\($0)")
        }
        labels[padded] = -100
        model.parameters.zeroGrad()
        XCTAssertEqual(try model.lossAndBackward(batch, maskedLabels: labels), 0, "no masked token: loss 0")
        XCTAssertEqual(model.parameters.gradientNorm(), 0)
    }

    func miniLM() throws -> MaskedLanguageModel {
        let dir = Fixtures.miniLM
        try TestRequirements.requireFile(dir + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let m = try meta("minilm")
        let (model, loaded) = try MaskedLanguageModel.load(directory: dir, seed: UInt64(try XCTUnwrap(m["head_seed"] as? Int)))
        XCTAssertFalse(loaded, "MiniLM ships no MLM head")
        return model
    }

    func testMiniLMLossLogitsAndEveryGradientMatchTorch() throws {
        let model = try miniLM()
        let m = try meta("minilm"), ref = try Fixtures.tensors("mlm_reference.safetensors")
        var cmp = Comparison()
        // The head initialized from the seed as the script's port of SeededGenerator does.
        cmp.check("dense weight init", model.parameters["cls.predictions.transform.dense.weight"]!.value.data,
                  try ref.tensor("minilm.head.dense_weight_first16"), abs: 0)
        let batch = try Fixtures.batch(m), labels = try Self.labels(m)
        model.parameters.zeroGrad()
        let loss = try model.lossAndBackward(batch, maskedLabels: labels, dropout: false, lossScale: 1)
        let expected = try XCTUnwrap(m["loss"] as? Double)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-4)

        let stats = try XCTUnwrap(m["gradient_stats"] as? [String: [String: Any]])
        XCTAssertEqual(stats.count, model.parameters.parameters.count - 2, "torch: the same parameters but the pooler")
        var statsChecked = 0, worstStat = 0.0
        for p in model.parameters.parameters {
            let name = p.name.hasPrefix("cls.") ? p.name : "bert." + p.name
            guard let s = stats[name] else {
                XCTAssertTrue(p.name.hasPrefix("pooler."), "\(p.name) has no torch counterpart")
                XCTAssertEqual(Kernels.sumOfSquares(p.grad.data, count: p.grad.count), 0, "\(p.name) must get no gradient")
                continue
            }
            var sq = 0.0, sum = 0.0, dot = 0.0, probeSq = 0.0
            for i in 0..<p.grad.count {
                let g = Double(p.grad[i]), q = cos(0.7 * Double(i) + 0.3)
                sq += g * g; sum += g; dot += g * q; probeSq += q * q
            }
            // What |Δg_i| ≤ rel·|g_i| + abs allows for each (Cauchy-Schwarz): a vector of
            // per-element bounds has norm ≤ rel·‖g‖ + abs·√n.
            let norm = sq.squareRoot(), refNorm = try XCTUnwrap(s["norm"] as? Double)
            let n = Double(p.grad.count), bound = Double(Self.rel) * refNorm + Double(Self.abs) * n.squareRoot()
            XCTAssertEqual(norm, refNorm, accuracy: bound, "\(name) gradient norm")
            XCTAssertEqual(sum, try XCTUnwrap(s["sum"] as? Double), accuracy: bound * n.squareRoot(), "\(name) gradient sum")
            XCTAssertEqual(dot, try XCTUnwrap(s["probe"] as? Double), accuracy: bound * probeSq.squareRoot(), "\(name) gradient probe")
            if refNorm > 1e-4 { worstStat = max(worstStat, Swift.abs(norm - refNorm) / refNorm) }
            statsChecked += 1
        }
        for name in try XCTUnwrap(m["full_gradients"] as? [String]) {
            let p = try XCTUnwrap(model.parameters[name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name], name)
            cmp.check(name, p.grad.data, try ref.tensor("minilm.grad.\(name)"), abs: Self.abs, rel: Self.rel)
        }
        var rowsChecked = 0
        for name in try XCTUnwrap(m["first_rows"] as? [String]) {
            let p = try XCTUnwrap(model.parameters[name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name], name)
            cmp.check("\(name)[0]", p.grad.data, try ref.tensor("minilm.grad_row0.\(name)"), abs: Self.abs, rel: Self.rel)
            rowsChecked += 1
        }
        // The tied word embeddings: rows of the batch's ids (lookup + decoder) and rows reached only by the decoder.
        let rows = try XCTUnwrap(m["word_embedding_rows"] as? [Int])
        let word = model.parameters["embeddings.word_embeddings.weight"]!
        let h = model.config.hiddenSize
        var gathered: [Float] = []
        for r in rows { gathered += Array(UnsafeBufferPointer(start: word.grad.data + r * h, count: h)) }
        cmp.check("word embedding rows", gathered, try ref.tensor("minilm.grad_rows.bert.embeddings.word_embeddings.weight"), abs: Self.abs, rel: Self.rel)

        let positions = try XCTUnwrap(m["positions"] as? [Int]), probe = try XCTUnwrap(m["vocab_probe"] as? [Int])
        let logits = try model.logits(batch, positions: positions)
        let v = model.config.vocabSize
        cmp.check("logits", positions.indices.flatMap { i in probe.map { logits[i * v + $0] } }, try ref.tensor("minilm.logits"), abs: 1e-4, rel: 1e-4)
        cmp.assertPassed("MiniLM MLM: loss \(loss) vs \(expected); norm/sum/probe of \(statsChecked) gradients (worst relative norm error, norms > 1e-4: \(worstStat)); "
                         + "full gradients, \(rowsChecked) first rows, \(rows.count) word-embedding rows, logits")
    }

    /// The saved folder holds exactly the tensors transformers' own save_pretrained writes
    /// (the pooler goes beside), reloads with its head, and fine-tunes as the same encoder.
    func testSavedFolderIsABertForMaskedLMCheckpoint() throws {
        let model = try miniLM()
        let m = try meta("minilm")
        let dir = ProcessInfo.processInfo.environment["LEXGRAPH_KEEP_MLM_CHECKPOINT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-mlm-\(UUID().uuidString)").path
        defer { if ProcessInfo.processInfo.environment["LEXGRAPH_KEEP_MLM_CHECKPOINT"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        try model.save(directory: dir, tokenizerFrom: Fixtures.miniLM)
        let names = Set(try SafetensorsFile(path: dir + "/model.safetensors").entries.map(\.name))
        let hf = Set(try XCTUnwrap(m["hf_saved_keys"] as? [String]))
        XCTAssertEqual(names, hf)
        XCTAssertEqual(Set(try SafetensorsFile(path: dir + "/" + BertModel.keptPoolerFile).entries.map(\.name)), ["bert.pooler.dense.weight", "bert.pooler.dense.bias"])
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForMaskedLM"])
        for f in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
        let batch = try Fixtures.batch(m), labels = try Self.labels(m)
        let before = try model.evaluate(batch, maskedLabels: labels)
        let (again, loaded) = try MaskedLanguageModel.load(directory: dir, seed: 12345)
        XCTAssertTrue(loaded)
        XCTAssertEqual(memcmp(again.parameters.values.base, model.parameters.values.base, model.parameters.values.count * 4), 0)
        XCTAssertEqual(try again.evaluate(batch, maskedLabels: labels).loss, before.loss)
        // Fine-tuning starts from the folder: the encoder loads with the kept pooler, the MLM head is skipped.
        let encoder = try BertModel.load(directory: dir)
        let original = try BertModel.load(directory: Fixtures.miniLM)
        XCTAssertEqual(memcmp(encoder.parameters.values.base, original.parameters.values.base, original.parameters.values.count * 4), 0)
    }

    func testIncompleteOrUntiedHeadsAreRefused() throws {
        let model = try miniLM()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-mlm-bad-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(directory: dir, tokenizerFrom: nil)
        let named = model.namedTensors()
        let word = named.first { $0.name == "bert.embeddings.word_embeddings.weight" }!.tensor.clone()
        word[3] += 1
        try SafetensorsWriter.write(named + [(name: "cls.predictions.decoder.weight", tensor: word)], to: dir + "/model.safetensors")
        XCTAssertThrowsError(try MaskedLanguageModel.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("\"cls.predictions.decoder.weight\" differs from \"embeddings.word_embeddings.weight\" at element 3"), "\($0)")
        }
        try SafetensorsWriter.write(named.filter { $0.name != "cls.predictions.bias" }, to: dir + "/model.safetensors")
        XCTAssertThrowsError(try MaskedLanguageModel.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("the MLM head is incomplete") && "\($0)".contains("lacks cls.predictions.bias"), "\($0)")
        }
    }
}
