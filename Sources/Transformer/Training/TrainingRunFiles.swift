import Foundation

/// File helpers every training run folder shares (`FineTuneRun`, `PretrainRun`, the MLM
/// checkpoint): the epoch lines of `metrics.jsonl`, whole-file text writes and the
/// tokenizer files copied beside a checkpoint. Each failure names the file.
public enum TrainingRunFiles {
    /// The tokenizer files of a Hugging Face model folder, copied next to a checkpoint
    /// made from it when present.
    public static let tokenizerFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// Copies the `tokenizerFiles` that `source` has into `target` (replacing older
    /// copies); copying a folder onto itself does nothing.
    public static func copyTokenizerFiles(from source: String, to target: String) throws {
        let fm = FileManager.default
        for name in tokenizerFiles {
            let from = source + "/" + name, to = target + "/" + name
            guard fm.fileExists(atPath: from), URL(fileURLWithPath: from).standardized != URL(fileURLWithPath: to).standardized else { continue }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: from))
                try data.write(to: URL(fileURLWithPath: to), options: .atomic)
            } catch {
                throw TransformerError("cannot copy tokenizer file \(name) to \(target): \(error.localizedDescription)", file: from)
            }
        }
    }

    /// One `metrics.jsonl` line: the epoch's metrics with snake_case keys, sorted.
    public static func metricsLine(_ metrics: EpochMetrics) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(metrics), as: UTF8.self)
    }

    /// Appends `line` and a newline to `path` (created if missing).
    public static func appendLine(_ line: String, to path: String) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) { _ = fm.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TransformerError("cannot append to file", file: path) }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
    }

    /// Replaces `path` with `text` atomically; `what` names the file in the error.
    public static func write(_ text: String, to path: String, what: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TransformerError("cannot write \(what): \(error.localizedDescription)", file: path)
        }
    }

    /// Creates `directory` and its parents.
    public static func createFolder(_ directory: String, what: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TransformerError("cannot create \(what): \(error.localizedDescription)", file: directory)
        }
    }
}
