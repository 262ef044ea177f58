import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore

/// `lexgraph audit verify|show`: the hash-chained audit trail of the database.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify and show the database's append-only, hash-chained audit trail.",
        subcommands: [Verify.self, Show.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's hash and link; names the first entry edited, removed or moved.",
            discussion: "Prints the head hash: note it, and pass it later as --expect-head to detect entries dropped from the end.")

        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("expect-head"), help: "A head hash noted earlier: the chain must still contain it.")
        var expectHead: String?

        func run() throws {
            let store = try database.openReadOnly()
            let rows = try store.read { db in try AuditLogTable.all(in: db) }
            let result = AuditChain.verify(rows)
            if let bad = result.firstBad {
                throw CLIError("audit chain broken at entry \(bad.seq): \(bad.reason) (entries before it verify)")
            }
            if let expectHead, !rows.contains(where: { $0.hash == expectHead }) && !(expectHead == AuditChain.genesis) {
                throw CLIError("the audit chain no longer contains head \(expectHead): entries were removed from its end (it has \(result.entries))")
            }
            Console.text("OK: \(result.entries) audit entries, chain intact; head \(result.head)")
        }
    }

    struct Show: ParsableCommand, FormattedOutput {
        static let formats: [OutputFormat] = [.table, .json, .csv]
        static let configuration = CommandConfiguration(abstract: "The audit entries (at or after --since): time, principal, action, subject, outcome.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only entries at or after this date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ).")
        var since: String?
        @Option(name: .long, help: Show.formatHelp("(JSON Lines)"))
        var format: OutputFormat = .table

        func validate() throws {
            try validateFormat()
            if let since, LegalDate(iso: String(since.prefix(10))) == nil || (since.count > 10 && since.dropFirst(10).first != "T") {
                throw ValidationError("--since must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ, got '\(since)'")
            }
        }

        func run() throws {
            let store = try database.openReadOnly()
            let rows = try store.read { db in try since.map { try AuditLogTable.since($0, in: db) } ?? AuditLogTable.all(in: db) }
            switch format {
            case .table:
                if rows.isEmpty { Console.text("no audit entries" + (since.map { " since \($0)" } ?? "")) }
                for r in rows { Console.text("\(r.seq)  \(r.at)  \(r.principal)  \(r.action)  \(r.subject)  \(r.outcome)") }
            case .json:
                for r in rows {
                    Console.data(Value.map(["seq": .int(r.seq), "at": .string(r.at), "principal": .string(r.principal), "action": .string(r.action),
                                            "subject": .string(r.subject), "outcome": .string(r.outcome), "prev_hash": .string(r.prevHash),
                                            "hash": .string(r.hash)]).jsonText)
                }
            case .csv, .markdown:
                Console.data("seq,at,principal,action,subject,outcome,prev_hash,hash")
                for r in rows {
                    Console.data([String(r.seq), r.at, r.principal, r.action, r.subject, r.outcome, r.prevHash, r.hash].map(csvField).joined(separator: ","))
                }
            }
        }

        private func csvField(_ s: String) -> String {
            guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
