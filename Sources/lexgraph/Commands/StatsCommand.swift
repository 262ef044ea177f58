import ArgumentParser
import Foundation
import GraphStore
import LexgraphCore

/// `lexgraph stats`: node and edge counts per type, or (`--quality`) the data-quality
/// report a load stored beside its `load_log` row.
struct StatsCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Print node and edge counts per type, or a load's data-quality report.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: StatsCommand.formatHelp()) var format: OutputFormat = .table
    @Flag(name: .long, help: "Print the newest load's data-quality report instead (table or json).") var quality = false
    @Option(name: .long, help: "With --quality: the report of this load (its load_log id) instead of the newest.") var load: Int64?

    func validate() throws {
        try validateFormat()
        if load != nil && !quality { throw ValidationError("--load needs --quality") }
        if quality && format == .csv { throw ValidationError("--quality prints table or json, not csv") }
    }

    func run() throws {
        let store = try database.openReadOnly()
        if quality {
            guard let (id, report) = try store.loadQuality(id: load) else {
                throw CLIError(load.map { "load \($0) has no data-quality report (no such load, or one made before reports were kept)" }
                               ?? "no load has a data-quality report yet (build or load first)")
            }
            if format == .json {
                Console.data(Value.map(["load_id": .int(id), "report": report.json]).jsonText)
            } else {
                Console.text("load \(id)\n" + report.summary)
            }
            return
        }
        let counts = try store.counts()
        let rows = counts.nodes.map { ("node", $0.0, $0.1) } + counts.edges.map { ("edge", $0.0, $0.1) }
        switch format {
        case .json:
            let nodes = counts.nodes.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            let edges = counts.edges.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
            Console.data("{\"nodes\":{\(nodes)},\"edges\":{\(edges)}}")
        case .csv, .markdown:
            Console.data("kind,type,count")
            for r in rows { Console.data("\(r.0),\(r.1),\(r.2)") }
        case .table:
            let width = max(4, rows.map(\.1.count).max() ?? 0)
            for r in rows { Console.text("\(r.0)  \(r.1.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.2)") }
            Console.text("total: \(counts.nodes.reduce(0) { $0 + $1.1 }) nodes, \(counts.edges.reduce(0) { $0 + $1.1 }) edges")
        }
    }
}
