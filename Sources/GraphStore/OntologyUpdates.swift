import Foundation
import GRDB
import LexgraphCore
import Ontology

/// Applying ontology updates to a database: the curator workflow behind `lexgraph
/// ontology diff/apply/history` and the pending-update step of `lexgraph build`.
///
/// An update applies in ONE transaction: its number is checked against the active
/// version (the next number applies; the same number with the same file checksum is a
/// no-op; anything else is refused), every change is counted against the stored nodes
/// and edges it touches, breaking changes are refused with those counts unless they
/// carry their migration (`migrate: true`, a `default:`, or `--force` to drop data),
/// migrations run in SQL, every touched row is re-validated against the new ontology,
/// the full-text index is rebuilt where text properties moved, and the new version is
/// recorded with its document, the update file's checksum and a change summary. Any
/// failure rolls all of it back. A dry run does the same and rolls back at the end.
extension GraphStore {
    /// Applies `update` (see `OntologyApplyOptions` for `--force` and `--dry-run`).
    /// Throws when it is out of order, conflicts with an applied update, or is refused;
    /// the error message carries the report of what was counted.
    public func applyOntologyUpdate(_ update: OntologyUpdate, options: OntologyApplyOptions = OntologyApplyOptions()) throws -> OntologyUpdateReport {
        if !options.dryRun { try requireWritable() }
        return try writeWithoutTransactionRolledBackIfReadOnly { db in
            var report: OntologyUpdateReport?
            try db.inTransaction {
                let active = try GraphStore.activeOntology(in: db)
                guard !active.isPermissive else {
                    throw GraphStoreError(location: SourceLocation(file: update.file), message: "the database is schema-free (permissive): it has no ontology to update")
                }
                if let done = try GraphStore.alreadyApplied(update, activeVersion: active.version, in: db) {
                    report = done
                    return .rollback
                }
                let plan = try update.plan(on: active)
                var result = try OntologyMigration(db: db, force: options.force).run(plan)
                result.source = update.file
                result.status = options.dryRun ? .dryRun : .applied
                if !options.dryRun {
                    try result.throwIfNotApplicable(file: update.file)
                    let document = try GraphStore.checkedDocument(plan.result)
                    try GraphStore.recordOntology(plan.result, documentText: document, source: update.file,
                                                  summary: result.historySummary(description: update.description),
                                                  checksum: update.checksum, in: db)
                    try options.audit?(db, "applied update \(update.number): version \(active.version) -> \(plan.result.version)")
                }
                report = result
                return options.dryRun ? .rollback : .commit
            }
            guard let report else { throw GraphStoreError(message: "ontology update \(update.number): no result") }
            return report
        }
    }

    /// What changing the active ontology into `target` (a full document) would do to
    /// the stored data: the changes `Ontology.changes(to:)` derives, counted as a dry run.
    public func previewOntologyDocument(_ target: Ontology, source: String) throws -> OntologyUpdateReport {
        try writeWithoutTransactionRolledBackIfReadOnly { db in
            var report: OntologyUpdateReport?
            try db.inTransaction {
                let active = try GraphStore.activeOntology(in: db)
                let changes = try active.changes(to: target).map { LocatedChange($0, location: SourceLocation(file: source)) }
                let plan = try OntologyUpdatePlan(base: active, changes: changes, resultVersion: target.version)
                var result = try OntologyMigration(db: db, force: false).run(plan)
                result.source = source
                result.status = .dryRun
                report = result
                return .rollback
            }
            guard let report else { throw GraphStoreError(message: "\(source): no result") }
            return report
        }
    }

    /// Applies every update file in `updatesFolder` (`NNNN-...yaml`) the database has not
    /// had yet, in number order, each in its own transaction; already applied ones are
    /// checked (same checksum) and skipped. A missing folder means no updates.
    @discardableResult
    public func applyPending(updatesFolder: String, options: OntologyApplyOptions = OntologyApplyOptions()) throws -> [OntologyUpdateReport] {
        try GraphStore.updateFiles(in: updatesFolder).map { try applyOntologyUpdate($0, options: options) }
    }

