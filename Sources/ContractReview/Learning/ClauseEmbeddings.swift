import Foundation
import LexgraphCore

/// Frozen sentence embeddings of clause texts, by item id, read from the JSONL files
/// `lexgraph embed` writes (`{"line", "id", "embedding"}`): the encoder runs once over a
/// task's texts and every prototype, label-embedding and hybrid fit reuses its output.
public struct ClauseEmbeddings: Sendable {
    public let dimension: Int
    public let byID: [String: [Float]]

    public init(dimension: Int, byID: [String: [Float]]) {
        self.dimension = dimension; self.byID = byID
    }

    /// Reads and merges `paths`; an id twice with different vectors, a line without an
    /// id or a vector of another width is an error at file:line.
    public static func read(paths: [String]) throws -> ClauseEmbeddings {
        var map: [String: [Float]] = [:]
        var dimension: Int?
        for path in paths {
            let text = try TextFile.read(path: path, what: "embeddings file",
                                         limit: .init(bytes: 1 << 31, howToRaise: "split the texts into several `lexgraph embed` files"),
                                         error: { ContractReviewError($1, file: $0.file, line: $0.line) })
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                guard case .map(let row)? = try? Value.parseJSON(String(line)) else {
                    throw ContractReviewError("not a JSON object", file: path, line: i + 1)
                }
                guard case .string(let id)? = row["id"] else {
                    throw ContractReviewError("no \"id\" (embed the prepared files, whose items have ids)", file: path, line: i + 1)
                }
                guard case .list(let values)? = row["embedding"] else { throw ContractReviewError("no \"embedding\" list", file: path, line: i + 1) }
                let vector = try values.map { v -> Float in
                    guard let x = v.doubleValue, x.isFinite else { throw ContractReviewError("embedding value \(v.jsonText) is not a finite number", file: path, line: i + 1) }
                    return Float(x)
                }
                if dimension == nil { dimension = vector.count }
                guard vector.count == dimension, !vector.isEmpty else {
                    throw ContractReviewError("embedding of \(vector.count) values; earlier ones have \(dimension ?? 0)", file: path, line: i + 1)
                }
                if let old = map[id], old != vector {
                    throw ContractReviewError("id \"\(id)\" appears again with another embedding (files from different models?)", file: path, line: i + 1)
                }
                map[id] = vector
            }
        }
        guard let dimension else { throw ContractReviewError("no embeddings in \(paths.joined(separator: ", "))") }
        return ClauseEmbeddings(dimension: dimension, byID: map)
    }

    /// The vectors of `items` in order; an item without an id or without a vector is an
    /// error naming its file and line and how many more are missing.
    public func vectors(of ids: [String?], lines: [Int], file: String) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(ids.count)
        var missing: [Int] = []
        for (id, line) in zip(ids, lines) {
            if let id, let v = byID[id] { out.append(v) } else { missing.append(line) }
        }
        if let first = missing.first {
            throw ContractReviewError("\(missing.count) item(s) have no embedding in the --embeddings files (embed this file with `lexgraph embed`)",
                                      file: file, line: first)
        }
        return out
    }
}
