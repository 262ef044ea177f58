import ArgumentParser
import Foundation
import Query

/// `lexgraph shell`: an interactive prompt. A query may span lines and ends with `;`.
/// Every query run is appended to ~/.lexgraph_history; `:history` lists the last ones,
/// `:quit` (or end of input) leaves.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive Cypher-like query shell (multi-line input until ';', history in ~/.lexgraph_history).")

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Flag(help: "Allow writes (CREATE).")
    var write = false

    @Option(help: "Seconds before a query is interrupted.")
    var timeLimit: Double = 30

    @OptionGroup var database: DatabaseOptions

    static var historyPath: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.lexgraph_history"
    }

    func run() throws {
        let engine = QueryEngine(store: try database.open())
        let options = QueryOptions(write: write, timeLimit: timeLimit)
        let interactive = isatty(0) != 0
        var buffer = ""
        if interactive { print("lexgraph shell on \(database.path) (\(write ? "read-write" : "read-only")); end queries with ';', :quit to leave") }
        while true {
            if interactive {
                print(buffer.isEmpty ? "lexgraph> " : "     ...> ", terminator: "")
                fflush(nil)
            }
            guard let line = readLine() else { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty {
                if trimmed == ":quit" || trimmed == ":exit" { break }
                if trimmed == ":history" { printHistory(); continue }
                if trimmed.isEmpty { continue }
            }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            guard trimmed.hasSuffix(";") else { continue }
            let query = buffer
            buffer = ""
            appendHistory(query)
            do {
                print(QueryOutput.render(try engine.run(query, options: options), format))
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
    }

    func appendHistory(_ query: String) {
        let entry = query.replacingOccurrences(of: "\n", with: " ") + "\n"
        if let handle = FileHandle(forWritingAtPath: Self.historyPath) {
            handle.seekToEndOfFile()
            handle.write(Data(entry.utf8))
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: Self.historyPath, contents: Data(entry.utf8))
        }
    }

    func printHistory() {
        let text = (try? String(contentsOfFile: Self.historyPath, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n").suffix(20) { print(line) }
    }
}
