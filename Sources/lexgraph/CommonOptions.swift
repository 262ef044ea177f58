import ArgumentParser
import Foundation
import GraphStore
import PostgresStore
import Query

/// A file or folder the CLI uses, from an option, an environment variable or a default
/// relative to the working directory, remembered as which: a missing one is an error
/// naming the path tried, where it came from and how to give another. Defaults are not
/// looked up anywhere else (beside the executable, say): one rule, stated in the message.
struct PathSetting {
    enum Origin { case option, environment, defaultValue }

    let path: String
    let origin: Origin
    /// The option that sets it (`--db`) and the variable (`LEXGRAPH_DB`), if any.
    let option: String
    let variable: String?

    init(_ given: String?, option: String, variable: String?, default fallback: String) {
        self.option = option
        self.variable = variable
        if let given { path = given; origin = .option }
        else if let variable, let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { path = value; origin = .environment }
        else { path = fallback; origin = .defaultValue }
    }

    /// The path as absolute and normalized: what a run config stores, so the run works
    /// from any directory.
    var absolute: String { PathSetting.absolute(path) }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL.path
    }

    /// `PATH (the default, relative to /work/dir)`, `PATH (from $VAR)` or `PATH (from --option)`.
    var described: String {
        let relative = !path.hasPrefix("/")
        let cwd = relative ? ", relative to \(FileManager.default.currentDirectoryPath)" : ""
        switch origin {
        case .option: return relative ? "\(path) (relative to \(FileManager.default.currentDirectoryPath))" : path
        case .environment: return "\(path) (from $\(variable ?? "")\(cwd))"
        case .defaultValue: return "\(path) (the default\(cwd))"
        }
    }

    /// How to name another path: `pass --db PATH or set LEXGRAPH_DB`.
    var hint: String {
        "pass \(option.hasPrefix("-") ? option + " PATH" : option)" + (variable.map { " or set \($0)" } ?? "")
    }

    /// A path the user named as an argument (no default, no option to suggest).
    static func argument(_ path: String) -> PathSetting {
        PathSetting(path, option: "", variable: nil, default: path)
    }

    /// `no WHAT at PATH (the default, relative to DIR): pass --x PATH or set VAR`.
    func missing(_ what: String, _ extra: String = "") -> CLIError {
        CLIError("no \(what) at \(described)" + (option.isEmpty ? extra : ": \(hint)\(extra)"))
    }

    /// Throws `missing(what)` unless the path exists (as a folder when `folder`).
    @discardableResult
    func require(_ what: String, folder: Bool = false, _ extra: String = "") throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !folder || isDirectory.boolValue else {
            throw missing(what, extra)
        }
        return path
    }
}

/// `--db`: the graph database file. Same meaning in every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Graph database file, or postgres://user@host:port/db for build, load, query, walk and ontology apply (default: $LEXGRAPH_DB or var/lexgraph.sqlite).")
    var db: String?

    var setting: PathSetting { PathSetting(db, option: "--db", variable: "LEXGRAPH_DB", default: "var/lexgraph.sqlite") }

    var path: String { setting.path }

    /// The PostgreSQL graph `--db` (or `$LEXGRAPH_DB`) names as `postgres://user@host:port/db`,
    /// or nil for a SQLite file. Only `build`, `load`, `query`, `walk`, `ontology apply` (and `serve`, which reads its own settings) run on
    /// PostgreSQL so far.
    func postgres() throws -> PostgresLocation? {
        PostgresLocation.isURL(path) ? try PostgresLocation(url: path) : nil
    }

    /// Refuses a PostgreSQL URL in a command that works on SQLite files only.
    func requireSQLite() throws {
        if let location = try postgres() {
            throw CLIError("this command does not run on a PostgreSQL graph (\(location)) yet: only build, load, query, walk, ontology apply and serve do; pass --db with a SQLite file")
        }
    }

    /// Opens the existing database for a command that writes; a missing file is a
    /// one-line error saying which path was tried and what to run. Opening writes
    /// nothing by itself.
    func open() throws -> GraphStore {
        try requireSQLite()
        try setting.require("graph database", "; `lexgraph build all` creates it")
        return try GraphStore(path: path, mode: .readWrite)
    }

    /// Opens the existing database for a command that only reads: the file is left
    /// byte-identical and may be write-protected.
    func openReadOnly() throws -> GraphStore {
        try requireSQLite()
        try setting.require("graph database", "; `lexgraph build all` creates it")
        return try GraphStore(path: path, mode: .readOnly)
    }
}

