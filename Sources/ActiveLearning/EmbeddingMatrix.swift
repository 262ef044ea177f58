import Foundation
import LexgraphCore
import Tensor
import Transformer

/// The pool's frozen sentence embeddings, one row per example (row-major `[count, dimension]`),
/// computed once and kept in a safetensors file whose metadata names the texts' checksum
/// and the model, so a resumed session or a second simulation reuses them.
public struct EmbeddingMatrix: Sendable, Equatable {
    public let dimension: Int
    public let values: [Float]

    public init(dimension: Int, values: [Float]) {
        precondition(dimension > 0 && values.count % dimension == 0, "embedding values must fill whole rows")
        self.dimension = dimension; self.values = values
    }

    public init(rows: [[Float]]) {
        let d = rows.first?.count ?? 1
        self.init(dimension: max(d, 1), values: rows.flatMap { $0 })
    }

    public var count: Int { values.count / dimension }

    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * dimension)..<((i + 1) * dimension)] }

    /// The rows `indices`, as a new matrix.
    public func rows(_ indices: [Int]) -> EmbeddingMatrix {
        EmbeddingMatrix(dimension: dimension, values: indices.flatMap { row($0) })
    }

    /// Writes `path` atomically (a reader never sees half a file), tagged with `key`;
    /// sealed when an artifact key is configured, as the embeddings stand for the texts.
    public func save(to path: String, key: String) throws {
        let tensor = Tensor(shape: [count, dimension], values: values)
        do { try SafetensorsWriter.write([("embeddings", tensor)], metadata: ["key": key], to: path) } catch let error as TransformerError {
            throw ActiveLearningError("cannot write the embeddings: \(error.message)", file: path)
        }
    }

    /// The matrix at `path` if it exists and was saved with `key` (same texts, same model),
    /// else nil: the caller computes and saves it again.
    public static func cached(at path: String, key: String) -> EmbeddingMatrix? {
        guard FileManager.default.fileExists(atPath: path), let file = try? SafetensorsFile(path: path),
              file.metadata["key"] == key, let t = try? file.tensor("embeddings"), t.shape.count == 2 else { return nil }
        return EmbeddingMatrix(dimension: t.shape[1], values: Array(UnsafeBufferPointer(start: t.data, count: t.count)))
    }

    /// The matrix at `path` whatever its key (a session's own embeddings, whose pool the
    /// session's checksum vouches for), or nil when it is missing or unreadable.
    public static func stored(at path: String) -> EmbeddingMatrix? {
        guard FileManager.default.fileExists(atPath: path), let file = try? SafetensorsFile(path: path),
              let t = try? file.tensor("embeddings"), t.shape.count == 2 else { return nil }
        return EmbeddingMatrix(dimension: t.shape[1], values: Array(UnsafeBufferPointer(start: t.data, count: t.count)))
    }

    /// The embeddings of `texts` from the cache file at `path` when its key matches, else
    /// computed by `embed` and saved there (nil path: computed, not saved).
    public static func load(texts: [String], model: String, cache path: String?, embed: ([String]) throws -> [[Float]]) throws -> EmbeddingMatrix {
        let key = Checksum.sha256Hex(model + "\u{1}" + texts.joined(separator: "\u{0}"))
        if let path, let m = cached(at: path, key: key), m.count == texts.count { return m }
        let m = EmbeddingMatrix(rows: try embed(texts))
        if let path { try m.save(to: path, key: key) }
        return m
    }
}
