import Foundation
import GRDB
import LexgraphCore
import Ontology

/// A Lexgraph database: one SQLite file (WAL mode, so readers keep working while a
/// load runs) or an in-memory database for tests and the TCK.
///
/// All writes go through `write(_:)`, one transaction each: a load, an ontology update
/// or a query's CREATE is all-or-nothing, also when the process is killed half-way.
///
/// A store opened `.readOnly` never writes the file (no WAL set-up, no migrations, a
/// read-only SQLite connection), so a query, `stats` or a diff leaves it byte-identical
/// and works on a write-protected copy. A `.readWrite` store writes only what its
/// transactions commit: opening it changes nothing, so a refused load leaves the file
/// as it was.
public final class GraphStore: Sendable {
    /// How a database file is opened.
    public enum OpenMode: Sendable {
        /// Reads only; every write is refused by SQLite and nothing is set up.
        case readOnly
        /// An existing database, for commands that write.
        case readWrite
        /// Like `readWrite`, creating the file (and its folder) when missing.
        case create
    }

    public let database: any DatabaseWriter
    public let path: String?
    public let isReadOnly: Bool
    /// Whether the file is encrypted (opened with a key through the encrypting VFS).
    public let isEncrypted: Bool
    /// The schema migrations this open applied (a database made by an older lexgraph,
    /// opened for writing); empty when the schema was already current.
    public let migrationsApplied: [String]
    /// What this process's writers changed in the graph, shared by every store opened on
    /// the same database (`GraphChangeLog`).
    public let changes: GraphChangeLog
    /// Records this store's commits in `changes` (nil for a read-only store).
    private let observer: GraphChangeObserver?

    /// Opens (and, with `create`, creates) the database at `path`, bringing its schema
    /// up to date. A missing file without `create` is an error saying what to run.
    public convenience init(path: String, create: Bool = false) throws {
        try self.init(path: path, mode: create ? .create : .readWrite)
    }