/// `--data`: the shared legal data folder. Same meaning in every command.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Shared data folder (default: $LEXGRAPH_DATA or ../shared/data).")
    var data: String?

    var setting: PathSetting { PathSetting(data, option: "--data", variable: "LEXGRAPH_DATA", default: "../shared/data") }

    var path: String { setting.path }

    /// The data folder, checked to exist.
    func folder() throws -> URL {
        URL(fileURLWithPath: try setting.require("data folder", folder: true))
    }
}

/// `--row-limit`, `--time-limit`, `--memory-limit`, `--max-query-length`,
/// `--max-expression-depth`: the limits of every query of `query` and `shell`. Each must be a positive number (the time a finite one).
struct QueryLimitOptions: ParsableArguments {
    @Option(help: "Most rows a result may have, and most rows a CREATE may run for.")
    var rowLimit = QueryOptions().rowLimit

    @Option(help: "Seconds before a query is interrupted (SQL and in-memory evaluation alike).")
    var timeLimit = QueryOptions().timeLimit

    @Option(help: ArgumentHelp("Memory a query may hold (rows, lists, strings), e.g. 512M or 2G.", valueName: "size"))
    var memoryLimit = MemoryLimit(bytes: QueryOptions.defaultMemoryLimit)

    /// A size on the command line: `512M`, `2G`, `1.5GB`, `64MiB` or a number of bytes.
    struct MemoryLimit: ExpressibleByArgument {
        var bytes: Int
        init(bytes: Int) { self.bytes = bytes }
        init?(argument: String) {
            guard let bytes = MemorySize.parse(argument) else { return nil }
            self.bytes = bytes
        }
        var defaultValueDescription: String { MemorySize.describe(bytes) }
    }

    @Option(help: "Longest query text accepted, in bytes.")
    var maxQueryLength = QueryLimits.defaultMaxQueryLength

    @Option(help: "Deepest expression accepted (an operator chain counts one level per operator).")
    var maxExpressionDepth = QueryLimits.defaultMaxExpressionDepth

    func options(write: Bool) -> QueryOptions {
        var options = QueryOptions(write: write, rowLimit: rowLimit, timeLimit: timeLimit, memoryLimit: memoryLimit.bytes)
        options.limits = QueryLimits(maxQueryLength: maxQueryLength, maxExpressionDepth: maxExpressionDepth)
        return options
    }

    /// Nonsense limits (nan, zero, negative, infinite) stop the command before it runs.
    func validate() throws {
        do {
            try options(write: false).validate()
        } catch let error as QueryError {
            throw ValidationError(error.message)
        }
    }
}

/// The encoder folder of `--model` (or `--encoder`): tokenizer and weights.
enum ModelPath {
    static func setting(_ given: String?, option: String = "--model") -> PathSetting {
        PathSetting(given, option: option, variable: "LEXGRAPH_MODEL", default: "models/all-minilm-l6-v2")
    }
}

/// `--format`: how results print, one option type for every command. Same meaning
/// everywhere: `table` for people (control characters escaped), `json` and `csv` for
/// programs, `markdown` (or `md`) for reports. JSON is one object for a command that
/// answers with one thing (show, stats, status, context, walk, eval, baselines, tokenize,
/// review) and JSON Lines, one object per line, for a command that answers with a list of
/// records (query rows, predictions, ontology history, embeddings).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown

    init?(argument: String) {
        self.init(rawValue: argument == "md" ? "markdown" : argument)
    }

    /// Each command's help names the formats it offers (`formatHelp`); the parser's own
    /// list would name all four everywhere.
    static var allValueStrings: [String] { [] }

    /// "table, json or csv".
    static func list(_ formats: [OutputFormat]) -> String {
        let names = formats.map(\.rawValue)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

/// A command with `--format`: the formats it prints, checked by `validateFormat()` (call it
/// from `validate()`) with one wording in every command.
protocol FormattedOutput {
    static var formats: [OutputFormat] { get }
    var format: OutputFormat { get }
}

extension FormattedOutput {
    func validateFormat() throws {
        guard Self.formats.contains(format) else {
            throw ValidationError("--format \(format.rawValue) is not offered by this command: use \(OutputFormat.list(Self.formats))")
        }
    }

    /// The option's help: "Output format: table or json." and any note on the shape.
    static func formatHelp(_ note: String = "") -> ArgumentHelp {
        ArgumentHelp("Output format: \(OutputFormat.list(formats))\(note.isEmpty ? "" : " " + note).", valueName: "format")
    }
}

/// A usage or environment problem the CLI reports in one line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
