import Foundation
import Sealing
import TestRequirements
import Transformer
import XCTest

/// Checkpoints and predictions sealed with the artifact key (`SealedFiles`): files a peer
/// sealed (Python `cryptography` AES-GCM, `hashlib` PBKDF2) open here; an encrypted
/// fine-tuning run holds neither a planted canary nor its weights in any file, resumes
/// bit for bit, and refuses a wrong or missing key naming the file.
final class SealedArtifactTests: XCTestCase {
    static let fixtures = Fixtures.packageRoot + "/Tests/Fixtures/sealing"

    override func tearDown() {
        SealedFiles.reset()
        super.tearDown()
    }

    static func fixture() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/sealing.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testPeerSealedFilesOpenWithTheirKeyOnly() throws {
        let f = try Self.fixture()
        let values = try XCTUnwrap(f["values"] as? [Double]).map(Float.init)
        let passphrase = try ArtifactKey(material: Array(try XCTUnwrap(f["passphrase"] as? String).utf8), source: "test passphrase")
        let hex = try ArtifactKey(material: Array(try XCTUnwrap(f["hex_key"] as? String).utf8), source: "test hex key")
        // The passphrase's PBKDF2 key, given as hex, is the same key: the derivation matches hashlib's.
        let derived = try ArtifactKey(material: Array(try XCTUnwrap(f["passphrase_key_hex"] as? String).utf8), source: "derived")
        for (name, key) in [("passphrase.safetensors", passphrase), ("passphrase.safetensors", derived), ("hexkey.safetensors", hex)] {
            SealedFiles.use(key)
            let file = try SafetensorsFile(path: Self.fixtures + "/" + name)
            let t = try file.tensor("weights")
            XCTAssertEqual(Array(UnsafeBufferPointer(start: t.data, count: t.count)), values, name)
            XCTAssertEqual(file.metadata["format"], "pt")
        }
        SealedFiles.use(hex)
        XCTAssertThrowsError(try SafetensorsFile(path: Self.fixtures + "/passphrase.safetensors")) {
            XCTAssertEqual("\($0)", "\(Self.fixtures)/passphrase.safetensors: cannot decrypt the file with the artifact key "
                           + "from test hex key: wrong key, or the file was changed (AES-GCM authentication failed)")
        }
        SealedFiles.use(nil)
        XCTAssertThrowsError(try SafetensorsFile(path: Self.fixtures + "/hexkey.safetensors")) {
            XCTAssertTrue("\($0)".contains("hexkey.safetensors: the file is encrypted and no artifact key is configured: set LEXGRAPH_ARTIFACT_KEY_FILE"), "\($0)")
        }

        // One changed byte, or a cut, fails authentication; nothing is half-read.
        let dir = try TinyTask.temporaryDirectory("sealed")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/hexkey.safetensors"))
        bytes[bytes.count - 20] ^= 1
        try bytes.write(to: URL(fileURLWithPath: dir + "/changed.safetensors"))
        try bytes.prefix(30).write(to: URL(fileURLWithPath: dir + "/cut.safetensors"))
        SealedFiles.use(hex)
        XCTAssertThrowsError(try SafetensorsFile(path: dir + "/changed.safetensors")) { XCTAssertTrue("\($0)".contains("wrong key, or the file was changed"), "\($0)") }
        XCTAssertThrowsError(try SafetensorsFile(path: dir + "/cut.safetensors")) {
            XCTAssertEqual("\($0)", "\(dir)/cut.safetensors: the encrypted file is truncated (30 bytes)")
        }
        // Bad key material is refused with where it came from.
        XCTAssertThrowsError(try ArtifactKey.environment(["LEXGRAPH_ARTIFACT_KEY_FILE": dir + "/none.key"])) {
            XCTAssertEqual("\($0)", "no key file at \(dir)/none.key ($LEXGRAPH_ARTIFACT_KEY_FILE)")
        }
        XCTAssertEqual(try ArtifactKey.environment(["LEXGRAPH_DB_KEY": "a passphrase"])?.source, "$LEXGRAPH_DB_KEY")
        XCTAssertEqual(try ArtifactKey.environment(["LEXGRAPH_DB_KEY": "db", "LEXGRAPH_ARTIFACT_KEY": "artifacts"])?.source, "$LEXGRAPH_ARTIFACT_KEY")
        XCTAssertNil(try ArtifactKey.environment([:]))
    }

    /// The bytes of a tensor, to look for in files: 16 floats of the trained weights.
    static func pattern(_ file: SafetensorsFile, _ name: String) throws -> Data {
        let t = try file.tensor(name)
        return Data(bytes: t.data, count: 4 * min(16, t.count))
    }

