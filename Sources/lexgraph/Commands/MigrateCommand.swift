import ArgumentParser
import GraphStore

/// `lexgraph migrate`: brings a database made by an older lexgraph up to this one's
/// schema. Read-only commands never migrate (they leave the file byte-identical), so
/// they refuse an outdated file and name this command instead.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring a graph database made by an older lexgraph up to date (schema only; the data stays as it is).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open()
        if store.migrationsApplied.isEmpty {
            Console.text("\(database.path): schema up to date, nothing to do")
        } else {
            Console.text("\(database.path): applied \(store.migrationsApplied.joined(separator: ", "))")
        }
    }
}
