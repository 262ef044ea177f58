import Foundation
import LexgraphCore
import Tokenizers
import XCTest
import TestRequirements

/// Paths and shared, lazily loaded tokenizers for the Tokenizers tests.
enum TestSupport {
    /// The package root, found from this file's path (Tests/TokenizersTests/TestSupport.swift).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = root.appendingPathComponent("Tests/Fixtures/tokenizer")

    static var modelDirectory: String {
        ProcessInfo.processInfo.environment["LEXGRAPH_MODEL"] ?? root.appendingPathComponent("models/all-minilm-l6-v2").path
    }

    /// Skips the test when the model folder (fetched by tools/setup.sh) is not there (fails it under CI).
    static func requireModel() throws {
        let vocab = URL(fileURLWithPath: modelDirectory).appendingPathComponent("vocab.txt").path
        guard FileManager.default.fileExists(atPath: vocab) else {
            throw TestRequirements.missing("model folder \(modelDirectory) is missing: run tools/setup.sh or set LEXGRAPH_MODEL")
        }
    }

    /// Loaded once: tokenizer.json + tokenizer_config.json (what `load(directory:)` picks).
    static let fromJSON: Result<BertTokenizer, Error> = Result { try BertTokenizer.load(directory: modelDirectory) }

    /// Loaded once: vocab.txt + tokenizer_config.json.
    static let fromVocab: Result<BertTokenizer, Error> = Result {
        let dir = URL(fileURLWithPath: modelDirectory)
        return try BertTokenizer.load(vocabTxt: dir.appendingPathComponent("vocab.txt").path,
                                      config: dir.appendingPathComponent("tokenizer_config.json").path)
    }

    /// A fresh temporary folder for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Value {
    subscript(key: String) -> Value? {
        if case .map(let m) = self { return m[key] }
        return nil
    }

    var listValue: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }
}
