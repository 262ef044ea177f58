import Foundation
import LexgraphCore
import Tensor
import Transformer
import XCTest
import TestRequirements

/// LoRA adapters on the real all-MiniLM-L6-v2 against peft (tools/make_lora_fixtures.py):
/// peft's own adapter folder (rank 2 on the attention and feed-forward projections, fixed
/// non-zero A and B, the classifier as `modules_to_save`) loaded here gives peft's logits,
/// loss and the gradient of every adapter tensor and of the classifier copy; a folder saved
/// here has peft's keys, shapes and config, and loads back to the same logits (the script's
/// `--check DIR` loads it in peft itself); merging the adapters into the base keeps the logits.
final class LoRAReferenceTests: XCTestCase {
    static let directory = Fixtures.packageRoot + "/Tests/Fixtures/lora"
    static let peftFolder = directory + "/peft-adapter"

    func meta() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/lora_reference.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func reference() throws -> SafetensorsFile { try SafetensorsFile(path: Self.directory + "/lora_reference.safetensors") }

    /// MiniLM with a 3-label head; its own classifier is random, the adapter folder's copy replaces it.
    func miniLM() throws -> BertModel {
        try TestRequirements.requireFile(Fixtures.miniLM + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        return try BertModel.load(directory: Fixtures.miniLM, head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification))
    }

    /// peft's name for one of our adapter parameters (its state-dict key, as saved).
    static func peftKey(_ name: String) -> String {
        "base_model.model." + (name.hasPrefix("classifier.") ? "" : "bert.") + name
    }

    func labels(_ meta: [String: Any]) throws -> Labels { .classes(try XCTUnwrap(meta["labels"] as? [Int])) }

    func testLogitsLossAndGradientsMatchPeft() throws {
        let meta = try meta(), ref = try reference()
        let model = try miniLM()
        let lora = try model.loadLoRA(directory: Self.peftFolder)
        XCTAssertEqual(lora.config.rank, 2)
        XCTAssertEqual(lora.config.alpha, 6)
        XCTAssertEqual(lora.config.targets, LoRATarget.attentionAndFeedForward)
        XCTAssertEqual(lora.scaling, 3)
        XCTAssertTrue(model.trainableParameters === lora.parameters)

        let result = try model.lossAndBackward(try Fixtures.batch(meta), labels: try labels(meta))
        let expectedLoss = try XCTUnwrap(meta["loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "loss")
        print("[LoRA loss] \(result.loss) vs peft \(expectedLoss)")
        var cmp = Comparison()
        cmp.check("logits", result.logits, try ref.tensor("logits"), abs: 1e-4)
        let trainable = Set(try XCTUnwrap(meta["trainable"] as? [String]))
        var compared = Set<String>()
        for p in lora.parameters.parameters {
            let key = Self.peftKey(p.name)
            XCTAssertTrue(trainable.contains(key), "\(key) is not among peft's trainable tensors")
            cmp.check(p.name, p.grad.data, try ref.tensor("grad." + key), abs: 1e-6, rel: 1e-4)
            compared.insert(key)
        }
        XCTAssertEqual(compared, trainable, "every tensor peft trains, and no other, is trained here")
        cmp.assertPassed("LoRA logits and gradients of \(compared.count) tensors vs peft")
        // The base is frozen: not one of its gradients was computed.
        XCTAssertEqual(Kernels.sumOfSquares(model.parameters.grads.base, count: model.parameters.grads.count), 0)
    }

    func testSavedFolderHasPeftsLayoutAndLoadsBack() throws {
        let meta = try meta()
        let model = try miniLM()
        try model.loadLoRA(directory: Self.peftFolder)
        let batch = try Fixtures.batch(meta)
        let logits = try model.logits(batch)

        let out = ProcessInfo.processInfo.environment["LEXGRAPH_LORA_EXPORT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-lora-\(UUID().uuidString)").path
        try XCTUnwrap(model.adapters).save(directory: out, baseModel: "models/all-minilm-l6-v2")
        print("[LoRA] saved adapters to \(out) (python3 tools/make_lora_fixtures.py --check \(out) loads them in peft)")

        // Tensors: peft's key set, names and shapes.
        let ours = try SafetensorsFile(path: out + "/adapter_model.safetensors")
        let peft = try SafetensorsFile(path: Self.peftFolder + "/adapter_model.safetensors")
        XCTAssertEqual(Set(ours.entries.map(\.name)), Set(try XCTUnwrap(meta["saved_keys"] as? [String])))
        for e in peft.entries { XCTAssertEqual(ours.entry(e.name)?.shape, e.shape, e.name) }

        // Config: every key peft writes, with the same values where they describe the adapters.
        func config(_ dir: String) throws -> [String: Value] {
            guard case .map(let f) = try Value.parseJSON(String(contentsOfFile: dir + "/adapter_config.json", encoding: .utf8)) else {
                throw TransformerError("not an object")
            }
            return f
        }
        let mine = try config(out), theirs = try config(Self.peftFolder)
        XCTAssertEqual(Set(mine.keys), Set(theirs.keys), "adapter_config.json keys")
        for key in ["peft_type", "task_type", "r", "bias", "use_rslora", "use_dora", "fan_in_fan_out", "layers_to_transform"] {
            XCTAssertEqual(mine[key], theirs[key], key)
        }
        for key in ["lora_alpha", "lora_dropout"] { XCTAssertEqual(mine[key]?.doubleValue, theirs[key]?.doubleValue, key) }
        func names(_ v: Value?) -> Set<String> { if case .list(let l)? = v { return Set(l.compactMap(\.stringValue)) } else { return [] } }
        XCTAssertEqual(names(mine["target_modules"]), names(theirs["target_modules"]))
        XCTAssertEqual(names(mine["modules_to_save"]), names(theirs["modules_to_save"]))

        // And our folder loads back to the very same logits.
        let again = try miniLM()
        try again.loadLoRA(directory: out)
        XCTAssertEqual(try again.logits(batch), logits)
        if out.contains("lexgraph-lora-") { try? FileManager.default.removeItem(atPath: out) }
    }

    func testMergedAdaptersKeepTheLogits() throws {
        let meta = try meta(), ref = try reference()
        let model = try miniLM()
        try model.loadLoRA(directory: Self.peftFolder)
        let batch = try Fixtures.batch(meta)
        let adapted = try model.logits(batch)
        try model.mergeLoRA()
        XCTAssertNil(model.adapters)
        let merged = try model.logits(batch)
        var cmp = Comparison()
        cmp.check("merged logits vs unmerged", merged, Tensor(shape: [adapted.count], values: adapted), abs: 1e-5)
        cmp.check("merged logits vs peft", merged, try ref.tensor("logits"), abs: 1e-4)
        cmp.assertPassed("LoRA merged into the base")

        // The merged model is an ordinary checkpoint.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-lora-merged-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.saveCheckpoint(directory: dir)
        XCTAssertEqual(try BertModel.load(directory: dir).logits(batch), merged)
    }
}
