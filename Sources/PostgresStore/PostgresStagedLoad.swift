import Foundation
import GraphStore

extension PostgresGraphStore {
    /// A load or build of the graph held here, through the one validating writer: the graph
    /// is copied into a staging SQLite file (a private temporary folder, removed after),
    /// `body` loads into the store at that path (the same recipes, ontology checks,
    /// updates, refusals and load log as on SQLite), and unless `dryRun` the result
    /// replaces the graph here in one transaction (`replaceGraph`). When `body` throws,
    /// or the copy fails, the server keeps the graph it had.
    public func load(dryRun: Bool, _ body: (_ stagingPath: String) throws -> LoadReport) throws -> (report: LoadReport, copied: CopyCounts?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("graph.sqlite").path
        let generation = try stage(into: try GraphStore(path: path, mode: .create, key: .noKey))
        let report = try body(path)
        if dryRun { return (report, nil) }
        return (report, try replaceGraph(with: try GraphStore(path: path, mode: .readWrite, key: .noKey), expecting: generation))
    }
}
