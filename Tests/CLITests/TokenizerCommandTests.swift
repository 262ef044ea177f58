import Foundation
import TestRequirements
import XCTest

/// `lexgraph tokenizer train` through the real binary: the folder it writes holds the
/// tokenizer the Python library trains on the same corpus (Tests/Fixtures/tokenizer-bpe,
/// tools/make_bpe_fixtures.py), and `tokenize` reads it.
final class TokenizerCommandTests: XCTestCase {
    let fixtures = CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-bpe")

    func testTrainWritesThePeersTokenizer() throws {
        let out = try CLI.temporaryFolder(self).appendingPathComponent("legal-bpe").path
        let corpus = fixtures.appendingPathComponent("train-corpus.jsonl").path
        let run = try CLI.run(["tokenizer", "train", corpus, "--vocab-size", "1000", "--min-frequency", "2", "--out", out])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.hasPrefix("byte-level BPE: 1000 tokens (5 special, 256 bytes, 739 merges) from 400 texts, "), run.stdout)
        XCTAssertTrue(run.stdout.hasSuffix("written: \(out)/tokenizer.json, \(out)/tokenizer_config.json\n"), run.stdout)

        func model(_ path: String) throws -> [String: Any] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return try XCTUnwrap(json?["model"] as? [String: Any])
        }
        let ours = try model(out + "/tokenizer.json")
        let peer = try model(fixtures.appendingPathComponent("train-reference/tokenizer.json").path)
        XCTAssertEqual(ours["vocab"] as? [String: Int], peer["vocab"] as? [String: Int])
        XCTAssertEqual(ours["merges"] as? [[String]], peer["merges"] as? [[String]])

        let tokens = try CLI.run(["tokenize", "--model", out, "The Court held that the statute applies.", "--format", "json"])
        XCTAssertEqual(tokens.status, 0, "\(tokens)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["tokens"] as? [String])?.first, "<s>")
        XCTAssertTrue((json["tokens"] as? [String])?.contains("Ġthe") ?? false, tokens.stdout)
    }

    func testBadInputIsRefused() throws {
        let dir = try CLI.temporaryFolder(self)
        let kind = try CLI.run(["tokenizer", "train", "x.jsonl", "--kind", "wordpiece", "--out", dir.path])
        XCTAssertNotEqual(kind.status, 0)
        XCTAssertTrue(kind.stderr.contains("--kind wordpiece is not supported"), "\(kind)")
        let bad = dir.appendingPathComponent("bad.jsonl")
        try "{\"text\": \"fine\"}\n{\"body\": \"no text\"}\n".write(to: bad, atomically: true, encoding: .utf8)
        let missing = try CLI.run(["tokenizer", "train", bad.path, "--vocab-size", "300", "--out", dir.appendingPathComponent("t").path])
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("\(bad.path):2"), "\(missing)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t/tokenizer.json").path), "nothing written")
    }
}
