import ArgumentParser
import Foundation
import LexgraphCore

/// Everything the CLI prints goes through here, in one of three ways:
/// - `text`: human-readable output (tables, summaries, reports). Control characters and
///   bidirectional overrides from the data are escaped (`TerminalText`), line breaks kept.
/// - `data`: JSON and CSV, printed exactly (JSON escapes control characters itself; CSV
///   is data for programs and keeps the stored text).
/// - `error`: one style for every failure, `lexgraph: error: MESSAGE` on stderr.
enum Console {
    static func text(_ text: String, terminator: String = "\n") {
        print(TerminalText.escaped(text, keepingLineBreaks: true), terminator: terminator)
    }

    static func data(_ text: String, terminator: String = "\n") {
        print(text, terminator: terminator)
    }

    /// The prefix of every error line.
    static let errorPrefix = "lexgraph: error: "

    /// `lexgraph: error: MESSAGE` on stderr (escaped: messages quote offending input).
    static func error(_ message: String) {
        note(errorPrefix + message)
    }

    /// A line on stderr (after what stdout holds so far), escaped.
    static func note(_ message: String) {
        fflush(nil)
        // A closed stderr (a log reader gone) must not end the process: the line is dropped.
        try? FileHandle.standardError.write(contentsOf: Data((TerminalText.escaped(message, keepingLineBreaks: true) + "\n").utf8))
    }

    /// What to print for a failure: the error's own message, without ArgumentParser's
    /// "Error: " prefix (usage errors keep the usage lines ArgumentParser adds).
    static func message(for error: Error, in command: ParsableCommand.Type) -> String {
        var text = command.fullMessage(for: error)
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        return text
    }
}
