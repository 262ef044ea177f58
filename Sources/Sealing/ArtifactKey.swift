import Foundation

/// The key that seals model checkpoints and run folders' predictions at rest. It comes
/// from `$LEXGRAPH_ARTIFACT_KEY_FILE` or `$LEXGRAPH_ARTIFACT_KEY`, else from the database
/// key (`$LEXGRAPH_DB_KEY_FILE`, `$LEXGRAPH_DB_KEY`): one configured secret protects the
/// graph and what is trained from it, so an encrypted database never sits beside plain
/// checkpoints by oversight; a separate artifact key lets checkpoints be shared or kept
/// when the database key is rotated (`lexgraph key rotate` re-encrypts only the
/// database). 64 hex digits (what `lexgraph key generate` writes) are the AES-256 key
/// itself; any other text is a passphrase, stretched with PBKDF2-HMAC-SHA256 (200,000
/// rounds) once per process.
public struct ArtifactKey: Sendable {
    /// The AES-256 key itself.
    let bytes: [UInt8]
    /// Where it came from, for messages: `the key file PATH ($LEXGRAPH_ARTIFACT_KEY_FILE)`.
    public let source: String

    public static let fileVariable = "LEXGRAPH_ARTIFACT_KEY_FILE"
    public static let variable = "LEXGRAPH_ARTIFACT_KEY"
    public static let databaseFileVariable = "LEXGRAPH_DB_KEY_FILE"
    public static let databaseVariable = "LEXGRAPH_DB_KEY"
    static let passphraseSalt = Array("lexgraph-artifact-key-v1".utf8)
    static let passphraseRounds = 200_000

    /// A key from its material (a key file's bytes less a final line break, or a
    /// variable's text); `source` names it in messages.
    public init(material: [UInt8], source: String) throws {
        guard !material.isEmpty else { throw SealingError("the artifact key from \(source) is empty") }
        self.source = source
        bytes = Self.hexKey(material) ?? PBKDF2.sha256(password: material, salt: Self.passphraseSalt, rounds: Self.passphraseRounds)
    }

    static func hexKey(_ material: [UInt8]) -> [UInt8]? {
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        guard material.count == 64, material.allSatisfy(hexDigits.contains) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let byte = UInt8(String(decoding: material[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            i += 2
        }
        return bytes
    }

    /// The key in the file at `path`: its bytes, less a final line break.
    public static func file(_ path: String, variable: String? = nil) throws -> ArtifactKey {
        let named = variable.map { " ($\($0))" } ?? ""
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SealingError("no key file at \(path)\(named)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw SealingError("cannot read the key file \(path)\(named)") }
        var bytes = Array(data)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return try ArtifactKey(material: bytes, source: "the key file \(path)\(named)")
    }

    /// The configured key (see the type's note), or nil when no variable is set.
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArtifactKey? {
        for (fileVariable, variable) in [(Self.fileVariable, Self.variable), (databaseFileVariable, databaseVariable)] {
            if let path = environment[fileVariable], !path.isEmpty { return try file(path, variable: fileVariable) }
            if let text = environment[variable], !text.isEmpty { return try ArtifactKey(material: Array(text.utf8), source: "$\(variable)") }
        }
        return nil
    }
}
