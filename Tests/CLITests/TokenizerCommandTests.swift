import Foundation
import TestRequirements
import XCTest

/// `lexgraph tokenizer train` through the real binary: the folder it writes holds the
/// tokenizer the Python library trains on the same corpus (Tests/Fixtures/tokenizer-bpe,
/// tools/make_bpe_fixtures.py), and `tokenize` reads it.
final class TokenizerCommandTests: XCTestCase {
    let fixtures = CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-bpe")
    let training = CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-training")

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

    /// WordPiece: the peer numbers its `##` characters in a hash order that changes between
    /// runs (its three fixture runs share 997 or 998 of 1,000 tokens); ours go by code point.
    /// The special tokens and alphabet are the peer's ids, all but a few tail tokens are the
    /// peer run's (WordPieceTrainerTests: 995 to 997), and `tokenize` reads it.
    func testTrainWordPieceWritesAVocabularyThePeerWouldTrain() throws {
        let out = try CLI.temporaryFolder(self).appendingPathComponent("legal-wordpiece").path
        let corpus = fixtures.appendingPathComponent("train-corpus.jsonl").path
        let run = try CLI.run(["tokenizer", "train", corpus, "--kind", "wordpiece", "--vocab-size", "1000", "--out", out])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.hasPrefix("WordPiece: 1000 tokens (5 special) from 400 texts, "), run.stdout)
        XCTAssertTrue(run.stdout.hasSuffix("written: \(out)/vocab.txt, \(out)/tokenizer_config.json\n"), run.stdout)
        func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let ours = try lines(out + "/vocab.txt")
        let peer = try lines(training.appendingPathComponent("wordpiece/run-1.txt").path)
        let alphabetEnd = try XCTUnwrap(peer.firstIndex { $0.hasPrefix("##") })
        XCTAssertEqual(Array(ours.prefix(alphabetEnd)), Array(peer.prefix(alphabetEnd)))
        XCTAssertGreaterThanOrEqual(Set(ours).intersection(peer).count, 995)

        let tokens = try CLI.run(["tokenize", "--model", out, "The Court held that the statute applies.", "--format", "json"])
        XCTAssertEqual(tokens.status, 0, "\(tokens)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["tokens"] as? [String])?.first, "[CLS]")
        XCTAssertTrue((json["tokens"] as? [String])?.contains("the") ?? false, tokens.stdout)
    }

    /// Unigram: the same pieces as the peer's run, each score within 1e-9 except the
    /// characters EM dropped (penalised in the peer's hash order), and `tokenize` reads it.
    func testTrainUnigramWritesThePeersPieces() throws {
        let out = try CLI.temporaryFolder(self).appendingPathComponent("legal-unigram").path
        let corpus = fixtures.appendingPathComponent("train-corpus.jsonl").path
        let run = try CLI.run(["tokenizer", "train", corpus, "--kind", "unigram", "--vocab-size", "1000", "--out", out])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.hasPrefix("Unigram: 1000 pieces (5 special) from 400 texts, "), run.stdout)
        XCTAssertTrue(run.stdout.hasSuffix("written: \(out)/tokenizer.json, \(out)/tokenizer_config.json\n"), run.stdout)
        func pieces(_ path: String) throws -> [String: Double] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            let vocab = try XCTUnwrap((json?["model"] as? [String: Any])?["vocab"] as? [[Any]])
            return Dictionary(vocab.map { ($0[0] as? String ?? "", ($0[1] as? NSNumber)?.doubleValue ?? .nan) }, uniquingKeysWith: { a, _ in a })
        }
        let ours = try pieces(out + "/tokenizer.json")
        let peer = try pieces(training.appendingPathComponent("unigram/run-1.json").path)
        XCTAssertEqual(Set(ours.keys), Set(peer.keys))
        let differing = peer.keys.filter { abs((ours[$0] ?? .nan) - peer[$0]!) > 1e-9 || ours[$0] == nil }
        XCTAssertTrue(differing.allSatisfy { $0.unicodeScalars.count == 1 }, "\(differing)")

        let tokens = try CLI.run(["tokenize", "--model", out, "The Court held that the statute applies.", "--format", "json"])
        XCTAssertEqual(tokens.status, 0, "\(tokens)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["tokens"] as? [String])?.first, "[CLS]")
        XCTAssertTrue((json["tokens"] as? [String])?.contains("\u{2581}the") ?? false, tokens.stdout)
    }

    func testBadInputIsRefused() throws {
        let dir = try CLI.temporaryFolder(self)
        let kind = try CLI.run(["tokenizer", "train", "x.jsonl", "--kind", "sentencepiece-bpe", "--out", dir.path])
        XCTAssertNotEqual(kind.status, 0)
        XCTAssertTrue(kind.stderr.contains("--kind sentencepiece-bpe is not supported: give byte-level-bpe, wordpiece or unigram"), "\(kind)")
        let option = try CLI.run(["tokenizer", "train", "x.jsonl", "--kind", "unigram", "--min-frequency", "3", "--out", dir.path])
        XCTAssertNotEqual(option.status, 0)
        XCTAssertTrue(option.stderr.contains("--min-frequency applies to byte-level-bpe and wordpiece, not unigram"), "\(option)")
        let bad = dir.appendingPathComponent("bad.jsonl")
        try "{\"text\": \"fine\"}\n{\"body\": \"no text\"}\n".write(to: bad, atomically: true, encoding: .utf8)
        let missing = try CLI.run(["tokenizer", "train", bad.path, "--vocab-size", "300", "--out", dir.appendingPathComponent("t").path])
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("\(bad.path):2"), "\(missing)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t/tokenizer.json").path), "nothing written")
    }
}
