import ArgumentParser
import Compliance
import Foundation
import GraphStore

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
        let store: GraphStore
        if createIfMissing {
            guard let root = BuildCatalog.projectRoot() else {
                throw CLIError("cannot find ontology/legal-core.yaml: run lexgraph from the project folder or set LEXGRAPH_ROOT")
            }
            store = try BuildCatalog.openForBuild(path: database.path, root: root, audit: AuditChain.hook(action: "ontology.apply", subject: "ontology/updates"))
        } else {
            store = try database.open()
        }
        var loader = GraphLoader(store: store, dataFolder: folder, progress: { FileHandle.standardError.write(Data(("lexgraph: " + $0 + "\n").utf8)) })
        loader.audit = AuditChain.hook(action: "load", subject: recipe)
        let report = try loader.load(recipes, dryRun: dryRun, source: "load \(recipe) --data \(data.path)")
        Console.text(report.summary)
        if let quality = report.quality { Console.text(quality.summary) }
    }
}
