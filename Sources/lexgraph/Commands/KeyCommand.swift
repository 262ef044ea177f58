import ArgumentParser
import Foundation
import GraphStore

/// `lexgraph key generate|encrypt|decrypt|rotate`: encryption at rest of the graph
/// database. Every other command opens an encrypted database with the configured key
/// ($LEXGRAPH_DB_KEY_FILE or $LEXGRAPH_DB_KEY, or a prompt on a terminal).
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Encrypt, decrypt or re-key the graph database (AES-256-GCM per page); make a key file.",
        discussion: "Other commands open an encrypted database with $\(DatabaseKey.fileVariable) (a key file) or $\(DatabaseKey.variable) (the key), or ask for it on a terminal.",
        subcommands: [KeyGenerateCommand.self, KeyEncryptCommand.self, KeyDecryptCommand.self, KeyRotateCommand.self])

    /// The key of `--key-file` when given, else the configured one; a missing key is an
    /// error naming both ways to give one.
    static func key(file: String?, option: String) throws -> DatabaseKey {
        if let file { return try DatabaseKey.file(file) }
        if let configured = try DatabaseKey.environment() { return configured }
        throw CLIError("no key given: pass \(option) FILE or set \(DatabaseKey.fileVariable) (or \(DatabaseKey.variable))")
    }

    static func describe(_ report: DatabaseKeyChange.Report) -> String {
        "\(report.pages) pages, \(report.bytes) bytes"
    }
}

struct KeyGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new random key (32 bytes, hexadecimal) to a file readable only by you.")

    @Option(help: "The key file to write (refused when it exists).")
    var out: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            throw CLIError("\(out) exists: a key file is never overwritten (a lost key loses the database)")
        }
        guard FileManager.default.createFile(atPath: out, contents: Data(DatabaseKey.generateKeyFileText().utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write the key file \(out)")
        }
        Console.text("wrote a new key to \(out) (mode 600); keep a copy: without it the database cannot be read")
    }
}

struct KeyEncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a plain graph database in place (a new file, then an atomic rename).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The key file (default: $\(DatabaseKey.fileVariable) or $\(DatabaseKey.variable)).")
    var keyFile: String?

    func run() throws {
        let path = try database.setting.require("graph database")
        let key = try KeyCommand.key(file: keyFile, option: "--key-file")
        let report = try DatabaseKeyChange.encrypt(path: path, with: key)
        Console.text("encrypted \(path) with \(key.source) (\(KeyCommand.describe(report)))")
    }
}

struct KeyDecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Turn an encrypted graph database back into a plain SQLite file in place.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The key file (default: $\(DatabaseKey.fileVariable) or $\(DatabaseKey.variable)).")
    var keyFile: String?

    func run() throws {
        let path = try database.setting.require("graph database")
        let key = try KeyCommand.key(file: keyFile, option: "--key-file")
        let report = try DatabaseKeyChange.decrypt(path: path, with: key)
        Console.text("decrypted \(path) (\(KeyCommand.describe(report)))")
    }
}

struct KeyRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-encrypt the graph database with a new key; the old key stops working.",
        discussion: "Writes a complete copy under the new key beside the database and renames it over the old file: a crash before the rename leaves the old file, which the old key still opens. Stop `lexgraph serve` and loads first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The current key file (default: $\(DatabaseKey.fileVariable) or $\(DatabaseKey.variable)).")
    var oldKeyFile: String?

    @Option(help: "The new key file (`lexgraph key generate --out FILE` makes one).")
    var newKeyFile: String

    func run() throws {
        let path = try database.setting.require("graph database")
        let old = try KeyCommand.key(file: oldKeyFile, option: "--old-key-file")
        let new = try DatabaseKey.file(newKeyFile)
        let report = try DatabaseKeyChange.rotate(path: path, from: old, to: new)
        Console.text("re-encrypted \(path) with \(new.source) (\(KeyCommand.describe(report))); \(old.source) no longer opens it")
    }
}
