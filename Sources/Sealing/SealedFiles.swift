import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing artifact files (safetensors weights, optimizer state, predictions)
/// sealed with the process's artifact key. With a key, every write is sealed in chunks
/// (`LXSEAL02`, `ChunkedSeal`; files sealed whole as `LXSEAL01` by `SealedBytes` still
/// read) and goes through a temporary file in the same folder renamed over the
/// target, so neither plaintext nor a half-written file is ever on disk; without one,
/// files are written as they are. Reads recognize a sealed file by its mark, whatever the
/// key setting, so a sealed file without the key, or with another one, is a clear error
/// naming the file, and a plain file still reads with a key configured.
public enum SealedFiles {
    /// The mark of artifacts sealed whole (`SealedBytes`), written before chunked sealing.
    public static let wholeMagic = Array("LXSEAL01".utf8)

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded = false
    nonisolated(unsafe) private static var current: ArtifactKey?

    /// The key in use: set by `use(_:)`, else read from the environment on first use.
    public static func key() throws -> ArtifactKey? {
        lock.lock()
        defer { lock.unlock() }
        if !loaded {
            current = try ArtifactKey.environment()
            loaded = true
        }
        return current
    }

    /// Sets the key for the rest of the process (nil: write plain files).
    public static func use(_ key: ArtifactKey?) {
        lock.lock()
        current = key
        loaded = true
        lock.unlock()
    }

    /// Forgets a key set by `use`, so the environment is read again.
    public static func reset() {
        lock.lock()
        current = nil
        loaded = false
        lock.unlock()
    }

    /// Whether the bytes are a sealed artifact.
    public static func isSealed(_ data: Data) -> Bool { ChunkedSeal.isSealed(data) || SealedBytes.isSealed(data, magic: wholeMagic) }

    /// Whether `data` starts with a sealing mark (a truncated sealed file included).
    public static func isSealedMark(_ data: Data) -> Bool {
        data.prefix(ChunkedSeal.magic.count).elementsEqual(ChunkedSeal.magic) || data.prefix(wholeMagic.count).elementsEqual(wholeMagic)
    }

    /// `data` as it goes to disk under `key` (sealed), or unchanged without a key.
    public static func encode(_ data: Data, key: ArtifactKey?) throws -> Data {
        guard let key else { return data }
        return try ChunkedSeal.seal(data, key: key.bytes)
    }

    /// The plaintext of bytes read from `path`: opened with `key` when sealed, unchanged
    /// otherwise.
    public static func decode(_ data: Data, path: String, key: ArtifactKey?) throws -> Data {
        guard isSealedMark(data) else { return data }
        guard let key else {
            throw SealingError("the file is encrypted and no artifact key is configured: set \(ArtifactKey.fileVariable) "
                               + "(or \(ArtifactKey.databaseFileVariable), the database key) to the key it was written with", file: path)
        }
        let failed = SealingError("cannot decrypt the file with the artifact key from \(key.source): wrong key, or the file was changed "
                                  + "(AES-GCM authentication failed)", file: path)
        let truncated = SealingError("the encrypted file is truncated (\(data.count) bytes)", file: path)
        guard data.prefix(wholeMagic.count).elementsEqual(wholeMagic) else {
            do {
                return try ChunkedSeal.open(data, key: key.bytes)
            } catch .notSealed {
                throw truncated
            } catch .damagedLayout(let chunkSize) {
                throw SealingError("the encrypted file is truncated or damaged: \(data.count) bytes do not hold chunks of "
                                   + "\(chunkSize) bytes as its header says", file: path)
            } catch .authenticationFailed {
                throw failed
            }
        }
        do {
            return try SealedBytes.open(data, key: key.bytes, magic: wholeMagic)
        } catch .notSealed {
            throw truncated
        } catch .authenticationFailed {
            throw failed
        }
    }

    /// The contents of `path`, decrypted when sealed; nil when it cannot be read.
    public static func read(_ path: String) throws -> Data? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard isSealedMark(data) else { return data }  // a plain file needs no key
        return try decode(data, path: path, key: key())
    }

    /// Writes `data` to `path` (sealed when a key is configured) atomically: a temporary
    /// file beside it, flushed, then renamed over it. A sealed file is readable by its
    /// owner only.
    public static func write(_ data: Data, to path: String) throws {
        let key = try key()
        let bytes = try encode(data, key: key)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: key == nil ? nil : [.posixPermissions: 0o600]) else {
                throw SealingError("cannot create a temporary file in \(url.deletingLastPathComponent().path)", file: path)
            }
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try handle.write(contentsOf: bytes)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if rename(temporary.path, url.path) != 0 {
                throw SealingError("cannot rename \(temporary.lastPathComponent) over it: \(String(cString: strerror(errno)))", file: path)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? SealingError { throw error }
            throw SealingError(error.localizedDescription, file: path)
        }
    }
}
