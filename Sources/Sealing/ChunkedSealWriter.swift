import CLexgraphCrypt
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ChunkedSeal {
    /// Seals `plaintext` into the open file `descriptor` from offset 0: the same bytes as
    /// `seal` returns, without the whole ciphertext in memory. Each thread encrypts its
    /// share of the chunks one at a time into a buffer of one chunk and writes it at its
    /// place with `pwrite`, so a save faults in one chunk's buffer per thread, not a fresh
    /// buffer the size of the checkpoint. `chunkSize` and `baseNonce` are for tests.
    public static func seal(_ plaintext: UnsafeRawBufferPointer, key: [UInt8], toFile descriptor: Int32, chunkSize: Int = defaultChunkSize,
                            baseNonce: [UInt8]? = nil, threads: Int? = nil) throws(SealingError) {
        precondition(key.count == SealedBytes.keyBytes, "AES-256 takes a 32-byte key")
        precondition(chunkSize > 0 && chunkSize <= maxChunkSize && (baseNonce?.count ?? 12) == SealedBytes.nonceBytes)
        let header = try makeHeader(chunkSize: chunkSize, baseNonce: baseNonce)
        if let reason = header.withUnsafeBytes({ writeAll(descriptor, $0, at: 0) }) { throw SealingError("cannot write: \(reason)") }
        let chunks = chunkCount(plaintext.count, chunkSize)
        let firstError = FirstError()
        _ = header.withUnsafeBufferPointer { h in
            [UInt8(0)].withUnsafeBufferPointer { zero in
                // An empty plaintext may have no base address; any valid pointer serves a zero length.
                let plain = plaintext.bindMemory(to: UInt8.self).baseAddress ?? zero.baseAddress!
                return inParallel(chunks: chunks, threads: threads) { from, count in
                    guard let context = lgseal_context_new() else { return firstError.set("libcrypto has no cipher context") }
                    defer { lgseal_context_free(context) }
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunkSize, plaintext.count) + SealedBytes.tagBytes,
                                                                        alignment: 64)
                    defer { buffer.deallocate() }
                    let out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    for i in from ..< from + count {
                        let at = i * chunkSize, step = min(chunkSize, plaintext.count - at)
                        guard lgseal_encrypt_chunk(context, key, h.baseAddress!, headerBytes, h.baseAddress! + 12, i, chunks, plain + at, step, out) == 0 else {
                            return firstError.set("AES-GCM encryption failed in libcrypto")
                        }
                        let offset = headerBytes + i * (chunkSize + SealedBytes.tagBytes)
                        if let reason = writeAll(descriptor, UnsafeRawBufferPointer(start: buffer.baseAddress, count: step + SealedBytes.tagBytes), at: offset) {
                            return firstError.set("cannot write: \(reason)")
                        }
                    }
                    return true
                }
            }
        }
        if let message = firstError.message { throw SealingError(message) }
    }

    /// Writes all of `bytes` at `offset` of `descriptor`; the reason when it cannot.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> String? {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            done += n
        }
        return nil
    }

    /// The first failure of any thread (the others' are its consequences).
    private final class FirstError: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var message: String?
        /// Records `message` unless one came first; false, for the worker to return.
        func set(_ message: String) -> Bool {
            lock.lock()
            if self.message == nil { self.message = message }
            lock.unlock()
            return false
        }
    }
}
