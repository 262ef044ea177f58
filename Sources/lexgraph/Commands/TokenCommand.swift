import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore
import Server

/// `lexgraph token create|list|revoke`: the API tokens of `lexgraph serve`, kept hashed
/// in the graph database.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the API tokens of `lexgraph serve` (stored hashed).",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

struct TokenCreateCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make a token; prints it once on stdout (only its hash is kept).",
        discussion: "Roles, each allowing what the ones before it allow: reader (read queries, /metrics, model metadata), analyst (model inference), curator (queries that write), admin (GET /v1/tokens).")

    @Option(help: "Who or what uses the token (shown by `token list` and in the server log).")
    var name: String

    @Option(help: "reader, analyst, curator or admin.")
    var role: String

    @Option(help: "Days until the token expires (default: valid until revoked).")
    var expiresInDays: Double?

    @Option(help: TokenCreateCommand.formatHelp("(table: the token alone on stdout, a note on stderr)"))
    var format: OutputFormat = .table

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let role = try Role.named(role)
        if let days = expiresInDays, !(days.isFinite && days > 0) {
            throw ValidationError("--expires-in-days must be a number of days greater than 0, got \(days)")
        }
        let issued = try APITokens(store: try database.open()).create(name: name, role: role, lifetime: expiresInDays.map { $0 * 86_400 },
                                                                      audit: AuditChain.hook(action: "token.create", subject: name))
        switch format {
        case .json:
            Console.data(Value.map(TokenListCommand.fields(issued.stored).merging(["token": .string(issued.token)]) { a, _ in a }).jsonText)
        case .table, .csv, .markdown:
            Console.data(issued.token)
            let expiry = issued.stored.expiresAt.map { ", expiring at \($0)" } ?? ""
            Console.note("created API token \(issued.stored.id) for '\(issued.stored.name)' with the role \(role.rawValue)\(expiry); this is the only time it is shown")
        }
    }
}

struct TokenListCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens (id, name, role, created, expires, revoked); no secrets.")

    @Option(help: TokenListCommand.formatHelp("(JSON Lines)"))
    var format: OutputFormat = .table

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let tokens = try APITokens(store: try database.openReadOnly()).list()
        switch format {
        case .json:
            for token in tokens { Console.data(Value.map(TokenListCommand.fields(token)).jsonText) }
        case .csv, .markdown:
            Console.data("id,name,role,created_at,expires_at,revoked_at")
            for t in tokens { Console.data([t.id, csv(t.name), t.role, t.createdAt, t.expiresAt ?? "", t.revokedAt ?? ""].joined(separator: ",")) }
        case .table:
            let header = ["ID", "NAME", "ROLE", "CREATED", "EXPIRES", "REVOKED"]
            let rows = tokens.map { [$0.id, $0.name, $0.role, $0.createdAt, $0.expiresAt ?? "-", $0.revokedAt ?? "-"] }
            var widths = header.map(\.count)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }
            Console.text(([header] + rows).map(line).joined(separator: "\n"))
            Console.text("(\(tokens.count) token\(tokens.count == 1 ? "" : "s"), \(tokens.filter { $0.revokedAt != nil }.count) revoked)")
        }
    }

    func csv(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func fields(_ t: StoredAPIToken) -> [String: Value] {
        ["id": .string(t.id), "name": .string(t.name), "role": .string(t.role), "created_at": .string(t.createdAt),
         "expires_at": t.expiresAt.map(Value.string) ?? .null, "revoked_at": t.revokedAt.map(Value.string) ?? .null]
    }
}

struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token at once (the server refuses it from its next request).")

    @Argument(help: "The token's id (from `token list`), or the whole token.")
    var id: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let token = try APITokens(store: try database.open()).revoke(id, audit: AuditChain.hook(action: "token.revoke", subject: id))
        Console.text("revoked API token \(token.id) ('\(token.name)', \(token.role)) at \(token.revokedAt ?? "?")")
    }
}
