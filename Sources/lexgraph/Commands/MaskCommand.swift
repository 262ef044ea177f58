import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore

/// `lexgraph mask FILE`: masks personal information in a document or a corpus (text,
/// JSON Lines with --field, TSV with --column) with placeholders or consistent
/// substitutes, keeping the reverse mapping in an encrypted vault when asked; with
/// --unmask, puts the originals back from the vault.
struct MaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Mask names, addresses, phone numbers, e-mails, national ids, bank and card numbers, birth dates and docket numbers.",
        discussion: """
            The masked text goes to --out (the per-type counts to stdout) or to stdout (the counts to stderr). \
            --vault keeps the reverse mapping, encrypted with AES-256-GCM under --key-file or $LEXGRAPH_VAULT_KEY; \
            masking again with the same vault continues its numbering and substitutes (one corpus). \
            --new-key --key-file PATH writes a new random key.
            """)

    @Argument(help: "The input: a text file, JSON Lines (with --field) or TSV (with --column).")
    var file: String?

    @Option(help: "Write the masked (or unmasked) text here instead of stdout.")
    var out: String?
    @Option(help: "A masking policy (YAML or JSON): mode, seed, entities on/off.")
    var policy: String?
    @Option(help: "placeholder or substitute (overrides the policy).")
    var mode: String?
    @Option(help: "Seed of the substitutes (overrides the policy).")
    var seed: String?
    @Option(help: "JSON Lines input: the field holding the text.")
    var field: String?
    @Option(name: .customLong("party-field"), help: "JSON Lines input: a field naming people known to be in the text (repeatable).")
    var partyFields: [String] = []
    @Option(help: "TSV input: the column holding the text.")
    var column: String?
    @Option(help: "Encrypted vault with the reverse mapping (created, or continued when it exists).")
    var vault: String?
    @Option(name: .customLong("key-file"), help: "The vault key (64 hex digits); default $LEXGRAPH_VAULT_KEY.")
    var keyFile: String?
    @Option(help: "Write what was found as JSON Lines (document, type, start, end; offsets in Unicode scalars, no text).")
    var spans: String?
    @Option(name: .customLong("audit-db"), help: "A graph database whose audit trail records each vault access (who, which vault, counts).")
    var auditDB: String?
    @Flag(help: "Put the originals back from --vault instead of masking.")
    var unmask = false
    @Flag(name: .customLong("new-key"), help: "Write a new random vault key to --key-file (refuses to overwrite).")
    var newKey = false

    func run() throws {
        if newKey {
            guard let keyFile else { throw ValidationError("--new-key needs --key-file PATH") }
            guard !FileManager.default.fileExists(atPath: keyFile) else { throw CLIError("\(keyFile) exists; --new-key never overwrites a key") }
            guard FileManager.default.createFile(atPath: keyFile, contents: Data(VaultKey.generateText().utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write the key file \(keyFile)")
            }
            Console.text("wrote a new 256-bit vault key to \(keyFile) (mode 600); keep it away from the data")
            if file == nil { return }
        }
        guard let file else { throw ValidationError("give the FILE to mask") }
        let path = try PathSetting.argument(file).require("input file")
        let input = try TextFile.read(path: path, what: "input") { location, message in ComplianceError(message, at: location) }
        let format = try corpusFormat()
        if unmask {
            guard let vault else { throw ValidationError("--unmask needs --vault PATH (and its key)") }
            let store = try auditStore()
            let contents: VaultContents
            do { contents = try Vault.read(path: vault, key: try VaultKey.load(file: keyFile)) } catch {
                if let store { try AuditChain.append(AuditEntry(action: "vault.unmask", subject: vault, outcome: "refused: \(error)"), to: store) }
                throw error
            }
            let result = try CorpusMasking.unmask(input, file: file, format: format, vault: contents)
            try emit(result.output)
            if let store { try AuditChain.append(AuditEntry(action: "vault.unmask", subject: vault, outcome: "ok: \(result.documents) document(s) of \(file)"), to: store) }
            summary("unmasked \(result.documents) document(s) with \(contents.entries.count) vault entries")
            return
        }
        var policy = try self.policy.map { try MaskingPolicy(path: try PathSetting.argument($0).require("masking policy")) } ?? MaskingPolicy()
        if let mode {
            guard let m = MaskingPolicy.Mode(rawValue: mode) else { throw ValidationError("--mode must be placeholder or substitute, got '\(mode)'") }
            policy.mode = m
        }
        if let seed { policy.seed = seed }
        // The key and the audit database are checked before any work, so a bad one
        // never costs a masking run.
        let key = try vault.map { _ in try VaultKey.load(file: keyFile) }
        let store = try vault == nil ? nil : auditStore()
        var earlier: VaultContents?
        if let vault, let key, FileManager.default.fileExists(atPath: vault) { earlier = try Vault.read(path: vault, key: key) }
        var masker = try Masker(policy: policy, continuing: earlier)
        var spanLines = ""
        let result = try CorpusMasking.mask(input, file: file, format: format, masker: &masker) { document, entities in
            guard spans != nil else { return }
            for e in entities {
                spanLines += Value.map(["document": .int(Int64(document)), "type": .string(e.type.rawValue),
                                        "start": .int(Int64(e.start)), "end": .int(Int64(e.end))]).jsonText + "\n"
            }
        }
        try emit(result.output)
        if let spans { try write(spanLines, to: spans) }
        if let vault, let key {
            try Vault.write(masker.vault, to: vault, key: key)
            if let store { try AuditChain.append(AuditEntry(action: "vault.mask", subject: vault, outcome: "ok: \(result.documents) document(s) of \(file), \(masker.vault.entries.count) entries"), to: store) }
        }
        let counts = EntityType.allCases.compactMap { t in masker.counts[t].map { "\(t.rawValue) \($0)" } }
        summary("masked \(result.documents) document(s) (\(policy.mode.rawValue)): " + (counts.isEmpty ? "nothing found" : counts.joined(separator: ", "))
                + (vault.map { "; vault \($0): \(masker.vault.entries.count) entries" } ?? ""))
    }

    /// The database named by --audit-db, opened for writing (it must exist).
    private func auditStore() throws -> GraphStore? {
        guard let auditDB else { return nil }
        try PathSetting.argument(auditDB).require("graph database for --audit-db")
        return try GraphStore(path: auditDB, mode: .readWrite)
    }

    private func corpusFormat() throws -> CorpusFormat {
        if field != nil && column != nil { throw ValidationError("--field (JSON Lines) and --column (TSV) exclude each other") }
        if let field { return .jsonLines(field: field, partyFields: partyFields) }
        if !partyFields.isEmpty { throw ValidationError("--party-field needs --field (JSON Lines input)") }
        if let column { return .tsv(column: column) }
        if let file, file.hasSuffix(".jsonl") { throw ValidationError("\(file) looks like JSON Lines: pass --field NAME (the field with the text)") }
        if let file, file.hasSuffix(".tsv") { throw ValidationError("\(file) looks like TSV: pass --column NAME (the column with the text)") }
        return .text
    }

    /// The output goes to --out (whole, at once: nothing half-written) or stdout.
    private func emit(_ text: String) throws {
        if let out { try write(text, to: out) } else { Console.data(text, terminator: "") }
    }

    private func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The counts: on stdout when the text went to a file, else on stderr.
    private func summary(_ line: String) {
        if out != nil { Console.text(line) } else { Console.note(line) }
    }
}