    static func files(under dir: String) -> [String] {
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: dir)
        while let name = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(name) }
        }
        return files.sorted()
    }

    /// `lexgraph finetune` with `$LEXGRAPH_ARTIFACT_KEY_FILE`: a canary id in the dev set
    /// and the trained weights appear in no file of the run folder (they do in the same
    /// run without a key); `model info` reads it with the key; a wrong or
    /// missing key is a one-line error naming the file.
    func testEncryptedRunFolderHoldsNoCanaryAndNoWeights() throws {
        let dir = try TinyTask.temporaryDirectory("sealed-run")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let canary = "CANARY-Kowalczyk-7f3a9"
        var dev = TinyTask.items(9, seed: 2)
        dev[4].id = canary
        let inputs = try TinyTask.runInputs(dir)
        try Data((try dev.map {
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0.text, "label": $0.labels[0], "id": $0.id ?? ""], options: .sortedKeys), as: UTF8.self)
        }.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: try XCTUnwrap(inputs.devPath)))
        let keyFile = dir + "/artifact.key", otherKey = dir + "/other.key"
        try Data("8f8f8f8f0123456789abcdef0123456789abcdef0123456789abcdefc0ffee00\n".utf8).write(to: URL(fileURLWithPath: keyFile))
        try Data("a different passphrase\n".utf8).write(to: URL(fileURLWithPath: otherKey))
        var environment = ProcessInfo.processInfo.environment
        for name in ["LEXGRAPH_ARTIFACT_KEY_FILE", "LEXGRAPH_ARTIFACT_KEY", "LEXGRAPH_DB_KEY_FILE", "LEXGRAPH_DB_KEY"] { environment[name] = nil }
        var keyed = environment
        keyed["LEXGRAPH_ARTIFACT_KEY_FILE"] = keyFile
        let common = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                      "--task", "classify", "--id-field", "id", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24", "--seed", "3"]

        let plain = try LexgraphBinary.run(common + ["--epochs", "1", "--out", dir + "/plain"], environment: environment)
        XCTAssertEqual(plain.status, 0, "\(plain)")
        let sealed = try LexgraphBinary.run(common + ["--epochs", "1", "--out", dir + "/sealed"], environment: keyed)
        XCTAssertEqual(sealed.status, 0, "\(sealed)")

        // The weights to look for, read back through the key.
        SealedFiles.use(try ArtifactKey.file(keyFile))
        let checkpoint = try SafetensorsFile(path: dir + "/sealed/checkpoint/model.safetensors")
        let patterns = try ["bert.embeddings.word_embeddings.weight", "classifier.weight", "bert.encoder.layer.1.attention.self.query.weight"].map {
            try Self.pattern(checkpoint, $0)
        }
        let state = try SafetensorsFile(path: dir + "/sealed/state/optimizer.safetensors")
        let moments = try Self.pattern(state, "exp_avg")
        // Plain and sealed runs trained the same weights.
        SealedFiles.use(nil)
        let plainCheckpoint = try Data(contentsOf: URL(fileURLWithPath: dir + "/plain/checkpoint/model.safetensors"))
        for p in patterns { XCTAssertNotNil(plainCheckpoint.range(of: p), "the plain run holds the weights (the probe works)") }
        let plainPredictions = try String(contentsOfFile: dir + "/plain/dev_predictions.jsonl", encoding: .utf8)
        XCTAssertTrue(plainPredictions.contains(canary), "the plain run's predictions name the canary case")

        let files = Self.files(under: dir + "/sealed")
        XCTAssertTrue(files.contains("dev_predictions.jsonl") && files.contains("checkpoint/model.safetensors") && files.contains("state/optimizer.safetensors"), "\(files)")
        for name in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/sealed/" + name))
            XCTAssertNil(data.range(of: Data(canary.utf8)), "canary in \(name)")
            for p in patterns + [moments] { XCTAssertNil(data.range(of: p), "weights in \(name)") }
            if name.hasSuffix(".safetensors") || name == "dev_predictions.jsonl" {
                XCTAssertTrue(SealedFiles.isSealed(data), "\(name) is sealed")
                let mode = try FileManager.default.attributesOfItem(atPath: dir + "/sealed/" + name)[.posixPermissions] as? Int
                XCTAssertEqual(mode, 0o600, name)
            }
            XCTAssertFalse(name.hasSuffix(".tmp"), "a temporary file was left: \(name)")
        }
        XCTAssertFalse((sealed.stdout + sealed.stderr).contains(canary))

        // A reader in another process: `model info` reads the sealed weights with the key.
        let info = try LexgraphBinary.run(["model", "info", dir + "/sealed/checkpoint"], environment: keyed)
        XCTAssertEqual(info.status, 0, "\(info)")
        let infoPlain = try LexgraphBinary.run(["model", "info", dir + "/plain/checkpoint"], environment: environment)
        XCTAssertEqual(info.stdout, infoPlain.stdout.replacingOccurrences(of: dir + "/plain", with: dir + "/sealed"))

        var wrong = environment
        wrong["LEXGRAPH_ARTIFACT_KEY_FILE"] = otherKey
        let wrongKey = try LexgraphBinary.run(["model", "info", dir + "/sealed/checkpoint"], environment: wrong)
        XCTAssertEqual(wrongKey.status, 1, "\(wrongKey)")
        XCTAssertTrue(wrongKey.stderr.contains("lexgraph: error: \(dir)/sealed/checkpoint/model.safetensors: cannot decrypt the file "
                                               + "with the artifact key from the key file \(otherKey) ($LEXGRAPH_ARTIFACT_KEY_FILE): wrong key"), wrongKey.stderr)
        let noKey = try LexgraphBinary.run(["model", "info", dir + "/sealed/checkpoint"], environment: environment)
        XCTAssertEqual(noKey.status, 1, "\(noKey)")
        XCTAssertTrue(noKey.stderr.contains("model.safetensors: the file is encrypted and no artifact key is configured"), noKey.stderr)
        XCTAssertFalse((wrongKey.stderr + noKey.stderr).contains("8f8f8f8f") || (wrongKey.stderr + noKey.stderr).contains("different passphrase"), "no key in messages")
    }

    /// A sealed run interrupted after one epoch and resumed ends with the same weights,
    /// bit for bit, as the same run uninterrupted and as the run without a key.
    func testResumeFromAnEncryptedRunIsBitExact() throws {
        let dir = try TinyTask.temporaryDirectory("sealed-resume")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        var options = FineTuneOptions(task: .classify)
        options.epochs = 3; options.batchSize = 4; options.learningRate = 3e-3; options.maxLength = 24; options.seed = 5
        SealedFiles.use(nil)
        let plain = try FineTuneRun(inputs: inputs, options: options, directory: dir + "/plain").run(resume: false)
        SealedFiles.use(try ArtifactKey(material: Array("resume passphrase".utf8), source: "test"))
        let straight = try FineTuneRun(inputs: inputs, options: options, directory: dir + "/a").run(resume: false)
        let run = FineTuneRun(inputs: inputs, options: options, directory: dir + "/b")
        XCTAssertEqual(try run.run(resume: false, epochLimit: 1).count, 1)
        XCTAssertTrue(SealedFiles.isSealed(try Data(contentsOf: URL(fileURLWithPath: dir + "/b/state/model.safetensors"))))
        try FileManager.default.copyItem(atPath: dir + "/b", toPath: dir + "/c")
        let resumed = try run.run(resume: true)
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(resumed.map(\.trainLoss), plain.map(\.trainLoss))
        XCTAssertEqual(resumed.map(\.dev), plain.map(\.dev))
        func weights(_ path: String) throws -> Data { try XCTUnwrap(try SealedFiles.read(path)) }
        let a = try weights(dir + "/a/checkpoint/model.safetensors"), b = try weights(dir + "/b/checkpoint/model.safetensors")
        XCTAssertEqual(a, b, "resumed = uninterrupted, bit for bit")
        XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: dir + "/plain/checkpoint/model.safetensors")), "sealing changes no weight")
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/checkpoint/model.safetensors")),
                          try Data(contentsOf: URL(fileURLWithPath: dir + "/b/checkpoint/model.safetensors")), "fresh nonces: the ciphertexts differ")
        // Resuming with another key stops at the first sealed file, naming it.
        SealedFiles.use(try ArtifactKey(material: Array("not the key".utf8), source: "$LEXGRAPH_ARTIFACT_KEY"))
        XCTAssertThrowsError(try FineTuneRun(inputs: inputs, options: options, directory: dir + "/c").run(resume: true)) {
            XCTAssertEqual("\($0)", "\(dir)/c/state/model.safetensors: cannot decrypt the file with the artifact key from "
                           + "$LEXGRAPH_ARTIFACT_KEY: wrong key, or the file was changed (AES-GCM authentication failed)")
        }
    }
}
