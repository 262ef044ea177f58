import ArgumentParser
import Foundation
import GraphAlgorithms
import GraphStore
import LexgraphCore
import PostgresStore

extension WalkDirection: ExpressibleByArgument {}
extension PageRankScope: ExpressibleByArgument {}

/// `lexgraph walk`: typed BFS (optionally ranked by personalized PageRank) from seed
/// nodes over the graph as of a date, each result with the path that reached it.
struct WalkCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(
        commandName: "walk",
        abstract: "Walk the graph from seed nodes as of a date; rank by hop distance or personalized PageRank.",
        discussion: """
            Only nodes and edges valid on --as-of exist for the walk (nothing decided after it). \
            Without --as-of the whole history is walked. Each result shows one shortest path from a seed.
            The answer says how far the data of the edge types it may follow reaches ("with data to" the latest, \
            among edges touching a node of a seed's type) and flags an --as-of past the data of any of them.
            \(NodeArgument.forms)
            Example: lexgraph walk "367 U.S. 643" --as-of 1970-01-01 --depth 2 --types CITES --direction both --pagerank
            """)

    @Argument(help: "Seed nodes (key, identifier or case name); SEED=WEIGHT sets a seed's PageRank restart weight (default 1).")
    var seeds: [String]

    @Option(name: .customLong("as-of"), help: "Walk the graph as of this date (YYYY-MM-DD).")
    var asOf: String?

    @Option(help: "Maximum hops from a seed.")
    var depth: Int = 2

    @Option(help: "Comma-separated edge types to follow (default: all), e.g. CITES,APPLIES.")
    var types: String?

    @Option(help: "Follow edges out (from citing to cited), in, or both.")
    var direction: WalkDirection = .out

    @Option(name: .customLong("node-types"), help: "Comma-separated node types to return, subtypes included (default: all).")
    var nodeTypes: String?

    @Flag(help: "Rank by personalized PageRank from the seeds.")
    var pagerank = false

    @Option(help: "PageRank restart probability.")
    var restart: Double = 0.15

    @Option(help: "PageRank over the reached subgraph (reached) or every node valid on the date (graph).")
    var scope: PageRankScope = .reached

    @Flag(name: .customLong("skip-overruled"), help: "Neither return nor pass through authority overruled as of the date.")
    var skipOverruled = false

    @Flag(name: .customLong("include-seeds"), help: "List the seeds too (distance 0).")
    var includeSeeds = false

    @Option(help: "At most this many results.")
    var limit: Int = 20

    @Option(help: WalkCommand.formatHelp())
    var format: OutputFormat = .table

    @Option(name: .customLong("repeat"), help: "Run the walk this many times and report the median time (after loading the graph once).")
    var repeatCount: Int = 1

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let options = try walkOptions()
        let graph = try WalkGraph(database)
        let seeds = try parsedSeeds().map { WalkSeed(key: try graph.resolve($0.key), weight: $0.weight) }
        let loadStart = Date()
        let snapshot = try graph.snapshot()
        let loadSeconds = Date().timeIntervalSince(loadStart)
        var times: [Double] = []
        var result: WalkResult?
        for _ in 0..<max(repeatCount, 1) {
            let start = Date()
            result = try snapshot.walk(from: seeds, options: options)
            times.append(Date().timeIntervalSince(start))
        }
        guard var result else { return }
        result.horizon = try graph.horizon(of: snapshot, seeds: seeds, options: options)
        let output = WalkOutput.render(result, options: options, format: format)
        if format == .table { Console.text(output) } else { Console.data(output) }
        if format == .table {
            let median = times.sorted()[times.count / 2] * 1000
            Console.text(String(format: "%d of %d reached nodes; walk %.2f ms%@; graph load %.0f ms (%d nodes, %d edges)",
                         result.hits.count, result.reachedCount, median, times.count > 1 ? " (median of \(times.count))" : "",
                         loadSeconds * 1000, snapshot.nodeCount, snapshot.edgeCount))
        }
    }

    func walkOptions() throws -> WalkOptions {
        WalkOptions(asOf: try asOf.map { try DateArgument.parse($0, option: "--as-of") }, depth: depth, edgeTypes: types.map(splitList), direction: direction,
                    resultNodeTypes: nodeTypes.map(splitList), skipOverruled: skipOverruled,
                    pageRank: pagerank ? PageRankOptions(restartProbability: restart, scope: scope) : nil,
                    includeSeeds: includeSeeds, limit: limit)
    }

    func parsedSeeds() throws -> [WalkSeed] {
        try seeds.map { text in
            if let eq = text.lastIndex(of: "="), let weight = Double(text[text.index(after: eq)...]) {
                guard weight > 0, weight.isFinite else { throw CLIError("seed \(text): the weight must be a positive number") }
                return WalkSeed(key: String(text[..<eq]), weight: weight)
            }
            return WalkSeed(key: text)
        }
    }
}

/// The graph a walk reads: a SQLite file, or a graph on PostgreSQL, whose snapshot holds
/// the same rows in the same order (so the same walk gives the same answer).
enum WalkGraph {
    case sqlite(GraphStore)
    case postgres(PostgresGraphStore)

    init(_ database: DatabaseOptions) throws {
        if let location = try database.postgres() {
            self = .postgres(try PostgresGraphStore(location))
        } else {
            self = .sqlite(try database.openReadOnly())
        }
    }

