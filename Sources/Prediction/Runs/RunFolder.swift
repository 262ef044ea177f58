import Foundation
import LexgraphCore
import Sealing

/// A finished run on disk:
/// - `config.json` (`RunConfig`), `epochs.jsonl` (`EpochRecord` per line),
/// - `predictions-dev.csv`, `predictions-test.csv` (`PredictionsCSV`: the run's model and
///   the baselines on the same cases),
/// - `evaluation.json`, `evaluation.txt` (the `EvaluationReport`),
/// - `model/` (the model's `save(to:)`),
/// - `report.md` with `learning-curve.svg` (models with epochs), `roc.svg`, `calibration.svg`.
/// Written by `RunFolderWriter`, which makes it appear whole or not at all.
public struct RunFolder: Sendable {
    public let path: String

    public static let configFile = "config.json"
    public static let epochsFile = "epochs.jsonl"
    public static let evaluationJSONFile = "evaluation.json"
    public static let evaluationTextFile = "evaluation.txt"
    public static let modelFolder = "model"
    public static let reportFile = "report.md"

    /// Which cases a predictions file holds.
    public enum PredictionSet: String, Sendable, CaseIterable {
        case dev, test
        public var fileName: String { "predictions-\(rawValue).csv" }
    }

    /// Opens an existing run folder; a missing folder or one without `config.json` is a
    /// one-line error.
    public init(existing path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if FileManager.default.fileExists(atPath: path + RunFolderWriter.partialSuffix) {
                throw PredictionError("no finished run at \(path): \(path + RunFolderWriter.partialSuffix) is a run that did not complete")
            }
            throw PredictionError("no run folder at \(path)")
        }
        guard isDirectory.boolValue else { throw PredictionError("\(path) is a file, not a run folder") }
        guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(RunFolder.configFile)) else {
            throw PredictionError("\(path) is not a run folder (no \(RunFolder.configFile))")
        }
        self.path = path
    }

    /// The folder's name: how `lexgraph eval` names the run's model.
    public var name: String { (path as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    public var modelDirectory: String { file(RunFolder.modelFolder) }

    public func config() throws -> RunConfig {
        try RunFiles.readJSON(RunConfig.self, from: file(RunFolder.configFile), what: "run config")
    }

    public func epochs() throws -> [EpochRecord] {
        let path = file(RunFolder.epochsFile)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var records: [EpochRecord] = []
        for (n, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            try RunFiles.refuseRepeatedKeys(Data(line), path: path, what: "epoch record", firstLine: n + 1)
            do { records.append(try JSONDecoder().decode(EpochRecord.self, from: Data(line))) } catch let error as DecodingError {
                throw PredictionError("corrupt epoch record: \(RunFiles.describe(error))", file: path, line: n + 1)
            }
        }
        return records
    }

    public func predictions(_ set: PredictionSet) throws -> [(model: String, predictions: [ScoredPrediction])] {
        let path = file(set.fileName)
        guard FileManager.default.fileExists(atPath: path) else { throw PredictionError("run has no \(set.fileName)", file: path, line: 1) }
        return try PredictionsCSV.read(path: path)
    }
}

/// Writes a run folder crash-safely: everything goes into `<dir>.partial`, and `commit()`
/// renames it to `<dir>` at the end, so an interrupted run never leaves a folder that
/// looks finished. An existing `<dir>` is refused unless `overwrite` (then it is
/// replaced only at commit).
public final class RunFolderWriter {
    public static let partialSuffix = ".partial"
    public let finalPath: String
    public let partialPath: String
    let overwrite: Bool

    public init(path: String, overwrite: Bool) throws {
        let standardized = (path as NSString).standardizingPath
        guard !standardized.isEmpty, standardized != "/" else { throw PredictionError("invalid run folder path '\(path)'") }
        finalPath = standardized
        partialPath = standardized + RunFolderWriter.partialSuffix
        self.overwrite = overwrite
        let fm = FileManager.default
        if fm.fileExists(atPath: finalPath) && !overwrite {
            throw PredictionError("run folder \(finalPath) already exists: choose another --out or pass --overwrite")
        }
        do {
            if fm.fileExists(atPath: partialPath) { try fm.removeItem(atPath: partialPath) }  // a crashed earlier attempt
            try fm.createDirectory(atPath: partialPath, withIntermediateDirectories: true)
        } catch {
            throw PredictionError("cannot create \(partialPath): \(error.localizedDescription)")
        }
    }

    public func file(_ name: String) -> String { (partialPath as NSString).appendingPathComponent(name) }
    public var modelDirectory: String { file(RunFolder.modelFolder) }

    public func write(config: RunConfig) throws { try RunFiles.writeJSON(config, to: file(RunFolder.configFile)) }

    public func write(epochs: [EpochRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = ""
        for record in epochs { text += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n" }
        try RunFiles.write(text, to: file(RunFolder.epochsFile))
    }

    public func write(predictions: [(model: String, predictions: [ScoredPrediction])], set: RunFolder.PredictionSet) throws {
        // Sealed with the artifact key when one is configured: the cases and what the model said of them.
        let path = file(set.fileName)
        do { try SealedFiles.write(Data(PredictionsCSV.text(predictions).utf8), to: path) } catch let error as SealingError {
            throw PredictionError(error.message, file: path, line: 1)
        }
    }

    public func write(evaluation: EvaluationReport) throws {
        try RunFiles.write(evaluation.json.jsonText + "\n", to: file(RunFolder.evaluationJSONFile))
        try RunFiles.write(evaluation.table, to: file(RunFolder.evaluationTextFile))
    }

    public func write(text: String, named name: String) throws { try RunFiles.write(text, to: file(name)) }

    /// Moves the finished folder into place and returns it.
    @discardableResult
    public func commit() throws -> RunFolder {
        let fm = FileManager.default
        guard fm.fileExists(atPath: file(RunFolder.configFile)) else {
            throw PredictionError("run folder \(partialPath) has no \(RunFolder.configFile); not committing it")
        }
        do {
            if fm.fileExists(atPath: finalPath) {
                guard overwrite else { throw PredictionError("run folder \(finalPath) appeared while the run was writing; left \(partialPath)") }
                let old = finalPath + ".old"
                if fm.fileExists(atPath: old) { try fm.removeItem(atPath: old) }
                try fm.moveItem(atPath: finalPath, toPath: old)
                try fm.moveItem(atPath: partialPath, toPath: finalPath)
                try fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: partialPath, toPath: finalPath)
            }
        } catch let error as PredictionError {
            throw error
        } catch {
            throw PredictionError("cannot move \(partialPath) to \(finalPath): \(error.localizedDescription)")
        }
        return try RunFolder(existing: finalPath)
    }
}