    /// Opens the database at `path` in `mode`. A missing file (except with `.create`) is
    /// an error saying what to run.
    ///
    /// With a key (`key`, by default the configured one: see `DatabaseKeySetting`), the
    /// file is an encrypted database, opened (or created) through CLexgraphCrypt's
    /// encrypting VFS; without one, a plain SQLite file as always.
    public init(path: String, mode: OpenMode, key: DatabaseKeySetting = .environment) throws {
        if mode != .create && !FileManager.default.fileExists(atPath: path) {
            throw GraphStoreError(message: "no graph database at \(path): run `lexgraph build all` (or pass --db PATH)")
        }
        let encryptionKey = try DatabaseEncryption.resolve(path, mode: mode, setting: key)
        if mode == .create {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        if encryptionKey != nil { DatabaseEncryption.prepare(&config) }
        do {
            if mode == .readOnly {
                config.readonly = true
                let location = GraphStore.readOnlyLocation(of: path)
                let pool = try DatabasePool(path: try encryptionKey.map { try DatabaseEncryption.uri(of: path, key: $0, immutable: location != path) } ?? location,
                                            configuration: config)
                try pool.read { db in
                    if let problem = try Schema.foreignDatabaseProblem(db, path: path) { throw GraphStoreError(message: problem) }
                    guard try Schema.migrator.hasCompletedMigrations(db) else {
                        let missing = Set(Schema.migrator.migrations).subtracting(try Schema.migrator.appliedIdentifiers(db)).sorted()
                        throw GraphStoreError(message: "the graph database \(path) was made by an older lexgraph (its schema lacks \(missing.joined(separator: ", "))): run `lexgraph migrate --db \(path)` once to bring it up to date (the data stays as it is)")
                    }
                }
                self.database = pool
                migrationsApplied = []
                changes = GraphChangeLog.shared(identity: GraphStore.databaseIdentity(path))
                observer = nil
            } else {
                config.prepareDatabase { db in
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                }
                // A queue, not a pool: GRDB's pool set-up writes a table into the file
                // (to create the -wal) on every open, which would change the bytes of a
                // database that a refused load or update must leave alone. Other
                // processes still read concurrently: the file is in WAL mode.
                let queue = try DatabaseQueue(path: try encryptionKey.map { try DatabaseEncryption.uri(of: path, key: $0) } ?? path, configuration: config)
                if let problem = try queue.read({ db in try Schema.foreignDatabaseProblem(db, path: path) }) {
                    throw GraphStoreError(message: problem)
                }
                try queue.writeWithoutTransaction { db in
                    if encryptionKey != nil { try DatabaseEncryption.enableWAL(db, path: path) }
                    // Only a new file (or one made elsewhere) changes here.
                    if try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" {
                        guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")?.lowercased() == "wal" else {
                            throw GraphStoreError(message: "cannot switch the graph database \(path) to WAL mode")
                        }
                    }
                }
                let applied = try queue.read { db in try Schema.migrator.appliedIdentifiers(db) }
                let upgrades = Schema.migrator.migrations.filter { !applied.contains($0) }
                if !upgrades.isEmpty {
                    try Schema.migrator.migrate(queue)
                }
                migrationsApplied = upgrades
                self.database = queue
                let observed = try GraphStore.observeChanges(queue, identity: GraphStore.databaseIdentity(path))
                changes = observed.log
                observer = observed.observer
            }
        } catch let error as DatabaseError {
            throw GraphStoreError(message: "cannot open graph database \(path)\(mode == .readOnly ? " for reading" : ""): \(error.message ?? error.description)")
        }
        self.path = path
        self.isReadOnly = mode == .readOnly
        self.isEncrypted = encryptionKey != nil
    }

    /// Names the database file at `path` for `GraphChangeLog.shared`: its device and
    /// inode, so that two paths to one file agree and a different file never does.
    static func databaseIdentity(_ path: String) -> String {
        var info = stat()
        if stat(path, &info) == 0 { return "file:\(info.st_dev):\(info.st_ino)" }
        return "path:" + URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Attaches a change observer and the generation triggers to a writer connection.
    static func observeChanges(_ writer: DatabaseQueue, identity: String) throws -> (log: GraphChangeLog, observer: GraphChangeObserver) {
        let log = GraphChangeLog.shared(identity: identity)
        let observer = GraphChangeObserver(log: log)
        writer.add(transactionObserver: observer, extent: .observerLifetime)
        try writer.writeWithoutTransaction { db in try GraphChangeLog.installGenerationTriggers(db, observer: observer) }
        return (log, observer)
    }

    /// What SQLite is given to open `path` read-only. A read-only connection to a WAL
    /// database needs its `-wal` and `-shm` files, creating them when missing; in a
    /// folder it may not write (a write-protected copy) and without a `-wal` file no
    /// writer can be at work, so the file is opened as immutable instead, which reads
    /// it without those files or any lock.
    static func readOnlyLocation(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        if FileManager.default.fileExists(atPath: path + "-wal") || access(folder, W_OK) == 0 { return path }
        return immutableURI(of: path)
    }

    /// `file:PATH?immutable=1`, the path made absolute and percent-encoded as SQLite's
    /// URI filenames require (`?`, `#` and `%` would otherwise end or escape it).
    public static func immutableURI(of path: String) -> String {
        fileURI(of: path, parameters: "immutable=1")
    }

    /// `file:PATH?PARAMETERS`, the path made absolute and percent-encoded.
    static func fileURI(of path: String, parameters: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?" + parameters
    }

    /// A fresh in-memory database with `ontology` installed (use `.permissive` for
    /// schema-free graphs).
    public init(inMemoryWith ontology: Ontology, documentText: String? = nil) throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        let queue = try DatabaseQueue(configuration: config)
        try Schema.migrator.migrate(queue)
        self.database = queue
        let observed = try GraphStore.observeChanges(queue, identity: "memory:\(UUID().uuidString)")
        changes = observed.log
        observer = observed.observer
        self.path = nil
        self.isReadOnly = false
        self.isEncrypted = false
        self.migrationsApplied = []
        try installOntology(ontology, documentText: documentText ?? "", source: "in-memory", summary: "initial")
    }

    /// Runs `body` in one read transaction (one snapshot). On a read-only store, a reader
    /// of its pool with BEGIN and COMMIT prepared once per connection (`readTransaction`).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let pool = database as? DatabasePool { return try pool.unsafeRead { db in try GraphStore.readTransaction(db, body) } }
        return try database.read(body)
    }

    /// Runs `body` in one write transaction with a writer checked against the active
    /// ontology. Any error rolls everything back.
    public func write<T>(_ body: (GraphWriter) throws -> T) throws -> T {
        try requireWritable()
        let ontology = try activeOntology()
        return try database.write { db in
            let writer = GraphWriter(db: db, ontology: ontology)
            return try body(writer)
        }
    }

    /// Throws the CLI's one-line error when this store was opened read-only, before
    /// SQLite would say "attempt to write a readonly database".
    public func requireWritable() throws {
        if isReadOnly { throw GraphStoreError(message: "the graph database \(path ?? "") was opened read-only; this needs a command that writes") }
    }

    // MARK: Ontology versions

    /// Whether the database is schema-free (`permissive`) or checked against an ontology.
    public func mode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'mode'") } ?? "none"
    }

    /// The ontology every write is checked against: the newest stored version.
    public func activeOntology() throws -> Ontology {
        try read { db in try GraphStore.activeOntology(in: db) }
    }

    /// The same as `activeOntology()`, inside a caller's transaction.
    public static func activeOntology(in db: Database) throws -> Ontology {
        let row = try Row.fetchOne(db, sql: "SELECT version, source, document, (SELECT value FROM store_meta WHERE key = 'mode') AS mode FROM ontology_version ORDER BY version DESC LIMIT 1")
        guard let row else {
            throw GraphStoreError(message: "the graph database has no ontology yet: run `lexgraph build all` (or `lexgraph ontology init`)")
        }
        if (row["mode"] as String?) == "permissive" { return .permissive }
        let text: String = row["document"]
        return try Ontology(yaml: text, file: "\(row["source"] as String) (stored version \(row["version"] as Int))")
    }

    /// Stores `ontology` as the newest version. `documentText` is its full YAML (what
    /// `activeOntology()` reads back); the checksum is over that text.
    public func installOntology(_ ontology: Ontology, documentText: String, source: String, summary: String) throws {
        try database.write { db in
            try GraphStore.recordOntology(ontology, documentText: documentText, source: source, summary: summary, in: db)
        }
    }

    /// The same as `installOntology`, inside a caller's transaction (ontology updates
    /// migrate data and record the new version atomically).
    /// `checksum` defaults to the document's; an update records its own file's checksum
    /// (what tells "already applied" from "a different update with the same number").
    public static func recordOntology(_ ontology: Ontology, documentText: String, source: String, summary: String,
                                      checksum: String? = nil, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO store_meta(key, value) VALUES ('mode', ?)",
                       arguments: [ontology.isPermissive ? "permissive" : "ontology"])
        try db.execute(sql: """
            INSERT INTO ontology_version(version, name, applied_at, source, checksum, summary, document)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [ontology.version, ontology.name, Timestamp.now(), source,
                             checksum ?? Checksum.sha256Hex(documentText), summary, documentText])
        try IdentifierIndexes.sync(with: ontology, in: db)
    }

    // MARK: Counts

    /// Node counts per type and edge counts per type.
    public func counts() throws -> (nodes: [(String, Int)], edges: [(String, Int)]) {
        try read { db in
            let nodes = try Row.fetchAll(db, sql: "SELECT type, count(*) AS n FROM node GROUP BY type ORDER BY type").map { ($0["type"] as String, $0["n"] as Int) }
            let edges = try Row.fetchAll(db, sql: "SELECT type, count(*) AS n FROM edge GROUP BY type ORDER BY type").map { ($0["type"] as String, $0["n"] as Int) }
            return (nodes, edges)
        }
    }
}

/// ISO-8601 timestamps for history and load logs.
enum Timestamp {
    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