    /// The update files in `folder`, parsed and sorted by number; two files with the
    /// same number are an error.
    public static func updateFiles(in folder: String) throws -> [OntologyUpdate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var updates: [OntologyUpdate] = []
        for name in names.sorted() where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && name.first?.isNumber == true {
            let path = (folder as NSString).appendingPathComponent(name)
            let update = try OntologyUpdate(yaml: try YAMLInput.read(path: path, what: "update file"), file: path)
            if let other = updates.first(where: { $0.number == update.number }) {
                throw GraphStoreError(location: SourceLocation(file: path), message: "update \(update.number) is also \(other.file)")
            }
            updates.append(update)
        }
        return updates.sorted { $0.number < $1.number }
    }

    /// Every ontology version the database went through, oldest first.
    public func ontologyHistory() throws -> [OntologyVersionRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT version, name, applied_at, source, checksum, summary FROM ontology_version ORDER BY version").map {
                OntologyVersionRecord(version: $0["version"], name: $0["name"], appliedAt: $0["applied_at"], source: $0["source"],
                                      checksum: $0["checksum"], summary: $0["summary"])
            }
        }
    }

    /// Runs `body`, which writes only in transactions it rolls back (a dry run), on
    /// this store's connection, or for a store opened read-only on an in-memory copy of
    /// the database: a read-only SQLite connection refuses even writes that would be
    /// rolled back, and `ontology diff` must work on a write-protected file.
    func writeWithoutTransactionRolledBackIfReadOnly<T>(_ body: (Database) throws -> T) throws -> T {
        guard isReadOnly else { return try database.writeWithoutTransaction(body) }
        var config = Configuration()
        config.foreignKeysEnabled = true
        let scratch = try DatabaseQueue(configuration: config)
        try database.backup(to: scratch)
        return try scratch.writeWithoutTransaction(body)
    }

    /// Nil when `update` is the next one; an "already applied" report when the same
    /// file made that version; an error for a conflicting or out-of-order update.
    static func alreadyApplied(_ update: OntologyUpdate, activeVersion: Int, in db: Database) throws -> OntologyUpdateReport? {
        let location = SourceLocation(file: update.file)
        if update.number == activeVersion + 1 { return nil }
        if update.number > activeVersion + 1 {
            throw GraphStoreError(location: location, message: "update \(update.number) is out of order: the database is at ontology version \(activeVersion), so the next update must be number \(activeVersion + 1)")
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT checksum, source, applied_at FROM ontology_version WHERE version = ?", arguments: [update.number]) else {
            throw GraphStoreError(location: location, message: "update \(update.number) is older than the database's first ontology version; nothing to apply")
        }
        let stored: String = row["checksum"]
        guard stored == update.checksum else {
            throw GraphStoreError(location: location, message: "version \(update.number) was already applied from a different file (\(row["source"] as String), checksum \(stored.prefix(12))…; this file's is \(update.checksum.prefix(12))…); an applied update must not be edited: write update \(activeVersion + 1) instead")
        }
        return OntologyUpdateReport(status: .alreadyApplied, number: update.number, baseVersion: update.baseVersion, source: update.file)
    }

    /// The new version's document, checked to read back to exactly `ontology` (it is
    /// what `activeOntology()` will parse).
    static func checkedDocument(_ ontology: Ontology) throws -> String {
        let text = ontology.yamlText
        guard try Ontology(yaml: text, file: "generated document") == ontology else {
            throw GraphStoreError(message: "internal error: the generated document of ontology version \(ontology.version) does not read back to the same ontology")
        }
        return text
    }
}

/// `--force` and `--dry-run`.
public struct OntologyApplyOptions: Sendable {
    /// Lets breaking removals drop the stored data they affect (properties, values,
    /// nodes, edges) instead of refusing.
    public var force: Bool
    /// Counts and migrates as for real, then rolls back.
    public var dryRun: Bool
    /// Called inside the update's transaction once it is recorded (not for a dry run
    /// or an update already applied), so an audit entry commits with the update or not at all.
    public var audit: AuditHook?

    public init(force: Bool = false, dryRun: Bool = false, audit: AuditHook? = nil) {
        self.force = force
        self.dryRun = dryRun
        self.audit = audit
    }
}

/// One row of the ontology history.
public struct OntologyVersionRecord: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var appliedAt: String
    public var source: String
    /// SHA-256 of the file that produced the version (the document for the first
    /// version, the update file after that).
    public var checksum: String
    public var summary: String
}

/// How many stored nodes and edges a change touches, with a few of their keys.
public struct StoredItems: Sendable, Equatable, CustomStringConvertible {
    public var nodes = 0
    public var edges = 0
    public var sampleKeys: [String] = []

