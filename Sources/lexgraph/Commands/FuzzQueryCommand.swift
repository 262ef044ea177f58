import ArgumentParser
import Foundation
import GraphStore
import Query

/// `lexgraph fuzz-query`: random queries from the language's grammar, and broken
/// versions of them, through the whole engine for a bounded time; counts what happened.
struct FuzzQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-query",
        abstract: "Run generated and mutated queries through the engine; count results, positioned errors, limits and bugs.",
        discussion: """
            Queries come from a grammar of the language's constructs (patterns, WHERE, WITH, UNWIND, \
            aggregates, ORDER BY/SKIP/LIMIT, comprehensions, CASE, functions, parameters, AS OF) and \
            from mutations of them (truncation, swapped or dropped tokens, deep nesting, long operator \
            chains); query n of a seed is always the same. They run on a small in-memory graph, or \
            read-only on --db. Before each query runs, its seed, number and text are written to --log, \
            so a crash leaves the query that caused it there. A bug is an error without a position or \
            one that is not a query error; the exit status is 1 when there was one. A query that runs \
            past --hang-seconds (the engine failed to stop it) ends the run with status 3.
            """)

    @Option(help: "How long to run, in seconds.") var seconds: Double = 10
    @Option(help: "Seed of the query generator.") var seed: UInt64 = 1
    @Option(help: "Stop after this many queries (default: only the time bounds the run).") var count: Int?
    @Option(help: "File that holds the query being run (default: lexgraph-fuzz-query.log in the temporary folder).")
    var log: String?
    @Option(help: "Time limit of each query, in seconds.") var timeLimit: Double = 1
    @Option(help: "Row limit of each query.") var rowLimit = 1000
    @Option(help: "A query still running after this many seconds is reported as a hang and ends the run.")
    var hangSeconds: Double = 30
    @Option(help: "Run read-only against this graph database instead of the built-in in-memory graph.")
    var db: String?

    func run() throws {
        guard seconds > 0, seconds.isFinite else { throw CLIError("--seconds needs a positive number, got \(seconds)") }
        guard timeLimit > 0, timeLimit.isFinite, hangSeconds > 0, hangSeconds.isFinite else {
            throw CLIError("--time-limit and --hang-seconds need positive numbers")
        }
        if let count, count < 1 { throw CLIError("--count needs at least 1, got \(count)") }
        let store: GraphStore
        let vocabulary: QueryGenerator.Vocabulary
        if let db {
            store = try GraphStore(path: db, create: false)
            vocabulary = try QueryFuzzer.vocabulary(of: store)
        } else {
            store = try QueryFuzzer.fixtureStore()
            vocabulary = QueryFuzzer.fixtureVocabulary
        }
        let logPath = log ?? FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-fuzz-query.log").path
        let options = QueryOptions(write: false, rowLimit: rowLimit, timeLimit: timeLimit)
        let fuzzer = try QueryFuzzer(engine: QueryEngine(store: store), seed: seed, vocabulary: vocabulary, options: options,
                                     log: URL(fileURLWithPath: logPath))
        // Unbuffered, so that the seed and the log's path are out before any query runs.
        FileHandle.standardOutput.write(Data("""
            fuzz-query: seed \(seed), graph \(db ?? "in-memory fixture"), log \(logPath)
            labels \(vocabulary.labels.joined(separator: ",")); types \(vocabulary.types.joined(separator: ",")); keys \(vocabulary.keys.joined(separator: ","))

            """.utf8))
        let watchdog = Thread { [hangSeconds] in
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                guard let running = fuzzer.current(), Date().timeIntervalSince(running.started) > hangSeconds else { continue }
                FileHandle.standardError.write(Data("HANG: query #\(running.index) of seed \(fuzzer.seed) ran past \(hangSeconds) s (its text is in \(logPath)):\n\(QueryFuzzer.abbreviate(running.text, 2000))\n".utf8))
                Foundation.exit(3)
            }
        }
        watchdog.start()
        let summary = fuzzer.run(seconds: seconds, maxQueries: count)
        FileHandle.standardOutput.write(Data((summary.report() + "\n").utf8))
        if summary.counts[.bug, default: 0] > 0 { throw ExitCode(1) }
    }
}
