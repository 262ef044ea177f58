import Foundation
import LexgraphCore

/// JSON and text file helpers of run folders: every read error names the file and says
/// what was expected, so a corrupt run folder fails in one clear line.
enum RunFiles {
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(value) } catch {
            throw PredictionError("cannot encode \(T.self): \(error)", file: path, line: 1)
        }
        try write(data + Data("\n".utf8), to: path)
    }

    static func readJSON<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PredictionError("missing \(what) file", file: path, line: 1)
        }
        try refuseRepeatedKeys(data, path: path, what: what)
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw PredictionError("corrupt \(what): \(describe(error))", file: path, line: 1)
        } catch {
            throw PredictionError("corrupt \(what): \(error)", file: path, line: 1)
        }
    }

    /// Foundation's JSONDecoder keeps one of two equal keys in an object without a word
    /// (a hand-edited run config with "seed" twice would silently use one); the project's
    /// own reader refuses them, so every run file goes through it first. The error names
    /// the file, the line and column (counted from `firstLine`) and the key.
    static func refuseRepeatedKeys(_ data: Data, path: String, what: String, firstLine: Int = 1) throws {
        let bytes = [UInt8](data)
        do { _ = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
            let offset = min(max((error.location?.column ?? 1) - 1, 0), bytes.count)
            let before = bytes[..<offset]
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            throw PredictionError("corrupt \(what): \(error.message)",
                                  at: SourceLocation(file: path, line: firstLine + before.filter { $0 == UInt8(ascii: "\n") }.count,
                                                     column: offset - lineStart + 1))
        }
    }

    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw PredictionError("cannot write: \(error.localizedDescription)", file: path, line: 1)
        }
    }

    /// "key 'plan': ..." rather than Foundation's multi-line dump.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing key '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(let type, let context): return "'\(path(context))' is not \(type): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "'\(path(context))' is null"
        case .dataCorrupted(let context):
            let at = path(context)
            return (at.isEmpty ? "" : "'\(at)': ") + context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
