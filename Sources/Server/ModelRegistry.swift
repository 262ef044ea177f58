import Crypto
import Foundation
import GraphStore
import LexgraphCore
import Prediction

/// The model registry: run folders registered under a model name as numbered versions
/// (1, 2, ... per name), with aliases (`production`, `candidate`, any other word) that
/// point at a version and remember where they pointed before, so a rollback returns
/// there. `lexgraph model register|list|promote|rollback` writes it; the server reads it
/// on every model request, so a promotion takes effect from the next request on.
///
/// What a registration records, read from the run folder:
/// - the kind: `sequence-classifier` (a `lexgraph finetune` run: `checkpoint/` with a
///   classification head) or `case-outcome` (a `lexgraph train` run: `config.json`,
///   `model/`, `evaluation.json`);
/// - the configuration: the run's `config.json`;
/// - the metrics: a fine-tuning run's `metrics.jsonl` lines (`epochs`) and
///   `test_metrics.json` (`test`) where it has them; a case-outcome run's `evaluation.json`;
/// - the report: `summary.md` (fine-tuning) or `report.md` (case-outcome), where present;
/// - the data fingerprint (`sha256:...`): SHA-256 over the run's record of what it trained
///   on (the `lexgraph_finetune` record, or the case-outcome run's config) and, for a
///   fine-tuning run, the bytes of its training and dev files, so two runs with the same
///   fingerprint trained on the same data with the same settings. A run without such a
///   record (a checkpoint made elsewhere) is fingerprinted by its config alone.
///
/// The folder is kept by absolute path: the registry points at it, it does not copy it.
public struct ModelRegistry: Sendable {
    public let store: GraphStore

    public init(store: GraphStore) { self.store = store }

    public enum Kind: String, Sendable { case sequenceClassifier = "sequence-classifier", caseOutcome = "case-outcome" }

    /// The alias `/v2/models/{name}` (no version) serves.
    public static let servedAlias = "production"

    /// Registers the run folder at `run` as the next version of `name`, optionally pointing
    /// `alias` at it; `audit` records it in the same transaction.
    public func register(run: String, name: String, alias: String? = nil, audit: AuditHook? = nil) throws -> StoredModelVersion {
        try Self.checkWord(name, what: "model name")
        if let alias { try Self.checkAlias(alias) }
        let inspected = try Self.inspect(run: run)
        return try store.registerModelVersion(StoredModelVersion(
            name: name, version: 0, kind: inspected.kind.rawValue, runPath: inspected.path, dataFingerprint: inspected.fingerprint,
            configJSON: inspected.config.jsonText, metricsJSON: inspected.metrics.jsonText, reportPath: inspected.reportPath,
            createdAt: APITokens.now()), alias: alias, audit: audit)
    }

    /// Points `alias` of `name` at `version`; returns the version it pointed at before.
    public func promote(name: String, version: Int, alias: String, audit: AuditHook? = nil) throws -> Int? {
        try Self.checkAlias(alias)
        do {
            return try store.setModelAlias(name: name, alias: alias, version: version, at: APITokens.now(), audit: audit)
        } catch let error as GraphStoreError {
            throw ServerError(error.message)
        }
    }

    /// Points `alias` of `name` back at the version it pointed at before its last change.
    public func rollback(name: String, alias: String, audit: AuditHook? = nil) throws -> (from: Int, to: Int) {
        do {
            return try store.rollBackModelAlias(name: name, alias: alias, at: APITokens.now(), audit: audit)
        } catch let error as GraphStoreError {
            throw ServerError(error.message)
        }
    }

    /// Why a model request cannot be answered, with its HTTP status.
    public struct LookupError: Error, Sendable {
        public var status: Int
        public var message: String
    }

    /// The version a request names: `version` ("3"), or with none the `production` alias.
    public func resolve(name: String, version: String?) throws -> StoredModelVersion {
        let versions = try store.modelVersions(name: name)
        if versions.isEmpty {
            let names = Set(try store.modelVersions().map(\.name)).sorted()
            throw LookupError(status: 404, message: "no model named '\(name)' is registered"
                              + (names.isEmpty ? " (none is: `lexgraph model register` adds one)" : " (registered: \(names.joined(separator: ", ")))"))
        }
        let listed = versions.map { String($0.version) }.joined(separator: ", ")
        guard let version else {
            guard let number = try store.modelAlias(name: name, alias: Self.servedAlias),
                  let found = versions.first(where: { $0.version == number }) else {
                throw LookupError(status: 404, message: "model '\(name)' has no \(Self.servedAlias) alias, which /v2/models/\(name) serves: ask for a version (/v2/models/\(name)/versions/{v}; versions: \(listed)) or `lexgraph model promote \(name) --version V --alias \(Self.servedAlias)`")
            }
            return found
        }
        guard let number = Int(version), let found = versions.first(where: { $0.version == number }) else {
            throw LookupError(status: 404, message: "model '\(name)' has no version '\(version)' (versions: \(listed))")
        }
        return found
    }

