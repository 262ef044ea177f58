import ContractReview
import Foundation
import GraphStore

/// A registered model version loaded to serve: a sequence classifier (`ServedModel`) or a
/// case-outcome run (`ServedCaseModel`).
public protocol LoadedModel: AnyObject, Sendable {
    var version: StoredModelVersion { get }
}

/// A registered sequence classifier loaded for inference: one entry point for the CLI
/// (`lexgraph model infer`) and the v2 infer route, over `ClauseModel` (the façade
/// that loads a `lexgraph finetune` run and scores texts: windows over long texts,
/// softmax for single-label runs, a sigmoid per label for multi-label ones).
///
/// The model's buffers are reused between calls, so calls take turns (a lock);
/// `ModelCache` keeps one instance per version.
public final class ServedModel: LoadedModel, @unchecked Sendable {
    public let version: StoredModelVersion
    public let labels: [String]
    /// `single-label` (probabilities sum to 1) or `multi-label` (one per label).
    public let problem: String
    private let model: ClauseModel
    private let lock = NSLock()

    /// What one call returns: per text, the most probable label and every label's
    /// probability (in `labels` order).
    public struct Output: Sendable, Equatable {
        public var labels: [String]
        public var top: [String]
        public var probabilities: [[Float]]
    }

    /// Loads `version`'s run folder; a case-outcome run or a folder that is gone is an error.
    public init(_ version: StoredModelVersion) throws {
        guard version.kind == ModelRegistry.Kind.sequenceClassifier.rawValue else {
            throw ServerError("model \(version.name) version \(version.version) is a \(version.kind) run: only sequence classifiers take texts here (a case-outcome run takes cases: `lexgraph predict`, or the server's infer route)")
        }
        try ServedModel.checkFolder(version)
        self.version = version
        do { model = try ClauseModel(run: version.runPath) } catch {
            throw ServerError("model \(version.name) version \(version.version) cannot be loaded from \(version.runPath): \(error)")
        }
        labels = model.labels
        problem = model.kind.rawValue
    }

    /// The run folder the registry points at must still be there.
    public static func checkFolder(_ version: StoredModelVersion) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: version.runPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FolderGone(message: "model \(version.name) version \(version.version): its run folder \(version.runPath) is gone (deleted or moved since it was registered); register the run again or point the alias at another version")
        }
    }

    /// A registered run folder that is no longer on disk.
    public struct FolderGone: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Runs `body` with the loaded model while no other call uses it.
    func withModel<T>(_ body: (ClauseModel) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(model)
    }

    /// Runs `body` with two models (the same one, or two taken in key order, so two calls
    /// asking for the same pair in opposite roles cannot wait on each other).
    static func with<T>(_ a: ServedModel, _ b: ServedModel?, _ body: (ClauseModel, ClauseModel?) throws -> T) rethrows -> T {
        guard let b, b !== a else { return try a.withModel { try body($0, b == nil ? nil : $0) } }
        let aFirst = ModelCache.key(a.version) < ModelCache.key(b.version)
        let (first, second) = aFirst ? (a, b) : (b, a)
        return try first.withModel { m1 in
            try second.withModel { m2 in aFirst ? try body(m1, m2) : try body(m2, m1) }
        }
    }

    public func infer(_ texts: [String]) throws -> Output {
        lock.lock()
        defer { lock.unlock() }
        let scores = try model.score(texts)
        let probabilities = scores.map(\.probabilities)
        let top = probabilities.map { row in labels[row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0] }
        return Output(labels: labels, top: top, probabilities: probabilities)
    }
}

/// The loaded models of a server, by (name, version), the least recently used dropped
/// beyond `capacity`. A version is loaded on its first request (or `ready` check); the
/// registry is asked which version to use on every request, so a moved alias takes effect
/// at once, with no restart.
final class ModelCache: @unchecked Sendable {
    let capacity: Int
    /// Loads a version of either kind (a case-outcome run grounds in the served graph).
    let loader: @Sendable (StoredModelVersion) throws -> any LoadedModel
    private let lock = NSLock()
    private var entries: [String: (model: any LoadedModel, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int = 4, loader: @escaping @Sendable (StoredModelVersion) throws -> any LoadedModel) {
        self.capacity = capacity
        self.loader = loader
    }

    /// The loader of a server whose graph is `store`, or on the PostgreSQL server
    /// `graphOnServer` (case-outcome runs read the graph through a SQLite store, so they
    /// are refused there rather than grounded on the service file).
    static func loader(store: GraphStore, graphOnServer: String? = nil) -> @Sendable (StoredModelVersion) throws -> any LoadedModel {
        { version in
            if version.kind == ModelRegistry.Kind.caseOutcome.rawValue {
                if let graphOnServer {
                    throw ServerError("model \(version.name) version \(version.version) is a case-outcome run, which reads the graph; this server's graph is on \(graphOnServer), where case-outcome runs are not served yet")
                }
                return try ServedCaseModel(version, store: store)
            }
            return try ServedModel(version)
        }
    }

    static func key(_ v: StoredModelVersion) -> String { "\(v.name)\u{0}\(v.version)" }

    /// The loaded model of `version`, loading it if needed. A version whose folder is
    /// gone is dropped and refused, even when it was loaded before: the registry no
    /// longer describes what it would serve.
    func model(_ version: StoredModelVersion) throws -> any LoadedModel {
        let key = Self.key(version)
        do { try ServedModel.checkFolder(version) } catch {
            lock.lock()
            entries.removeValue(forKey: key)
            lock.unlock()
            throw error
        }
        lock.lock()
        clock += 1
        // A version's folder never changes in the registry: the same row, the same model.
        if let entry = entries[key], entry.model.version == version {
            entries[key] = (entry.model, clock)
            lock.unlock()
            return entry.model
        }
        lock.unlock()
        // Loaded outside the lock, so requests for the models already loaded go on
        // meanwhile; two first requests at once may both load, and the first kept wins.
        let loaded = try loader(version)
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        if let entry = entries[key], entry.model.version == version { return entry.model }
        entries[key] = (loaded, clock)
        while entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries.removeValue(forKey: oldest)
        }
        return loaded
    }

    var loaded: [String] { lock.lock(); defer { lock.unlock() }; return entries.keys.sorted() }
}