    public init(nodes: Int = 0, edges: Int = 0, sampleKeys: [String] = []) {
        self.nodes = nodes
        self.edges = edges
        self.sampleKeys = sampleKeys
    }

    public var isEmpty: Bool { nodes == 0 && edges == 0 }

    public var description: String {
        var parts: [String] = []
        if nodes > 0 { parts.append("\(nodes) node\(nodes == 1 ? "" : "s")") }
        if edges > 0 { parts.append("\(edges) edge\(edges == 1 ? "" : "s")") }
        if parts.isEmpty { return "no stored items" }
        return parts.joined(separator: ", ") + (sampleKeys.isEmpty ? "" : " (e.g. \(sampleKeys.joined(separator: ", ")))")
    }
}

/// What happened to the stored data for one change.
public enum ChangeAction: Sendable, Equatable {
    /// No stored item is concerned.
    case nothingStored
    /// Stored items are concerned but stay valid as they are.
    case schemaOnly
    /// The change's migration rewrote the touched items.
    case migrated
    /// `--force` dropped the data that would no longer be valid.
    case dropped
    /// Breaking for `count` stored items; the reason says how to migrate them.
    case refused(count: Int, reason: String)
}

/// One change of an update with what it touches in the store.
public struct ChangeOutcome: Sendable {
    public var change: OntologyChange
    public var location: SourceLocation?
    public var impact: ChangeImpact
    public var touched: StoredItems
    public var action: ChangeAction

    public var isRefused: Bool {
        if case .refused = action { return true }
        return false
    }

    /// `! rename node type 'A' to 'B' [breaking]: 3 nodes (e.g. ...): migrated`
    public var line: String {
        let mark = impact == .breaking ? "!" : impact == .dataMigration ? "~" : "+"
        let what: String
        switch action {
        case .nothingStored: what = "touches no stored items"
        case .schemaOnly: what = "\(touched); they stay valid"
        case .migrated: what = "\(touched): migrated"
        case .dropped: what = "\(touched): affected data dropped (--force)"
        case .refused(let count, let reason): what = "\(touched): REFUSED, \(count) would break: \(reason)"
        }
        return "\(mark) \(change.summary) [\(impact.rawValue)]: \(what)"
    }
}

/// What an update did (or, in a dry run or `diff`, would do) to a database.
public struct OntologyUpdateReport: Sendable {
    public enum Status: String, Sendable {
        case applied
        case alreadyApplied = "already applied"
        case dryRun = "dry run"
    }

    public var status: Status
    /// The version the update produces.
    public var number: Int
    public var baseVersion: Int
    public var source: String
    public var outcomes: [ChangeOutcome] = []
    /// Stored items that violate the new ontology after the migrations (first few),
    /// and how many there are in all.
    public var violations: [String] = []
    public var violationCount = 0

    public init(status: Status, number: Int, baseVersion: Int, source: String, outcomes: [ChangeOutcome] = []) {
        self.status = status
        self.number = number
        self.baseVersion = baseVersion
        self.source = source
        self.outcomes = outcomes
    }

    public var refused: [ChangeOutcome] { outcomes.filter(\.isRefused) }

    /// Whether applying would succeed: nothing refused, nothing invalid afterwards.
    public var isApplicable: Bool { refused.isEmpty && violationCount == 0 }

    public var text: String {
        var lines = ["\(source): ontology version \(baseVersion) -> \(number): \(status.rawValue)"]
        lines += outcomes.map { "  " + $0.line }
        if violationCount > 0 {
            lines.append("  after the migrations \(violationCount) stored item(s) would violate version \(number):")
            lines += violations.map { "    " + $0 }
        }
        if status == .dryRun { lines.append(isApplicable ? "  would apply" : "  would be refused") }
        return lines.joined(separator: "\n")
    }

    func historySummary(description: String) -> String {
        ([description] + outcomes.map(\.line)).joined(separator: "\n")
    }

    func throwIfNotApplicable(file: String) throws {
        guard !isApplicable else { return }
        var lines = ["update \(number) refused, database unchanged:"]
        for outcome in refused {
            lines.append("  \(outcome.location.map { "\($0): " } ?? "")\(outcome.line)")
        }
        if violationCount > 0 {
            lines.append("  after the migrations \(violationCount) stored item(s) would violate version \(number), e.g.:")
            lines += violations.map { "    " + $0 }
        }
        throw GraphStoreError(location: SourceLocation(file: file), message: lines.joined(separator: "\n"))
    }
}