    /// Names and aliases are URL path segments and command-line words: letters, digits,
    /// '.', '_', '-', at most 100, not starting with '.' or '-'.
    static func checkWord(_ text: String, what: String) throws {
        let ok = (1...100).contains(text.utf8.count) && text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        } && !text.hasPrefix(".") && !text.hasPrefix("-")
        guard ok else {
            throw ServerError("a \(what) must be 1-100 letters, digits, '.', '_' or '-' (not starting with '.' or '-'), got '\(text)'")
        }
    }

    static func checkAlias(_ alias: String) throws {
        try checkWord(alias, what: "model alias")
        if alias.allSatisfy(\.isNumber) { throw ServerError("a model alias must not be a number (it would read as a version), got '\(alias)'") }
    }

    // MARK: - Run folders

    /// What registration reads from a run folder.
    struct Inspection {
        var kind: Kind
        var path: String
        var fingerprint: String
        var config: Value
        var metrics: Value
        var reportPath: String?
    }

    static func inspect(run: String) throws -> Inspection {
        let fm = FileManager.default
        let path = URL(fileURLWithPath: run).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServerError("no run folder at \(run)")
        }
        let file = { (name: String) in (path as NSString).appendingPathComponent(name) }
        if fm.fileExists(atPath: file("checkpoint/config.json")) {
            // A fine-tuning run: its own config.json holds the `lexgraph_finetune` record.
            let configPath = fm.fileExists(atPath: file("config.json")) ? file("config.json") : file("checkpoint/config.json")
            let config = try readJSON(configPath)
            guard case .map(let fields) = config, fields["problem_type"]?.stringValue != nil, fields["id2label"] != nil else {
                throw ServerError("\(configPath) has no problem_type and id2label: not a sequence classifier (a `lexgraph finetune` run)")
            }
            var hash = SHA256()
            if let record = fields["lexgraph_finetune"] {
                hash.update(data: Data(("record\n" + record.jsonText + "\n").utf8))
                if case .map(let r) = record, case .map(let inputs)? = r["inputs"] {
                    for key in ["trainPath", "devPath"] {
                        guard let dataPath = inputs[key]?.stringValue else { continue }
                        guard let bytes = fm.contents(atPath: dataPath) else {
                            throw ServerError("the run's \(key == "trainPath" ? "training" : "dev") file \(dataPath) (\(configPath), lexgraph_finetune.inputs.\(key)) cannot be read: the data fingerprint needs it")
                        }
                        hash.update(data: Data("\(key)\n".utf8))
                        hash.update(data: Data(SHA256.hash(data: bytes)))
                    }
                }
            } else {
                hash.update(data: Data(("config\n" + config.jsonText + "\n").utf8))
            }
            var metrics: [String: Value] = [:]
            if let data = fm.contents(atPath: file("metrics.jsonl")) {
                metrics["epochs"] = .list(try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { n, line -> Value in
                    do { return try Value.parseJSON(String(line)) } catch {
                        throw ServerError("\(file("metrics.jsonl")):\(n + 1): not a JSON line: \(error)")
                    }
                })
            }
            if fm.fileExists(atPath: file("test_metrics.json")) { metrics["test"] = try readJSON(file("test_metrics.json")) }
            return Inspection(kind: .sequenceClassifier, path: path, fingerprint: "sha256:" + APITokens.hex(Array(hash.finalize())),
                              config: config, metrics: .map(metrics),
                              reportPath: fm.fileExists(atPath: file("summary.md")) ? file("summary.md") : nil)
        }
        let folder: RunFolder
        do { folder = try RunFolder(existing: run) } catch let error as PredictionError {
            throw ServerError("\(error.message): a model run folder is a `lexgraph finetune` run (with checkpoint/) or a `lexgraph train` run")
        }
        guard fm.fileExists(atPath: folder.modelDirectory) else {
            throw ServerError("\(path) has no \(RunFolder.modelFolder)/: not a finished case-outcome run (`lexgraph train`)")
        }
        let config = try readJSON(folder.file(RunFolder.configFile))
        let evaluation = folder.file(RunFolder.evaluationJSONFile)
        return Inspection(kind: .caseOutcome, path: path,
                          fingerprint: "sha256:" + APITokens.hex(Array(SHA256.hash(data: Data(("record\n" + config.jsonText + "\n").utf8)))),
                          config: config, metrics: fm.fileExists(atPath: evaluation) ? .map(["evaluation": try readJSON(evaluation)]) : .map([:]),
                          reportPath: fm.fileExists(atPath: folder.file(RunFolder.reportFile)) ? folder.file(RunFolder.reportFile) : nil)
    }

    static func readJSON(_ path: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else { throw ServerError("cannot read \(path)") }
        do { return try Value.parseJSON(bytes: [UInt8](data)) } catch let error as JSONError {
            throw ServerError("\(path): not valid JSON: \(error.message)")
        }
    }
}
