import Foundation
import GRDB

/// A study's own SQLite file (not graph data: it never goes in GraphStore): the study's
/// fingerprint and settings, its trials' hyperparameters, and one row per job (a trial
/// trained on to a rung), `running` until its result is stored. Each change is one
/// transaction, so a killed process leaves either the job's result or a running job that
/// the next run resumes.
public final class StudyStore {
    public let path: String
    let queue: DatabaseQueue

    /// A finished or running job.
    public struct JobRow: Equatable, Sendable {
        /// `epochs`: the rung's budget (fractions allowed).
        public var seq: Int, trial: Int, rung: Int, epochs: Double
        public var finished: Bool
        /// Best dev metric within the rung's epochs (finished jobs).
        public var metric: Double?
        /// Epochs this job trained (finished jobs).
        public var cost: Double?
        /// Epochs the trial has trained in all, after this job.
        public var trainedEpochs: Double?
        public var seconds: Double?
    }

    public init(path: String) throws {
        self.path = path
        do {
            var config = Configuration()
            // WAL with NORMAL sync: a killed process loses nothing committed, and a job's
            // two small writes do not each wait for the disk (only a power cut could lose
            // the last of them, which the study then redoes).
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS study (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, mode TEXT NOT NULL,
                                                      space TEXT NOT NULL, task TEXT NOT NULL, created TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS trial (id INTEGER PRIMARY KEY, params TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS job (seq INTEGER PRIMARY KEY AUTOINCREMENT, trial INTEGER NOT NULL REFERENCES trial(id),
                                                    rung INTEGER NOT NULL, epochs REAL NOT NULL, status TEXT NOT NULL CHECK (status IN ('running', 'done')),
                                                    metric REAL, cost REAL, trained_epochs REAL, seconds REAL, UNIQUE (trial, rung));
                    """)
            }
        } catch let error as DatabaseError {
            throw SearchError("cannot open the study database: \(error.message ?? "\(error)")", file: path)
        }
    }

    /// The stored fingerprint, or nil for a new study file.
    public func fingerprint() throws -> String? {
        try queue.read { try String.fetchOne($0, sql: "SELECT fingerprint FROM study WHERE id = 1") }
    }

    public func create(fingerprint: String, mode: String, space: String, task: String) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO study (id, fingerprint, mode, space, task, created) VALUES (1, ?, ?, ?, ?, ?)",
                           arguments: [fingerprint, mode, space, task, ISO8601DateFormatter().string(from: Date())])
        }
    }

    public func trials() throws -> [Int: Hyperparameters] {
        try queue.read { db in
            var out: [Int: Hyperparameters] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, params FROM trial") {
                let text: String = row["params"]
                out[row["id"]] = try JSONDecoder().decode(Hyperparameters.self, from: Data(text.utf8))
            }
            return out
        }
    }

    public func jobs() throws -> [JobRow] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY seq").map { r in
                JobRow(seq: r["seq"], trial: r["trial"], rung: r["rung"], epochs: r["epochs"], finished: (r["status"] as String) == "done",
                       metric: r["metric"], cost: r["cost"], trainedEpochs: r["trained_epochs"], seconds: r["seconds"])
            }
        }
    }

    /// Starts a job; with `params`, trial `trial` is new and stored with it.
    public func begin(trial: Int, params: Hyperparameters?, rung: Int, epochs: Double) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = try params.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try queue.write { db in
            if let text { try db.execute(sql: "INSERT INTO trial (id, params) VALUES (?, ?)", arguments: [trial, text]) }
            try db.execute(sql: "INSERT INTO job (trial, rung, epochs, status) VALUES (?, ?, ?, 'running')", arguments: [trial, rung, epochs])
        }
    }

    public func finish(seq: Int, metric: Double, cost: Double, trainedEpochs: Double, seconds: Double) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE job SET status = 'done', metric = ?, cost = ?, trained_epochs = ?, seconds = ? WHERE seq = ?",
                           arguments: [metric, cost, trainedEpochs, seconds, seq])
        }
    }
}

extension StudyStore {
    /// The mode and space a study began with.
    public func description() throws -> (mode: String, space: String) {
        try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT mode, space FROM study WHERE id = 1") else { return ("", "") }
            return (row["mode"], row["space"])
        }
    }
}
