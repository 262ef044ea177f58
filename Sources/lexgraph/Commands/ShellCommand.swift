import ArgumentParser
import Foundation
import Query
import Terminal

/// `lexgraph shell`: an interactive prompt. A query may span lines and ends with `;`.
/// Every query run is appended to ~/.lexgraph_history (one line per query, line breaks
/// turned into spaces); `:history` lists the last 20, `:help` the commands, `:quit` (or
/// end of input) leaves. A line starting with `:` where a query would start is a shell
/// command (an unknown one is an error), never query text; inside a query it is query
/// text (`MATCH (n` / `:Case) ...`). Ctrl-C while a query runs cancels that query
/// (`QueryInterrupt`) and the shell goes on.
///
/// When stdin and stdout are both terminals, lines are read with the `Terminal` line
/// editor, whose keys the command's `discussion` lists (`lexgraph shell --help`); the
/// history it walks includes the last `historyRecallLimit` queries of earlier sessions (a
/// recalled multi-line query comes back on one line). Otherwise (pipes, files, CI) lines
/// are read plainly with `readLine()`.
struct ShellCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive Cypher-like query shell (multi-line input until ';', history in ~/.lexgraph_history).",
        discussion: """
            A query may span lines and ends with ';'. Commands: :help, :history (last 20 queries), :quit or :exit.
            Ctrl-C while a query runs cancels it and returns to the prompt.
            On a terminal, lines are edited in place:
              Left/Right, Ctrl-B/Ctrl-F            move one character
              Ctrl-Left/Ctrl-Right, Alt-B/Alt-F    move one word
              Home/End, Ctrl-A/Ctrl-E              start / end of the line
              Backspace, Delete                    delete before / under the cursor
              Ctrl-U, Ctrl-K, Ctrl-W               kill to start / to end / the word before
              Ctrl-T                               swap the characters around the cursor
              Up/Down, Ctrl-P/Ctrl-N               previous / next query in the history
                                                   (the last 1,000 from ~/.lexgraph_history)
              Ctrl-C                               abandon the current (multi-line) query
              Ctrl-D                               leave (on an empty line)
            With input from a pipe or file, lines are read as they come, without editing.
            """)

    static let prompt = "lexgraph> "
    static let continuationPrompt = "     ...> "
    /// How many earlier queries the line editor recalls.
    static let historyRecallLimit = 1_000

    @Option(help: ShellCommand.formatHelp())
    var format: OutputFormat = .table

    @Flag(help: "Allow writes (CREATE).")
    var write = false

    @OptionGroup var limits: QueryLimitOptions

    @OptionGroup var database: DatabaseOptions

    static var historyPath: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.lexgraph_history"
    }

    func validate() throws { try validateFormat() }

    func run() throws {
        let engine = QueryEngine(store: try write ? database.open() : database.openReadOnly())
        var options = limits.options(write: write)
        let cancellation = QueryCancellation()
        options.cancellation = cancellation
        let interactive = isatty(0) != 0
        // nil unless stdin and stdout are both terminals; then the plain path below is today's.
        let terminal = TerminalLineReader(history: Self.loadHistory())
        var buffer = ""
        if interactive { Console.text("lexgraph shell on \(database.path) (\(write ? "read-write" : "read-only")); end queries with ';', :help for commands, :quit to leave") }
        reading: while true {
            let prompt = buffer.isEmpty ? Self.prompt : Self.continuationPrompt
            let line: String
            if let terminal {
                switch try terminal.readLine(prompt: prompt) {
                case .line(let text): line = text
                case .cancelled: buffer = ""; continue reading
                case .endOfInput: break reading
                }
            } else {
                if interactive {
                    print(prompt, terminator: "")
                    fflush(nil)
                }
                guard let text = readLine() else { break }
                line = text
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty {
                if trimmed.isEmpty { continue }
                if trimmed.hasPrefix(":") {
                    switch ShellCommand.Command(trimmed) {
                    case .quit: break reading
                    case .history: printHistory()
                    case .help: Console.text(Self.help)
                    case .unknown(let name): Console.error("unknown shell command '\(name)' (:help lists them)")
                    }
                    continue
                }
            }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            guard trimmed.hasSuffix(";") else { continue }
            let query = buffer
            buffer = ""
            appendHistory(query)
            terminal?.editor.addHistory(Self.historyEntry(query))
            do {
                // Printing is inside too: Ctrl-C while a long table goes out must not end
                // the shell (the table finishes; the next prompt follows).
                try QueryInterrupt.cancelling(cancellation) {
                    QueryOutput.print(try engine.run(query, options: options), format)
                    fflush(nil)  // each answer appears when it is ready, also through a pipe
                }
            } catch let error as QueryError where error.kind == .cancelled {
                Console.note("query cancelled")
            } catch {
                Console.error(Console.message(for: error, in: Lexgraph.self))
            }
        }
    }

    /// A query as the history file stores it: one line.
    static func historyEntry(_ query: String) -> String {
        query.replacingOccurrences(of: "\n", with: " ")
    }

    /// The last `historyRecallLimit` queries of the history file, oldest first (none when
    /// the file is missing or unreadable).
    static func loadHistory() -> [String] {
        let text = (try? String(contentsOfFile: historyPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(historyRecallLimit).map(String.init)
    }

    func appendHistory(_ query: String) {
        let entry = Self.historyEntry(query) + "\n"
        if let handle = FileHandle(forWritingAtPath: Self.historyPath) {
            handle.seekToEndOfFile()
            handle.write(Data(entry.utf8))
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: Self.historyPath, contents: Data(entry.utf8))
        }
    }

    func printHistory() {
        for line in Self.loadHistory().suffix(20) { Console.text(line) }
    }

    /// A line starting with `:`.
    enum Command: Equatable {
        case quit, history, help
        case unknown(String)

        init(_ line: String) {
            let name = line.split(separator: " ").first.map(String.init) ?? line
            switch name {
            case ":quit", ":exit": self = .quit
            case ":history": self = .history
            case ":help": self = .help
            default: self = .unknown(name)
            }
        }
    }

    static let help = """
        Queries end with ';' and may span lines (e.g. MATCH (c:Case) RETURN c.name LIMIT 5;).
        :help       this list
        :history    the last 20 queries (all of them are in ~/.lexgraph_history)
        :quit       leave (also :exit, or Ctrl-D on an empty line)
        Ctrl-C while a query runs cancels it; at the prompt it abandons the query being typed.
        """
}
