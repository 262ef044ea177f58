import Crypto
import Foundation
import Sealing

/// The key of a masking vault: 32 bytes for AES-256-GCM, from a key file or an
/// environment variable, written as 64 hex digits, base64, or the raw bytes (file
/// only). Errors say where the key was looked for and what shape was expected, never
/// what was found.
public struct VaultKey: Sendable {
    /// The AES-256 key itself.
    let bytes: [UInt8]

    public static let environmentVariable = "LEXGRAPH_VAULT_KEY"

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// A new random key, as 64 hex digits and a newline (what `--new-key` writes).
    public static func generateText() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { raw in raw.map { String(format: "%02x", $0) }.joined() } + "\n"
    }

    /// Parses key text or bytes; `source` names where it came from in errors.
    public init(data: Data, source: String) throws {
        if data.count == 32, String(data: data, encoding: .utf8).map({ $0.allSatisfy(\.isHexDigit) }) != true {
            self.init(bytes: Array(data))
            return
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var i = text.startIndex
            while i < text.endIndex {
                let j = text.index(i, offsetBy: 2)
                bytes.append(UInt8(text[i..<j], radix: 16)!)
                i = j
            }
            self.init(bytes: bytes)
            return
        }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 {
            self.init(bytes: Array(decoded))
            return
        }
        throw ComplianceError("the vault key from \(source) is not a 256-bit key (\(data.count) bytes): give 64 hex digits, base64 of 32 bytes, or 32 raw bytes (`lexgraph mask --new-key --key-file PATH` makes one)")
    }

    /// The key from `file` if given, else from `$LEXGRAPH_VAULT_KEY`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> VaultKey {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ComplianceError("cannot read the vault key file \(file)")
            }
            return try VaultKey(data: data, source: "the key file \(file)")
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            return try VaultKey(data: Data(value.utf8), source: "$\(environmentVariable)")
        }
        throw ComplianceError("a vault needs a key: pass --key-file PATH or set \(environmentVariable) (`lexgraph mask --new-key --key-file PATH` makes one)")
    }
}

/// A vault file: the reverse mapping of a masked corpus, sealed with AES-256-GCM
/// (`SealedBytes`, the sealing artifacts use too). The file is `LXVAULT1`, the 12-byte
/// nonce, the ciphertext and the 16-byte tag; any change to it, or a wrong key, fails
/// authentication and nothing is decrypted.
public enum Vault {
    static let magic = Array("LXVAULT1".utf8)

    public static func seal(_ contents: VaultContents, key: VaultKey) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try SealedBytes.seal(try encoder.encode(contents), key: key.bytes, magic: magic)
    }

    public static func open(_ data: Data, key: VaultKey, file: String) throws -> VaultContents {
        let plaintext: Data
        do {
            plaintext = try SealedBytes.open(data, key: key.bytes, magic: magic)
        } catch SealedBytes.Failure.notSealed {
            throw ComplianceError("\(file) is not a Lexgraph vault, or is truncated (\(data.count) bytes)")
        } catch {
            throw ComplianceError("cannot open the vault \(file): the key does not match it, or the file was changed (AES-GCM authentication failed)")
        }
        do {
            let contents = try JSONDecoder().decode(VaultContents.self, from: plaintext)
            guard contents.format == "lexgraph-vault", contents.version == 1 else {
                throw ComplianceError("\(file) holds vault format \(contents.format) version \(contents.version); this lexgraph reads lexgraph-vault version 1")
            }
            return contents
        } catch let error as ComplianceError {
            throw error
        } catch {
            throw ComplianceError("the vault \(file) decrypted but its contents are not a vault (was it written by another program with this key?)")
        }
    }

    /// Reads and decrypts the vault at `path`.
    public static func read(path: String, key: VaultKey) throws -> VaultContents {
        guard let data = FileManager.default.contents(atPath: path) else { throw ComplianceError("cannot read the vault \(path)") }
        return try open(data, key: key, file: path)
    }

    /// Encrypts and writes `contents` to `path` atomically (a temporary file renamed
    /// over it), readable by its owner only.
    public static func write(_ contents: VaultContents, to path: String, key: VaultKey) throws {
        let data = try seal(contents, key: key)
        let url = URL(fileURLWithPath: path)
        do {
            try data.write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw ComplianceError("cannot write the vault \(path): \(error.localizedDescription)")
        }
    }
}
