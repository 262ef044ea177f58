import Foundation

/// One label the curator gave.
public struct LabelRecord: Sendable, Equatable, Codable {
    public var id: String
    public var label: String
    /// The round whose batch proposed it (0: a seed example).
    public var round: Int
}

/// Everything a curator session needs to resume: kept as `DIR/state.json`, rewritten whole
/// and renamed into place after every change (a crash leaves the previous complete file,
/// never half of one). The model is not saved: it is retrained from the labels in a fraction
/// of a second, so the labels are the state.
public struct CuratorState: Sendable, Equatable, Codable {
    public var version = 1
    public var pool: String
    /// `LabelPool.checksum` of the pool the session was started on.
    public var poolChecksum: String
    public var classes: [String]
    public var strategy: QueryStrategy
    public var k: Int
    public var seed: UInt64
    /// Batches proposed so far.
    public var round = 0
    /// Labels in the order given (undo removes the last).
    public var labels: [LabelRecord] = []
    /// Ids the curator skipped: never proposed again.
    public var skipped: [String] = []
    /// Ids of the batch being labelled; answered ones drop out of `remainingQueue`.
    public var queue: [String] = []
    /// Pool ids of the held-back stop set.
    public var stopSet: [String] = []
    public var stopping = StabilizingPredictions()

    public init(pool: String, poolChecksum: String, classes: [String], strategy: QueryStrategy, k: Int, seed: UInt64) {
        self.pool = pool; self.poolChecksum = poolChecksum; self.classes = classes; self.strategy = strategy; self.k = k; self.seed = seed
    }

    public static let fileName = "state.json"
    public static let queueFile = "queue.jsonl"
    public static let labelsFile = "labels.jsonl"
    public static let embeddingsFile = "embeddings.safetensors"

    /// The queue's ids not yet labelled or skipped, in queue order.
    public var remainingQueue: [String] {
        let done = Set(labels.map(\.id)).union(skipped)
        return queue.filter { !done.contains($0) }
    }

    public static func load(directory: String) throws -> CuratorState? {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(CuratorState.self, from: data) } catch {
            throw ActiveLearningError("unreadable session state (\(error)); move the folder away to start over", file: path)
        }
    }

    /// Writes state.json atomically (temporary file, then rename).
    public func save(directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: directory + "/" + Self.fileName)
    }
}

/// Whole-file writes that a crash cannot leave half done: the bytes go to a temporary file
/// beside the target, which is then renamed over it (`Data.write(options: .atomic)`).
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ActiveLearningError("cannot write: \(error.localizedDescription)", file: path)
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}
