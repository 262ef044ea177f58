import Foundation
import TestRequirements
import Transformer
import XCTest

/// `lexgraph finetune --model FOLDER` on a DistilBERT folder (a WordPiece vocabulary, as
/// distilbert-base-uncased ships): the run trains through the one loop, its checkpoint is a
/// `DistilBertForSequenceClassification` folder and `lexgraph tag` reads it.
final class EncoderFamilyFineTuneTests: XCTestCase {
    func testFineTuneDistilBertFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-distilbert")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try Self.distilBertInputs(dir)
        let base = try BertModel.load(directory: inputs.modelDirectory)
        XCTAssertEqual(base.config.architecture, .distilbert)

        let args = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                    "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24",
                    "--out", dir + "/run"]
        let run = try LexgraphBinary.run(args)
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("run folder: \(dir)/run (2 epoch(s)"), run.stdout)
        let checkpoint = dir + "/run/checkpoint"
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(saved["model_type"] as? String, "distilbert")
        XCTAssertEqual(saved["architectures"] as? [String], ["DistilBertForSequenceClassification"])
        XCTAssertEqual(saved["dim"] as? Int, 16)
        let names = Set(try SafetensorsFile(path: checkpoint + "/model.safetensors").entries.map(\.name))
        XCTAssertTrue(names.isSuperset(of: ["pre_classifier.weight", "classifier.weight", "distilbert.transformer.layer.1.ffn.lin2.weight"]), "\(names.sorted())")
        XCTAssertFalse(names.contains { $0.contains("token_type") }, "\(names.sorted())")
        // The trained weights moved away from the base ones.
        let trained = try BertModel.load(directory: checkpoint)
        XCTAssertEqual(trained.head?.numLabels, 3)
        XCTAssertNotEqual(try XCTUnwrap(trained.parameters["encoder.layer.0.attention.self.query.weight"]).value.toArray(),
                          try XCTUnwrap(base.parameters["encoder.layer.0.attention.self.query.weight"]).value.toArray())

        try Data("{\"text\": \"the court may not\", \"id\": \"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/tag.jsonl"))
        let tag = try LexgraphBinary.run(["tag", dir + "/tag.jsonl", "--types-model", dir + "/run", "--top", "3"])
        XCTAssertEqual(tag.status, 0, "\(tag)")
    }

    /// A DistilBERT run interrupted after one epoch and resumed ends where an uninterrupted
    /// one does (the resume finds the classifier under the architecture's name).
    func testDistilBertRunResumes() throws {
        let dir = try TinyTask.temporaryDirectory("resume-distilbert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try Self.distilBertInputs(dir)
        var o = FineTuneOptions(task: .classify)
        o.epochs = 2; o.batchSize = 4; o.learningRate = 3e-3; o.maxLength = 24; o.seed = 5
        let straight = try FineTuneRun(inputs: inputs, options: o, directory: dir + "/a").run(resume: false)
        let run = FineTuneRun(inputs: inputs, options: o, directory: dir + "/b")
        XCTAssertEqual(try run.run(resume: false, epochLimit: 1).count, 1)
        let resumed = try run.run(resume: true)
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/checkpoint/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/b/checkpoint/model.safetensors")), "same checkpoint bytes")
    }

    /// `lexgraph finetune --model FOLDER` on a RoBERTa folder whose tokenizer is byte-level
    /// BPE (tokenizer.json, no vocab.txt): the texts go through that tokenizer (a WordPiece
    /// reader would refuse the folder), the checkpoint is a `RobertaForSequenceClassification`
    /// folder with the tokenizer files beside it, and `lexgraph tag` reads it.
    func testFineTuneRobertaFolderFromText() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-roberta")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let model = inputs.modelDirectory
        let bpe = Fixtures.packageRoot + "/Tests/Fixtures/tokenizer-bpe"
        try FileManager.default.removeItem(atPath: model)
        var config = TinyTask.config(layers: 2)
        config.architecture = .roberta
        config.vocabSize = 4000
        config.typeVocabSize = 1
        config.padTokenId = 1
        try BertModel(config: config, seed: 23).saveCheckpoint(directory: model)
        for name in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: bpe + "/" + name, toPath: model + "/" + name)
        }

        let args = ["finetune", "--model", model, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                    "--task", "classify", "--id-field", "id", "--epochs", "1", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24",
                    "--out", dir + "/run"]
        let run = try LexgraphBinary.run(args)
        XCTAssertEqual(run.status, 0, "\(run)")
        let checkpoint = dir + "/run/checkpoint"
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(saved["model_type"] as? String, "roberta")
        XCTAssertEqual(saved["architectures"] as? [String], ["RobertaForSequenceClassification"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoint + "/tokenizer.json")),
                       try Data(contentsOf: URL(fileURLWithPath: bpe + "/tokenizer.json")), "the BPE tokenizer travels with the checkpoint")
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint + "/vocab.txt"))

        try Data("{\"text\": \"the court may not\", \"id\": \"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/tag.jsonl"))
        let tag = try LexgraphBinary.run(["tag", dir + "/tag.jsonl", "--types-model", dir + "/run", "--top", "3"])
        XCTAssertEqual(tag.status, 0, "\(tag)")
        let tokens = try LexgraphBinary.run(["tokenize", "--model", checkpoint, "the court", "--pair", "may not", "--format", "json"])
        XCTAssertEqual(tokens.status, 0, "\(tokens)")
        XCTAssertTrue(tokens.stdout.contains("\"Ġcourt\""), tokens.stdout)
    }

    /// `lexgraph finetune --model FOLDER` on an ALBERT folder. The architecture does not
    /// depend on the tokenizer, so the folder carries TinyTask's WordPiece vocab.txt (real
    /// ALBERT folders ship a SentencePiece tokenizer). The checkpoint is an
    /// `AlbertForSequenceClassification` folder holding the one shared layer, which trained;
    /// freezing part of the shared stack is refused naming the architecture.
    func testFineTuneAlbertFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-albert")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        var config = TinyTask.config(layers: 2)
        config.architecture = .albert
        config.embeddingSize = 8
        config.hiddenAct = "gelu_new"
        try BertModel(config: config, seed: 22).saveCheckpoint(directory: inputs.modelDirectory)  // replaces the BERT runInputs wrote
        let base = try BertModel.load(directory: inputs.modelDirectory)
        XCTAssertEqual(base.config.architecture, .albert)

        let args = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                    "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24"]
        let refused = try LexgraphBinary.run(args + ["--freeze-layers", "1", "--out", dir + "/frozen"])
        XCTAssertNotEqual(refused.status, 0, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("freeze layers 1 is not possible on albert"), refused.stderr)

        let run = try LexgraphBinary.run(args + ["--out", dir + "/run"])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("run folder: \(dir)/run (2 epoch(s)"), run.stdout)
        let checkpoint = dir + "/run/checkpoint"
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(saved["model_type"] as? String, "albert")
        XCTAssertEqual(saved["architectures"] as? [String], ["AlbertForSequenceClassification"])
        XCTAssertEqual(saved["embedding_size"] as? Int, 8)
        XCTAssertEqual(saved["hidden_act"] as? String, "gelu_new")
        let names = Set(try SafetensorsFile(path: checkpoint + "/model.safetensors").entries.map(\.name))
        XCTAssertTrue(names.isSuperset(of: ["albert.pooler.weight", "classifier.weight", "albert.encoder.embedding_hidden_mapping_in.weight",
                                            "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn_output.weight"]), "\(names.sorted())")
        XCTAssertFalse(names.contains { $0.contains("albert_layers.1") || $0.contains("albert_layer_groups.1") }, "\(names.sorted())")
        let trained = try BertModel.load(directory: checkpoint)
        XCTAssertEqual(trained.head?.numLabels, 3)
        XCTAssertNotEqual(try XCTUnwrap(trained.parameters["encoder.layer.0.attention.self.query.weight"]).value.toArray(),
                          try XCTUnwrap(base.parameters["encoder.layer.0.attention.self.query.weight"]).value.toArray())

        try Data("{\"text\": \"the court may not\", \"id\": \"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/tag.jsonl"))
        let tag = try LexgraphBinary.run(["tag", dir + "/tag.jsonl", "--types-model", dir + "/run", "--top", "3"])
        XCTAssertEqual(tag.status, 0, "\(tag)")
    }

    /// TinyTask's run inputs with a 2-layer DistilBERT base folder instead of BERT.
    static func distilBertInputs(_ dir: String) throws -> FineTuneInputs {
        let inputs = try TinyTask.runInputs(dir)
        var config = TinyTask.config(layers: 2)
        config.architecture = .distilbert
        config.typeVocabSize = 0
        try BertModel(config: config, seed: 21).saveCheckpoint(directory: inputs.modelDirectory)  // replaces the BERT runInputs wrote
        return inputs
    }
}
