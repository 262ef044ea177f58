import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore
import Server

/// `lexgraph model register RUN --name N [--alias A]`: a run folder as the next version
/// of model N in the registry (audited).
struct ModelRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a run folder (lexgraph finetune or train) as the next version of a model.",
        discussion: "Records the run's kind, absolute path, data fingerprint, config, metrics and report; the folder itself stays where it is. Example: lexgraph model register runs/unfair --name unfair-terms --alias candidate")

    @Argument(help: "The run folder.") var runFolder: String
    @Option(help: "The model's name (letters, digits, '.', '_', '-'): /v2/models/NAME.") var name: String
    @Option(help: "Point this alias (e.g. candidate) at the new version.") var alias: String?
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open()
        let stored = try ModelRegistry(store: store).register(
            run: runFolder, name: name, alias: alias, audit: AuditChain.hook(action: "model.register", subject: "\(name) \(runFolder)"))
        Console.text("registered \(stored.name) version \(stored.version) (\(stored.kind)) from \(stored.runPath)"
                     + (alias.map { "; \($0) -> version \(stored.version)" } ?? ""))
        Console.text("data fingerprint \(stored.dataFingerprint)")
    }
}

/// `lexgraph model list [--name N]`: every registered version with the aliases on it.
struct ModelListCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered model versions and where each alias points.")

    @Option(help: "Only this model.") var name: String?
    @Option(help: ModelListCommand.formatHelp("(JSON Lines)")) var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let store = try database.openReadOnly()
        let versions = try store.modelVersions(name: name)
        var aliases: [String: [String]] = [:]
        for a in try store.modelAliases(name: name) { aliases["\(a.name)\u{0}\(a.version)", default: []].append(a.alias) }
        func on(_ v: StoredModelVersion) -> [String] { aliases["\(v.name)\u{0}\(v.version)"] ?? [] }
        switch format {
        case .json:
            for v in versions {
                Console.data(Value.map([
                    "name": .string(v.name), "version": .int(Int64(v.version)), "kind": .string(v.kind), "run": .string(v.runPath),
                    "aliases": .list(on(v).map(Value.string)), "data_fingerprint": .string(v.dataFingerprint),
                    "created_at": .string(v.createdAt), "report": v.reportPath.map(Value.string) ?? .null,
                    "config": (try? Value.parseJSON(v.configJSON)) ?? .null, "metrics": (try? Value.parseJSON(v.metricsJSON)) ?? .null,
                ]).jsonText)
            }
        case .csv, .markdown:
            Console.data("name,version,kind,aliases,created_at,data_fingerprint,run")
            for v in versions {
                Console.data([v.name, String(v.version), v.kind, on(v).joined(separator: " "), v.createdAt, v.dataFingerprint, csv(v.runPath)].joined(separator: ","))
            }
        case .table:
            let header = ["NAME", "VERSION", "KIND", "ALIASES", "CREATED", "FINGERPRINT", "RUN"]
            let rows = versions.map { v in
                [v.name, String(v.version), v.kind, on(v).isEmpty ? "-" : on(v).joined(separator: ","), v.createdAt,
                 String(v.dataFingerprint.prefix(19)), v.runPath]
            }
            var widths = header.map(\.count)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            Console.text(([header] + rows).map(line).joined(separator: "\n"))
            let names = Set(versions.map(\.name)).count
            Console.text("(\(versions.count) version\(versions.count == 1 ? "" : "s") of \(names) model\(names == 1 ? "" : "s"))")
        }
    }

    func csv(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

/// `lexgraph model promote N --version V --alias A`: points an alias at a version (audited).
struct ModelPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Point a model's alias (default production) at a version; a running server uses it from its next request.")

    @Argument(help: "The model's name.") var name: String
    @Option(help: "The version to point at.") var version: Int
    @Option(help: "The alias to move.") var alias = ModelRegistry.servedAlias
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let before = try ModelRegistry(store: try database.open()).promote(
            name: name, version: version, alias: alias, audit: AuditChain.hook(action: "model.promote", subject: "\(name) \(alias)"))
        Console.text("\(name) \(alias) -> version \(version)" + (before.map { " (was version \($0))" } ?? ""))
    }
}

/// `lexgraph model rollback N --alias A`: the alias back to where it pointed before (audited).
struct ModelRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Point a model's alias (default production) back at the version it pointed at before its last change.")

    @Argument(help: "The model's name.") var name: String
    @Option(help: "The alias to roll back.") var alias = ModelRegistry.servedAlias
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let moved = try ModelRegistry(store: try database.open()).rollback(
            name: name, alias: alias, audit: AuditChain.hook(action: "model.rollback", subject: "\(name) \(alias)"))
        Console.text("\(name) \(alias) -> version \(moved.to) (rolled back from version \(moved.from))")
    }
}

/// `lexgraph model infer N TEXT...`: the registered model's labels and probabilities for
/// texts, through the same entry point as `POST /v2/models/N/infer`.
struct ModelInferCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Score texts with a registered model (as POST /v2/models/NAME/infer does).",
        discussion: "Without --version or --alias, the production alias's version, as the server serves /v2/models/NAME.")

    @Argument(help: "The model's name.") var name: String
    @Argument(help: "Texts to score.") var texts: [String]
    @Option(help: "A version number.") var version: Int?
    @Option(help: "An alias (e.g. candidate).") var alias: String?
    @Option(help: ModelInferCommand.formatHelp("(JSON Lines)")) var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if texts.isEmpty { throw ValidationError("give at least one text to score") }
        if version != nil && alias != nil { throw ValidationError("give --version or --alias, not both") }
        try validateFormat()
    }

    func run() throws {
        let store = try database.openReadOnly()
        let registry = ModelRegistry(store: store)
        var number = version
        if let alias {
            guard let v = try store.modelAlias(name: name, alias: alias) else { throw CLIError("model \(name) has no alias \(alias) (`lexgraph model list` shows them)") }
            number = v
        }
        let stored: StoredModelVersion
        do { stored = try registry.resolve(name: name, version: number.map(String.init)) } catch let error as ModelRegistry.LookupError {
            throw CLIError(error.message)
        }
        let output = try ServedModel(stored).infer(texts)
        for (i, row) in output.probabilities.enumerated() {
            switch format {
            case .json:
                Console.data(Value.map([
                    "model": .string(stored.name), "version": .int(Int64(stored.version)), "text": .string(texts[i]), "label": .string(output.top[i]),
                    "probabilities": .map(Dictionary(uniqueKeysWithValues: zip(output.labels, row).map { ($0, Value.float(Double($1))) })),
                ]).jsonText)
            default:
                Console.text("\(TerminalText.escaped(texts[i])): \(output.top[i]) ("
                             + zip(output.labels, row).map { "\($0) \(String(format: "%.4f", $1))" }.joined(separator: ", ") + ")")
            }
        }
        if format != .json { Console.note("\(stored.name) version \(stored.version) (\(stored.runPath))") }
    }
}
