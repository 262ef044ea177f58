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

    /// The plaintext of bytes read from `path`: opened with `key` when sealed, unchanged
    /// otherwise.
    public static func decode(_ data: Data, path: String, key: ArtifactKey?) throws -> Data {
        guard isSealedMark(data) else { return data }
        guard let key else { throw noKey(path) }
        guard data.prefix(wholeMagic.count).elementsEqual(wholeMagic) else {
            do throws(ChunkedSeal.Failure) { return try ChunkedSeal.open(data, key: key.bytes) } catch { throw failure(error, bytes: data.count, key: key, path: path) }
        }
        do {
            return try SealedBytes.open(data, key: key.bytes, magic: wholeMagic)
        } catch .notSealed {
            throw failure(.notSealed, bytes: data.count, key: key, path: path)
        } catch .authenticationFailed {
            throw failure(.authenticationFailed, bytes: data.count, key: key, path: path)
        }
    }

    /// A reader of the plaintext of chunk-sealed bytes read from `path` that decrypts only
    /// what is read, straight into the caller's memory (`ChunkedSeal.Reader`); nil when
    /// the bytes are not chunk-sealed (plain, or sealed whole: `decode` them). Opening
    /// checks the key, the header and the last chunk; errors are `decode`'s.
    public static func reader(_ data: Data, path: String, key: ArtifactKey?) throws -> SealedFileReader? {
        guard data.prefix(ChunkedSeal.magic.count).elementsEqual(ChunkedSeal.magic) else { return nil }
        guard let key else { throw noKey(path) }
        do throws(ChunkedSeal.Failure) {
            return SealedFileReader(reader: try ChunkedSeal.Reader(data, key: key.bytes), bytes: data.count, key: key, path: path)
        } catch {
            throw failure(error, bytes: data.count, key: key, path: path)
        }
    }

    static func noKey(_ path: String) -> SealingError {
        SealingError("the file is encrypted and no artifact key is configured: set \(ArtifactKey.fileVariable) "
                     + "(or \(ArtifactKey.databaseFileVariable), the database key) to the key it was written with", file: path)
    }

    /// The error for sealed bytes of `bytes` bytes from `path` that `key` cannot open.
    static func failure(_ failure: ChunkedSeal.Failure, bytes: Int, key: ArtifactKey, path: String) -> SealingError {
        switch failure {
        case .notSealed:
            return SealingError("the encrypted file is truncated (\(bytes) bytes)", file: path)
        case .damagedLayout(let chunkSize):
            return SealingError("the encrypted file is truncated or damaged: \(bytes) bytes do not hold chunks of "
                                + "\(chunkSize) bytes as its header says", file: path)
        case .authenticationFailed:
            return SealingError("cannot decrypt the file with the artifact key from \(key.source): wrong key, or the file was changed "
                                + "(AES-GCM authentication failed)", file: path)
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
    /// owner only; it is sealed chunk by chunk into the file (`ChunkedSeal.seal(_:key:toFile:)`),
    /// never as a whole ciphertext in memory.
    public static func write(_ data: Data, to path: String) throws {
        let key = try key()
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, key == nil ? 0o666 : 0o600)
        guard descriptor >= 0 else {
            throw SealingError("cannot create a temporary file in \(url.deletingLastPathComponent().path): \(String(cString: strerror(errno)))", file: path)
        }
        var isOpen = true
        do {
            let failure = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> SealingError? in
                guard let key else { return ChunkedSeal.writeAll(descriptor, bytes, at: 0).map { SealingError("cannot write: \($0)") } }
                do throws(SealingError) { try ChunkedSeal.seal(bytes, key: key.bytes, toFile: descriptor) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            guard fsync(descriptor) == 0 else { throw SealingError("cannot flush: \(String(cString: strerror(errno)))") }
            isOpen = false
            guard close(descriptor) == 0 else { throw SealingError("cannot close: \(String(cString: strerror(errno)))") }
            if rename(temporary.path, url.path) != 0 {
                throw SealingError("cannot rename \(temporary.lastPathComponent) over it: \(String(cString: strerror(errno)))")
            }
        } catch {
            if isOpen { _ = close(descriptor) }
            _ = unlink(temporary.path)
            throw SealingError((error as? SealingError)?.message ?? "\(error)", file: path)
        }
    }
}
