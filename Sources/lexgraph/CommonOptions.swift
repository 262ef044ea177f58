import ArgumentParser
import Foundation
import GraphStore
import Query

/// `--db`: the graph database file. Same meaning in every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Graph database file (default: $LEXGRAPH_DB or var/lexgraph.sqlite).")
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["LEXGRAPH_DB"] ?? "var/lexgraph.sqlite"
    }

    /// Opens the existing database for a command that writes; a missing file is a
    /// one-line error saying what to run. Opening writes nothing by itself.
    func open() throws -> GraphStore {
        try GraphStore(path: path, mode: .readWrite)
    }

    /// Opens the existing database for a command that only reads: the file is left
    /// byte-identical and may be write-protected.
    func openReadOnly() throws -> GraphStore {
        try GraphStore(path: path, mode: .readOnly)
    }
}

/// `--data`: the shared legal data folder. Same meaning in every command.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Shared data folder (default: $LEXGRAPH_DATA or ../shared/data).")
    var data: String?

    var path: String {
        data ?? ProcessInfo.processInfo.environment["LEXGRAPH_DATA"] ?? "../shared/data"
    }

    /// The data folder, checked to exist.
    func folder() throws -> URL {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("no data folder at \(path): pass --data PATH or set LEXGRAPH_DATA to the shared data folder")
        }
        return URL(fileURLWithPath: path)
    }
}

/// `--row-limit`, `--time-limit`, `--memory-limit`: the limits of every query of
/// `query` and `shell`. Each must be a positive number (the time a finite one).
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

    func options(write: Bool) -> QueryOptions {
        QueryOptions(write: write, rowLimit: rowLimit, timeLimit: timeLimit, memoryLimit: memoryLimit.bytes)
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

/// `--format`: how results print. Same meaning in every command.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// A usage or environment problem the CLI reports in one line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
