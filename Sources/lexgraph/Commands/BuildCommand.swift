import ArgumentParser
import Compliance
import Foundation
import GraphStore
import PostgresStore

/// `lexgraph build scotus|echr|contracts|all`: loads the real graphs from their recipes
/// in `graphs/` over the shared data folder, in one transaction.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the real graphs (scotus, echr, contracts, or all) from graphs/*.yaml over the shared data.")

    @Argument(help: "Graphs to build: \(BuildCatalog.graphNames.joined(separator: ", ")) or all.")
    var graphs: [String]

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var data: DataOptions

    @Flag(name: .long, help: "Check everything and report what would change, writing nothing.")
    var dryRun = false

    func run() throws {
        var names: [String] = []
        for g in graphs {
            if g == "all" { names += BuildCatalog.graphNames; continue }
            guard BuildCatalog.graphNames.contains(g) else {
                throw CLIError("unknown graph '\(g)' (graphs: \(BuildCatalog.graphNames.joined(separator: ", ")), all)")
            }
            names.append(g)
        }
        let folder = try data.folder()
        guard let root = BuildCatalog.projectRoot() else {
            throw CLIError("cannot find the recipes: run lexgraph from the project folder (with graphs/ and ontology/) or set LEXGRAPH_ROOT")
        }
        var recipes: [Recipe] = []
        for name in names where !recipes.contains(where: { $0.name == name }) {
            for r in try BuildCatalog.recipes(at: root.appendingPathComponent("graphs/\(name).yaml").path)
            where !recipes.contains(where: { $0.file == r.file }) {
                recipes.append(r)
            }
        }
        func build(at path: String, key: DatabaseKeySetting) throws -> LoadReport {
            let store = try BuildCatalog.openForBuild(path: path, root: root, audit: AuditChain.hook(action: "ontology.apply", subject: "ontology/updates"), key: key)
            var loader = GraphLoader(store: store, dataFolder: folder, progress: { FileHandle.standardError.write(Data(("lexgraph: " + $0 + "\n").utf8)) })
            loader.audit = AuditChain.hook(action: "build", subject: names.joined(separator: " "))
            return try loader.load(recipes, dryRun: dryRun, source: "build \(names.joined(separator: " ")) --data \(data.path)")
        }
        if let location = try database.postgres() {
            // On PostgreSQL: the same build on a staging copy, then one COPY transaction.
            let (report, copied) = try PostgresGraphStore(location, create: true).load(dryRun: dryRun) { try build(at: $0, key: .noKey) }
            LoadReport.show(report, after: PostgresOutput.copied(copied, to: location))
            return
        }
        LoadReport.show(try build(at: database.path, key: .environment))
    }
}
