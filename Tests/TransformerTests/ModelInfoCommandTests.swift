import Foundation
import TestRequirements
import XCTest

/// `lexgraph model info` on a folder whose config contradicts its weights: it prints what
/// it read, then fails with the key, the value and the tensor, rather than calling the
/// folder fine.
final class ModelInfoCommandTests: XCTestCase {

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let r = try LexgraphBinary.run(arguments)
        return (r.status, r.stdout, r.stderr)
    }

    func testReportsAConfigThatContradictsTheWeights() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-info-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Fixtures.tinyModel + "/model.safetensors", toPath: dir + "/model.safetensors")
        let config = try String(contentsOfFile: Fixtures.tinyModel + "/config.json", encoding: .utf8)
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)

        let fine = try run(["model", "info", dir])
        XCTAssertEqual(fine.status, 0, fine.error)
        XCTAssertTrue(fine.output.contains("config: vocab 99, hidden 32, layers 2"), fine.output)
        XCTAssertTrue(fine.output.hasSuffix("check: config.json agrees with every tensor shape in model.safetensors (head: 3 labels)\n"), fine.output)

        try config.replacingOccurrences(of: "\"vocab_size\": 99", with: "\"vocab_size\": 3000000")
            .write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        let bad = try run(["model", "info", dir])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.contains("config: vocab 3000000"), bad.output)
        XCTAssertFalse(bad.output.contains("check: config.json agrees"), bad.output)
        XCTAssertTrue(bad.error.contains("\(dir)/config.json: vocab_size 3000000 does not match the weights in \(dir)/model.safetensors: "
                                         + "tensor \"bert.embeddings.word_embeddings.weight\" has shape [99, 32], the config implies [3000000, 32]"), bad.error)

        try config.replacingOccurrences(of: "\"vocab_size\": 99", with: "\"vocab_size\": 100000000")
            .write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        let absurd = try run(["model", "info", dir])
        XCTAssertEqual(absurd.status, 1)
        XCTAssertTrue(absurd.error.contains("\(dir)/config.json: config \"vocab_size\" is 100000000, more than 4194304"), absurd.error)
    }
}
