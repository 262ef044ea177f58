import ArgumentParser
import Foundation
import GraphStore
import LexgraphCore
import PostgresStore
import Query

/// `lexgraph query 'MATCH ...'`: runs one Cypher-like query against the graph database.
struct QueryCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a Cypher-like query (read-only unless --write).",
        discussion: """
            Parameters: --param k=v (repeatable); v is read as JSON when it parses (1, 2.5, true, \
            "s", [1,2], {"a":1}) and as a plain string otherwise. Extensions: AS OF 'YYYY-MM-DD', \
            fts(n, 'terms') (BM25 relevance), EXPLAIN / PROFILE prefixes.
            """)

    @Argument(help: "The query text.")
    var text: String

    @Option(name: .customLong("param"), help: "A parameter as name=value (repeatable).")
    var parameters: [String] = []

    @Option(help: QueryCommand.formatHelp("(JSON Lines: one object per row)"))
    var format: OutputFormat = .table

    @Flag(help: "Allow writes (CREATE).")
    var write = false

    @OptionGroup var limits: QueryLimitOptions

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Benchmark: run the query once to warm up, then N times; print median and p90 latency (wall and CPU) to stderr.",
        discussion: "Times the query inside the process (parse, plan, SQLite, projection), without start-up or printing. "
            + "Variable-length patterns run natively over the adjacency cache, which the warm-up builds, as in the shell "
            + "and the server; a one-shot query runs them in SQL, since building the cache would cost more than it saves."))
    var repetitions: Int?

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let engine: (String, [String: CypherValue], QueryOptions) throws -> QueryResult
        if let location = try database.postgres() {
            let remote = RemoteQueryEngine(graph: try PostgresGraphStore(location))
            engine = { try remote.run($0, parameters: $1, options: $2) }
        } else {
            let local = QueryEngine(store: try write ? database.open() : database.openReadOnly())
            engine = { try local.run($0, parameters: $1, options: $2) }
        }
        var options = limits.options(write: write)
        // The native traversal reads its adjacency cache from the edge table first (about
        // 0.1 s for SCOTUS's 217k citations, seconds for millions of edges), which pays only
        // when the engine lives on: `--repeat` (its warm-up run builds it), the shell and the
        // server. A one-shot query runs its recursive CTE, milliseconds on these graphs.
        options.nativeTraversal = repetitions != nil
        let bound = try QueryOutput.parameters(parameters)
        var result = try engine(text, bound, options)
        if let repetitions {
            guard repetitions >= 1 else { throw CLIError("--repeat needs a count of at least 1, got \(repetitions)") }
            var wall: [Double] = [], cpu: [Double] = []
            for _ in 0..<repetitions {
                let started = DispatchTime.now().uptimeNanoseconds, startedCPU = QueryLatency.processCPUSeconds()
                result = try engine(text, bound, options)
                wall.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
                cpu.append(QueryLatency.processCPUSeconds() - startedCPU)
            }
            FileHandle.standardError.write(Data((QueryLatency(wall).summary("repeat \(repetitions):") + QueryLatency(cpu).summary("  cpu:")).utf8))
        }
        QueryOutput.print(result, format)
    }
}

/// Latency statistics of `lexgraph query --repeat N`.
struct QueryLatency {
    let sorted: [Double]

    init(_ seconds: [Double]) { sorted = seconds.sorted() }

    /// The value at quantile `q` (nearest rank), in seconds.
    func quantile(_ q: Double) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The median (mean of the middle two for an even count), in seconds.
    var median: Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// One line for stderr: `TITLE median X ms, p90 Y ms, min Z ms`.
    func summary(_ title: String) -> String {
        title + String(format: " median %.3f ms, p90 %.3f ms, min %.3f ms\n", median * 1000, quantile(0.9) * 1000, sorted[0] * 1000)
    }

    /// CPU time of the whole process so far (all threads): on a busy machine wall time
    /// mostly measures the wait for a core, CPU time the work.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// Printing results and reading `--param` values; shared by `query` and `shell`.
enum QueryOutput {
    static func parameters(_ pairs: [String]) throws -> [String: CypherValue] {
        var out: [String: CypherValue] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CLIError("--param needs name=value, got '\(pair)'")
            }
            let name = String(pair[..<eq]), raw = String(pair[pair.index(after: eq)...])
            if let json = try? Value.parseJSON(raw) { out[name] = CypherValue(json) } else { out[name] = .string(raw) }
        }
        return out
    }

    /// Prints a result: tables and EXPLAIN plans as text for people (`Console.text`),
    /// JSON Lines and CSV as data.
    static func print(_ result: QueryResult, _ format: OutputFormat) {
        let text = render(result, format)
        if text.isEmpty { return }  // JSON Lines of no rows: no line at all
        if format == .table || result.explanation != nil { Console.text(text) } else { Console.data(text) }
    }

    static func render(_ result: QueryResult, _ format: OutputFormat) -> String {
        if let lines = result.explanation { return lines.joined(separator: "\n") }
        var text: String
        switch format {
        case .table: text = ResultFormatter.table(result)
        case .json: text = ResultFormatter.json(result)
        case .csv, .markdown: text = ResultFormatter.csv(result)
        }
        if let profile = result.profile {
            text += "\n-- profile:"
            for step in profile { text += "\n--   \(step.clause.padding(toLength: 15, withPad: " ", startingAt: 0)) \(step.rows) rows  \(String(format: "%.3f", step.seconds * 1000)) ms" }
            if let total = result.elapsed { text += "\n--   total \(String(format: "%.3f", total * 1000)) ms" }
        }
        return text
    }
}
