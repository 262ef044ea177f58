import ArgumentParser
import Compliance
import Foundation
import GraphStore
import PostgresStore
import LexgraphCore
import Ontology

/// `lexgraph ontology validate|diff|apply|history|init`: the curator workflow. The
/// ontology changes only through numbered update files in `ontology/updates/` (see the
/// README there); `apply` runs one in a single transaction.
struct OntologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ontology",
        abstract: "Validate, diff and apply ontology updates; show the ontology history.",
        subcommands: [Validate.self, Diff.self, Apply.self, History.self, Init.self]
    )

    /// Where the released document and the updates live, for checking an update file
    /// without a database.
    struct SourceOptions: ParsableArguments {
        @Option(name: .long, help: "The released ontology document an update chain starts from (default: ontology/legal-core.yaml).")
        var base: String?

        var setting: PathSetting { PathSetting(base, option: "--base", variable: nil, default: "ontology/legal-core.yaml") }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an ontology document or an update file; prints OK and a summary, or errors with file:line:column.",
            discussion: "An update is planned on the base document plus the updates numbered before it in the same folder.")

        @Argument(help: "An ontology document or an update file.")
        var file: String
        @OptionGroup var source: SourceOptions

        func run() throws {
            let parsed = try OntologyFile.read(path: try PathSetting.argument(file).require("ontology file"))
            for line in try parsed.validation(base: { try baseOntology(for: $0, source: source) }).lines { Console.text(line) }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a document or an update would change in the database, and which stored nodes/edges each change touches.",
            discussion: "Nothing is written: the database is opened read-only and the update runs on an in-memory copy of it.")

        @Argument(help: "An ontology document (compared with the active ontology) or an update file.")
        var file: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let store = try database.openReadOnly()
            let parsed = try OntologyFile.read(path: try PathSetting.argument(file).require("ontology file"))
            for line in try store.diffOntologyFile(parsed, source: file).lines { Console.text(line) }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply an update file (or every pending update in a folder) to the database, in one transaction each.",
            discussion: "Applying an update twice is a no-op; an update out of order is refused. A breaking change is refused with the count of affected items unless the update migrates them (migrate: true, default:) or --force drops them.")

        @Argument(help: "An update file, or a folder of them (e.g. ontology/updates).")
        var file: String
        @OptionGroup var database: DatabaseOptions
        @Flag(name: .long, help: "Let breaking removals drop the stored data they affect.")
        var force = false
        @Flag(name: .long, help: "Count and migrate, then roll back.")
        var dryRun = false

        func run() throws {
            if let location = try database.postgres() {
                // On PostgreSQL: the same update on a staging copy, then one transaction
                // with what it changed (see PostgresGraphStore.stagedWrite).
                let server = try PostgresGraphStore(location)
                let (lines, copied) = try server.stagedWrite(dryRun: dryRun) { try apply(to: try GraphStore(path: $0, mode: .readWrite, key: .noKey)) }
                for line in lines { Console.text(line) }
                Console.text(PostgresOutput.copied(copied, to: location))
                return
            }
            for line in try apply(to: try database.open()) { Console.text(line) }
        }

        /// Applies the file (or folder) to `store`; the lines to print.
        func apply(to store: GraphStore) throws -> [String] {
            let options = OntologyApplyOptions(force: force, dryRun: dryRun, audit: AuditChain.hook(action: "ontology.apply", subject: file))
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
                let reports = try store.applyPending(updatesFolder: file, options: options)
                return reports.isEmpty ? ["no update files in \(file)"] : reports.map(\.text)
            }
            let parsed = try OntologyFile.read(path: try PathSetting.argument(file).require("ontology file"))
            return [try store.applyOntologyFile(parsed, source: file, options: options).text]
        }
    }

    struct History: ParsableCommand, FormattedOutput {
        static let formats: [OutputFormat] = [.table, .json, .csv]
        static let configuration = CommandConfiguration(abstract: "Every ontology version the database went through: version, name, time, source, checksum, changes.")

        @OptionGroup var database: DatabaseOptions
        @Option(name: .long, help: History.formatHelp("(JSON Lines: one object per version)"))
        var format: OutputFormat = .table

        func validate() throws { try validateFormat() }

        func run() throws {
            let records = try database.openReadOnly().ontologyHistory()
            switch format {
            case .table:
                for r in records {
                    Console.text("v\(r.version)  \(r.name)  \(r.appliedAt)  \(r.source)  sha256:\(r.checksum.prefix(12))")
                    for line in r.summary.split(separator: "\n") { Console.text("    \(line)") }
                }
            case .json:
                let rows = records.map { r in
                    Value.map(["version": .int(Int64(r.version)), "name": .string(r.name), "applied_at": .string(r.appliedAt),
                               "source": .string(r.source), "checksum": .string(r.checksum), "summary": .string(r.summary)])
                }
                for row in rows { Console.data(row.jsonText) }
            case .csv, .markdown:
                Console.data("version,name,applied_at,source,checksum,summary")
                for r in records {
                    Console.data([String(r.version), r.name, r.appliedAt, r.source, r.checksum, r.summary].map(csvField).joined(separator: ","))
                }
            }
        }

        private func csvField(_ s: String) -> String {
            guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a database with an ontology document installed as its first version.")

        @Argument(help: "The ontology document.")
        var file = "ontology/legal-core.yaml"
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard case .document(let ontology, let text) = try OntologyFile.read(path: try PathSetting.argument(file).require("ontology document")) else {
                throw CLIError("\(file) is an update file; `init` takes an ontology document")
            }
            let store = try GraphStore(path: database.path, create: true)
            if let last = try store.ontologyHistory().last {
                throw CLIError("\(database.path) already has ontology \(last.name) version \(last.version); change it with `lexgraph ontology apply UPDATE`")
            }
            try store.installOntology(ontology, documentText: text, source: file, summary: "initial: \(ontology.overview)")
            Console.text("created \(database.path) with \(ontology.overview)")
        }
    }
}

/// The ontology an update applies to, rebuilt without a database: the base document
/// plus the updates numbered before it in the update's folder.
private func baseOntology(for update: OntologyUpdate, source: OntologyCommand.SourceOptions) throws -> Ontology {
    guard case .document(let document, _) = try OntologyFile.read(path: try source.setting.require("base ontology document")) else {
        throw CLIError("\(source.setting.path) is not an ontology document (pass --base FILE)")
    }
    let folder = (update.file as NSString).deletingLastPathComponent
    let earlier = try GraphStore.updateFiles(in: folder.isEmpty ? "." : folder).filter { $0.number < update.number && $0.number > document.version }
    return try document.applying(updates: earlier)
}
