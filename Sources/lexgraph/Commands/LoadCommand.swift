import ArgumentParser
import Compliance
import Foundation
import GraphStore
import PostgresStore

/// `lexgraph load RECIPE.yaml`: loads any recipe (JSONL/CSV/TSV sources mapped to
/// ontology types) into an existing database, all-or-nothing.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load data with a mapping recipe (YAML); every record is checked against the ontology.")

    @Argument(help: "The recipe file (see graphs/README.md).")
    var recipe: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var data: DataOptions

    @Flag(name: .long, help: "Check everything and report all errors and what would change, writing nothing.")
    var dryRun = false

    @Flag(name: .customLong("init"), help: "Create the database (with ontology/legal-core.yaml) if it does not exist yet.")
    var createIfMissing = false

    func run() throws {
        try PathSetting.argument(recipe).require("recipe file")
        let folder = try data.folder()
        let recipes = try BuildCatalog.recipes(at: recipe)
        if let location = try database.postgres() {
            // On PostgreSQL: the same load on a staging copy, then one COPY transaction.
            // The copy holds only the rows the load names (`deltaLoad`), but with --init,
            // which may update the ontology and so rewrite any row: then the whole graph.
            let server = try PostgresGraphStore(location, create: createIfMissing)
            let (report, copied): (LoadReport, PostgresGraphStore.CopyCounts?)
            if createIfMissing {
                (report, copied) = try server.load(dryRun: dryRun) { path in try load(recipes, into: try open(stagingPath: path), folder: folder) }
            } else {
                (report, copied) = try server.deltaLoad(dryRun: dryRun) { path, fetch in
                    try load(recipes, into: try open(stagingPath: path), folder: folder, beforeWrite: fetch)
                }
            }
            LoadReport.show(report, after: PostgresOutput.copied(copied, to: location))
            return
        }
        LoadReport.show(try load(recipes, into: try open(stagingPath: nil), folder: folder))
    }

    /// The database the load writes: `--db`'s file, or a PostgreSQL load's staging copy.
    func open(stagingPath: String?) throws -> GraphStore {
        let path = stagingPath ?? database.path
        let key: DatabaseKeySetting = stagingPath == nil ? .environment : .noKey
        if createIfMissing {
            guard let root = BuildCatalog.projectRoot() else {
                throw CLIError("cannot find ontology/legal-core.yaml: run lexgraph from the project folder or set LEXGRAPH_ROOT")
            }
            return try BuildCatalog.openForBuild(path: path, root: root, audit: AuditChain.hook(action: "ontology.apply", subject: "ontology/updates"), key: key)
        }
        guard let stagingPath else { return try database.open() }
        return try GraphStore(path: stagingPath, mode: .readWrite, key: .noKey)
    }

    func load(_ recipes: [Recipe], into store: GraphStore, folder: URL,
              beforeWrite: ((GraphStore, [String], [String]) throws -> Void)? = nil) throws -> LoadReport {
        var loader = GraphLoader(store: store, dataFolder: folder, progress: { FileHandle.standardError.write(Data(("lexgraph: " + $0 + "\n").utf8)) })
        loader.audit = AuditChain.hook(action: "load", subject: recipe)
        loader.beforeWrite = beforeWrite
        return try loader.load(recipes, dryRun: dryRun, source: "load \(recipe) --data \(data.path)")
    }
}
