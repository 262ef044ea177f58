import ArgumentParser
import Foundation
import GraphStore

/// `lexgraph stats`: node and edge counts per type.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Print node and edge counts per type.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Output format: table, json or csv.") var format: OutputFormat = .table

    func run() throws {
        let store = try database.openReadOnly()
        let counts = try store.counts()
        let rows = counts.nodes.map { ("node", $0.0, $0.1) } + counts.edges.map { ("edge", $0.0, $0.1) }
        switch format {
        case .json:
            let nodes = counts.nodes.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            let edges = counts.edges.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            Console.data("{\"nodes\":{\(nodes)},\"edges\":{\(edges)}}")
        case .csv:
            Console.data("kind,type,count")
            for r in rows { Console.data("\(r.0),\(r.1),\(r.2)") }
        case .table:
            let width = max(4, rows.map(\.1.count).max() ?? 0)
            for r in rows { Console.text("\(r.0)  \(r.1.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.2)") }
            Console.text("total: \(counts.nodes.reduce(0) { $0 + $1.1 }) nodes, \(counts.edges.reduce(0) { $0 + $1.1 }) edges")
        }
    }
}
