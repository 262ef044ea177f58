import Foundation
import TestRequirements
import XCTest

/// `lexgraph model info` on a folder whose config contradicts its weights: it prints what
/// it read, then fails with the key, the value and the tensor, rather than calling the
/// folder fine.
final class ModelInfoCommandTests: XCTestCase {
    /// The `lexgraph` binary the package built next to this test bundle.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("lexgraph")) }
        candidates.append(URL(fileURLWithPath: Fixtures.packageRoot + "/.build/release/lexgraph"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestRequirements.missing("the lexgraph binary was not found next to the tests (looked in \(candidates.map(\.path)))")
        }
        return found
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
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
