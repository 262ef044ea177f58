import ArgumentParser
import Foundation
import GraphStore
import LexgraphCore

/// `lexgraph show KEY`: one node, its properties and its neighbourhood (edges in and
/// out, grouped by type, a few of each).
struct ShowCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a node with its properties and neighbours.",
        discussion: NodeArgument.forms)

    @Argument(help: "The node: its key (scotus:384US436), an identifier (384 U.S. 436, 1965-059, an ECLI, no. 4143/02) or a case name.") var key: String
    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: ShowCommand.formatHelp()) var format: OutputFormat = .table
    @Option(name: .long, help: "Neighbours shown per edge type and direction.") var limit = 10

    func validate() throws { try validateFormat() }

    func run() throws {
        let store = try database.openReadOnly()
        let node = try store.resolveNode(key)
        guard let view = try store.neighbourhood(of: node.key, limit: limit) else {
            throw CLIError("no node with key '\(node.key)' (try `lexgraph stats` to see what is loaded)")
        }
        switch format {
        case .json: Console.data(view.json)
        case .table, .csv, .markdown: Console.text(view.text)
        }
    }
}
