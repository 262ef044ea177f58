import Foundation
import GraphStore

extension PostgresGraphStore {
    /// A load or build of the graph held here, through the one validating writer: the graph
    /// is copied into a staging SQLite file (a private temporary folder, removed after) and
    /// a snapshot taken of it, `body` loads into the store at that path (the same recipes,
    /// ontology checks, updates, refusals, load log and audit entries as on SQLite), and
    /// unless `dryRun` what it changed is written here in one transaction
    /// (`applyChanges`). When `body` throws, or the copy fails, the server keeps the graph
    /// it had.
    public func load(dryRun: Bool, _ body: (_ stagingPath: String) throws -> LoadReport) throws -> (report: LoadReport, copied: CopyCounts?) {
        let (report, copied) = try stagedWrite(dryRun: dryRun, body)
        return (report, copied)
    }

    /// The same for any write of the one validating writer (a load, an ontology update):
    /// `body` writes the staging store at its path and returns what to report.
    public func stagedWrite<T>(dryRun: Bool, _ body: (_ stagingPath: String) throws -> T) throws -> (result: T, copied: CopyCounts?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("graph.sqlite").path
        let baseline = folder.appendingPathComponent("before.sqlite").path
        let staged: StagedFrom
        do {
            let store = try GraphStore(path: path, mode: .create, key: .noKey)
            staged = try stage(into: store)
            try GraphCopy.snapshot(store, to: baseline)
        }
        let report = try body(path)
        if dryRun { return (report, nil) }
        return (report, try applyChanges(of: try GraphStore(path: path, mode: .readWrite, key: .noKey), since: baseline, staged: staged))
    }
}
