import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The secret an encrypted graph database is opened with: the bytes of a key file, of
/// `$LEXGRAPH_DB_KEY` or of a typed passphrase. The page key is derived from it with
/// PBKDF2-HMAC-SHA256 and the database's own random salt (see CLexgraphCrypt), so a
/// passphrase works as well as a random key file. Never printed: messages name only
/// where it came from.
public struct DatabaseKey: Sendable {
    let material: [UInt8]
    /// Where the key came from, for messages: `the key file PATH`, `$LEXGRAPH_DB_KEY`.
    public let source: String

    /// The variables naming the configured key: a key file (wins) or the key itself.
    public static let fileVariable = "LEXGRAPH_DB_KEY_FILE"
    public static let variable = "LEXGRAPH_DB_KEY"

    /// `material` must not be empty.
    public init(material: [UInt8], source: String) throws {
        guard !material.isEmpty else { throw GraphStoreError(message: "the database key from \(source) is empty") }
        self.material = material
        self.source = source
    }

    /// The key in the file at `path`: its bytes, less a final line break (so a key
    /// written with `echo` works).
    public static func file(_ path: String) throws -> DatabaseKey {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw GraphStoreError(message: "no key file at \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GraphStoreError(message: "cannot read the key file \(path)")
        }
        return try DatabaseKey(material: trimmingLineBreak(Array(data)), source: "the key file \(path)")
    }

    /// The configured key: the file named by `$LEXGRAPH_DB_KEY_FILE`, else the text of
    /// `$LEXGRAPH_DB_KEY`; nil when neither is set.
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseKey? {
        if let path = environment[fileVariable], !path.isEmpty {
            do { return try file(path) } catch let error as GraphStoreError {
                throw GraphStoreError(message: error.message + " (from $\(fileVariable))")
            }
        }
        if let text = environment[variable] {
            return try DatabaseKey(material: Array(text.utf8), source: "$\(variable)")
        }
        return nil
    }

    /// Asks for the key of `path` on the terminal (echo off), when standard input is
    /// one; nil otherwise (a service, a pipe): the caller then says how to give a key.
    public static func prompt(for path: String) throws -> DatabaseKey? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        guard let typed = getpass("Key for the encrypted graph database \(path): ") else { return nil }
        let bytes = Array(String(cString: typed).utf8)
        return try DatabaseKey(material: bytes, source: "the prompt")
    }

    /// 32 random bytes as 64 hexadecimal digits and a line break: what `lexgraph key
    /// generate` writes.
    public static func generateKeyFileText() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.map { String(format: "%02x", $0) }.joined() + "\n"
    }

    static func trimmingLineBreak(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}

/// Which key `GraphStore` opens a database with.
public enum DatabaseKeySetting: Sendable {
    /// The configured key (`$LEXGRAPH_DB_KEY_FILE`, `$LEXGRAPH_DB_KEY`), or a prompt on
    /// a terminal when the file is encrypted and none is configured.
    case environment
    /// No key: the file must be a plain SQLite database.
    case noKey
    /// This key.
    case key(DatabaseKey)
}
