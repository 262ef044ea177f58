import Foundation
import XCTest

/// `lexgraph tokenize` over a SentencePiece Unigram folder (Tests/Fixtures/tokenizer-unigram,
/// tools/make_unigram_fixtures.py; Tests/Fixtures/tokenizer-spiece, a spiece.model with no
/// tokenizer.json, tools/make_spiece_fixtures.py): the ids and offsets it prints are the
/// peer's for the same text, recorded in that folder's reference.jsonl.
final class TokenizeUnigramTests: XCTestCase {
    let folder = CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-unigram")

    /// The peer's expectation for the reference case whose text starts with `prefix`.
    private func peerCase(_ prefix: String, in folder: URL? = nil) throws -> (text: String, ids: [Int], offsets: [Int]) {
        let lines = try String(contentsOf: (folder ?? self.folder).appendingPathComponent("reference.jsonl"), encoding: .utf8).split(separator: "\n")
        for line in lines {
            guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], c["kind"] as? String == "encode",
                  c["pair"] == nil, c["add_special_tokens"] == nil, let text = c["text"] as? String, text.hasPrefix(prefix),
                  let expect = c["expect"] as? [String: Any], let ids = expect["ids"] as? [Int], let offsets = expect["offsets"] as? [Int] else { continue }
            return (text, ids, offsets)
        }
        throw TokenizerFixtureMissing(prefix: prefix)
    }

    private struct TokenizerFixtureMissing: Error { let prefix: String }

    func testTokenizePrintsThePeersIdsAndOffsets() throws {
        let peer = try peerCase("``Quoted''")
        let run = try CLI.run(["tokenize", "--model", folder.path, peer.text, "--format", "json"])
        XCTAssertEqual(run.status, 0, "\(run)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["input_ids"] as? [Int], peer.ids)
        XCTAssertEqual((json["offsets"] as? [[Int]])?.flatMap { $0 }, peer.offsets)
        XCTAssertEqual((json["tokens"] as? [String])?.first, "[CLS]")

        let table = try CLI.run(["tokenize", "--model", folder.path, "The Court held", "--pair", "Café"])
        XCTAssertEqual(table.status, 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        // The peer's rows: token, id, type id, offset and the text it points at ("é" for the
        // "e" NFKD and accent stripping leave of it).
        let rows = lines.dropFirst().dropLast().map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.map { $0.dropFirst().joined(separator: " ") }, [
            "[CLS] 2 0 0..<0 \"\"", "\u{2581}the 5 0 0..<3 \"The\"", "\u{2581}court 68 0 4..<9 \"Court\"", "\u{2581}held 266 0 10..<14 \"held\"",
            "[SEP] 3 0 0..<0 \"\"", "\u{2581}c 120 1 0..<1 \"C\"", "a 24 1 1..<2 \"a\"", "f 60 1 2..<3 \"f\"", "e 19 1 3..<4 \"é\"", "[SEP] 3 1 0..<0 \"\"",
        ], table.stdout)
        XCTAssertEqual(lines.last, "\(lines.count - 2) tokens; offsets are Unicode scalar indices into the input text")
    }

    /// A folder with only spiece.model (and config.json) is read directly; a folder with no
    /// tokenizer file is refused naming the three it looked for.
    func testTokenizeReadsSpieceModel() throws {
        let spiece = CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-spiece")
        XCTAssertFalse(FileManager.default.fileExists(atPath: spiece.appendingPathComponent("tokenizer.json").path))
        let peer = try peerCase("``Quoted like this''", in: spiece)
        let run = try CLI.run(["tokenize", "--model", spiece.path, peer.text, "--format", "json"])
        XCTAssertEqual(run.status, 0, "\(run)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["input_ids"] as? [Int], peer.ids)
        XCTAssertEqual((json["offsets"] as? [[Int]])?.flatMap { $0 }, peer.offsets)

        let empty = try CLI.temporaryFolder(self)
        let refused = try CLI.run(["tokenize", "--model", empty.path, "text"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(["tokenizer.json", "spiece.model", "vocab.txt", empty.path].allSatisfy(refused.stderr.contains), refused.stderr)
    }
}