    /// A seed's node key. SQLite: a key, an identifier or a case name (`resolveNode`);
    /// PostgreSQL: a key (the look-up by identifier and name reads SQLite's indexes).
    func resolve(_ seed: String) throws -> String {
        switch self {
        case .sqlite(let store): return try store.resolveNode(seed).key
        case .postgres(let server):
            guard try server.nodeID(key: seed) != nil else {
                throw CLIError("seed '\(seed)': no node has this key on \(server.location) (on PostgreSQL a seed is a node key such as scotus:367US643; identifiers and case names are looked up in SQLite files only so far)")
            }
            return seed
        }
    }

    func snapshot() throws -> GraphSnapshot {
        switch self {
        case .sqlite(let store): return try GraphSnapshot.load(store)
        case .postgres(let server): return try GraphSnapshot.load(server)
        }
    }

    func horizon(of snapshot: GraphSnapshot, seeds: [WalkSeed], options: WalkOptions) throws -> DataHorizon {
        switch self {
        case .sqlite(let store): return try snapshot.dataHorizon(ofWalkFrom: seeds, options: options, store: store)
        case .postgres(let server): return try snapshot.dataHorizon(ofWalkFrom: seeds, options: options, remote: server)
        }
    }
}

/// Dates given on the command line.
enum DateArgument {
    /// `YYYY-MM-DD` from an option, or a one-line error naming the option.
    static func parse(_ text: String, option: String) throws -> LegalDate {
        guard let date = LegalDate(iso: text) else { throw CLIError("\(option) '\(text)' is not a YYYY-MM-DD date") }
        return date
    }

    /// Today in UTC.
    static func today() -> LegalDate { LegalDate.today }
}

/// `CITES, APPLIES` -> {CITES, APPLIES}.
private func splitList(_ text: String) -> Set<String> {
    Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
}

/// Prints walk results as a table, JSON or CSV.
enum WalkOutput {
    static func render(_ result: WalkResult, options: WalkOptions, format: OutputFormat) -> String {
        switch format {
        case .json: return json(result, options: options)
        case .csv, .markdown: return csv(result)
        case .table: return (heading(result, options: options) + [table(result)]).joined(separator: "\n")
        }
    }

    static func json(_ result: WalkResult, options: WalkOptions) -> String {
        let hits: [Value] = result.hits.map { hit in
            .map([
                "key": .string(hit.key), "type": .string(hit.type), "distance": .int(Int64(hit.distance)),
                "score": hit.score.map(Value.float) ?? .null, "overruled": .bool(hit.overruled), "seed": .string(hit.seed),
                "path": .list(hit.path.map { step in
                    .map(["edge_type": .string(step.edgeType), "direction": .string(step.direction.rawValue),
                          "node": .string(step.nodeKey), "treatment": step.treatment.map(Value.string) ?? .null,
                          "valid_from": step.edgeValidFrom.map { .string($0.iso) } ?? .null])
                }),
            ])
        }
        return Value.map([
            "as_of": options.asOf.map { .string($0.iso) } ?? .null,
            "data_to": result.horizon?.latest.map { .string($0.iso) } ?? .null, "data_horizon": result.horizon?.json ?? .null,
            "caveats": .list(caveats(result, options: options).map(Value.string)),
            "reached": .int(Int64(result.reachedCount)),
            "pagerank_iterations": result.pageRankIterations.map { .int(Int64($0)) } ?? .null,
            "hits": .list(hits),
        ]).jsonText
    }

    /// The horizon warning when --as-of lies past the data of an edge type the walk may follow.
    static func caveats(_ result: WalkResult, options: WalkOptions) -> [String] {
        guard let asOf = options.asOf, let warning = result.horizon?.warning(asOf: asOf) else { return [] }
        return [warning]
    }

    /// `as of D, with data to H` (or `whole history, ...` without a date), then any caveat.
    static func heading(_ result: WalkResult, options: WalkOptions) -> [String] {
        guard let horizon = result.horizon else { return [] }
        let when = options.asOf.map { "as of \($0)" } ?? "whole history"
        return ["\(when)\(horizon.phrase)"] + caveats(result, options: options)
    }

    static func csv(_ result: WalkResult) -> String {
        func field(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"\(s.replacingOccurrences(of: "\"", with: "\"\""))\"" : s }
        var lines = ["rank,key,type,distance,score,overruled,path"]
        for (i, hit) in result.hits.enumerated() {
            lines.append([String(i + 1), field(hit.key), field(hit.type), String(hit.distance), hit.score.map { String($0) } ?? "",
                          String(hit.overruled), field(hit.pathDescription)].joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ result: WalkResult) -> String {
        var rows = [["#", "score", "hops", "type", "key", "path"]]
        for (i, hit) in result.hits.enumerated() {
            rows.append([String(i + 1), hit.score.map { String(format: "%.5f", $0) } ?? "-", String(hit.distance), hit.type,
                         hit.key + (hit.overruled ? " [overruled]" : ""), hit.pathDescription])
        }
        return TextTable.render(rows)
    }
}

/// Left-aligned columns padded to the widest cell, the last column unpadded (walks,
/// model performance, retrain decisions).
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
