import Foundation
import LexgraphCore
import Transformer

/// The classes a curator may assign, from `--labels`: either a plain list (one class a
/// line; blank lines and lines starting with `#` are skipped) or a seed set (a `.jsonl` or
/// `.tsv` file of labelled examples, as `lexgraph finetune` reads): its classes are the
/// labels it uses and its examples start the session labelled.
public struct ClassList: Sendable, Equatable {
    public var names: [String]
    /// Seed examples: (id or nil, text, label, line).
    public var seed: [SeedExample]
    /// The file the list came from (errors about seed examples name it).
    public var path: String

    public struct SeedExample: Sendable, Equatable {
        public var id: String?
        public var text: String
        public var label: String
        public var line: Int
    }

    public init(names: [String], seed: [SeedExample] = [], path: String = "labels") { self.names = names; self.seed = seed; self.path = path }

    public static func load(path: String) throws -> ClassList {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".tsv") {
            let rows: [LabeledText]
            do {
                rows = try TextDataset.load(path: path, fields: TextDatasetFields(id: "id"), multiLabel: false)
            } catch let error as TransformerError {
                throw ActiveLearningError(error.message, file: error.location?.file ?? path, line: error.location?.line)
            }
            let names = try LabelSet(collecting: rows).names
            return ClassList(names: names, seed: rows.map { SeedExample(id: $0.id, text: $0.text, label: $0.labels[0], line: $0.line) }, path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ActiveLearningError("cannot read the labels file", file: path) }
        guard let content = String(data: data, encoding: .utf8) else { throw ActiveLearningError("the labels file is not valid UTF-8", file: path) }
        var names: [String] = [], seen: [String: Int] = [:]
        for (i, raw) in content.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.hasPrefix("#") else { continue }
            if let first = seen[name] { throw ActiveLearningError("class \"\(name)\" is listed twice (first on line \(first))", file: path, line: i + 1) }
            seen[name] = i + 1
            names.append(name)
        }
        guard !names.isEmpty else { throw ActiveLearningError("the labels file names no class", file: path) }
        return ClassList(names: names, path: path)
    }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }
}
