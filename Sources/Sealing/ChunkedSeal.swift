import CLexgraphCrypt
import Dispatch
import Foundation

/// AES-256-GCM sealing of large artifacts in independent chunks (`LXSEAL02`), so both
/// directions run on every core: checkpoints are hundreds of megabytes, and one GCM
/// stream over them is the whole cost of a sealed save or load.
///
/// Layout: the mark `LXSEAL02`, the chunk size (UInt32, little-endian), a random 12-byte
/// base nonce (these 24 bytes are the header), then each chunk's ciphertext followed by
/// its 16-byte tag; every chunk but the last holds `chunkSize` bytes. Chunk `i` uses the
/// base nonce with its last four bytes XORed with `i` (big-endian), and authenticates the
/// header, `i` and whether it is the last chunk (the STREAM construction of Hoang, Reyhanitabar,
/// Rogaway and Vizár): a chunk moved, swapped, dropped from the end, taken from another
/// file, or a header changed, fails like a changed byte does. The ciphertext does not
/// depend on how many threads wrote it.
public enum ChunkedSeal {
    public static let magic = Array("LXSEAL02".utf8)
    public static let headerBytes = 8 + 4 + SealedBytes.nonceBytes
    /// 1 MiB: small enough to split a 90 MB checkpoint evenly between cores, large enough
    /// that the per-chunk tag (16 bytes) and cipher set-up cost nothing.
    public static let defaultChunkSize = 1 << 20
    /// The largest chunk size a header may name (a bound for damaged headers).
    static let maxChunkSize = 1 << 28

    /// Why `open` failed; callers word the error for their file.
    public enum Failure: Error, Equatable {
        /// The bytes do not start with the mark or are shorter than the header and one tag.
        case notSealed
        /// The header's chunk size cannot describe these bytes (a cut or damaged file).
        case damagedLayout(chunkSize: Int)
        /// The key does not match, or the bytes were changed.
        case authenticationFailed
    }

    /// Whether `data` starts with the mark and is long enough for a header and one tag.
    public static func isSealed(_ data: Data) -> Bool {
        data.count >= headerBytes + SealedBytes.tagBytes && data.prefix(magic.count).elementsEqual(magic)
    }

    /// The sealed bytes of `plaintext` under the 32-byte `key` with a fresh random base
    /// nonce. `chunkSize` and `baseNonce` are for tests that compare bytes with a peer.
    public static func seal(_ plaintext: Data, key: [UInt8], chunkSize: Int = defaultChunkSize,
                            baseNonce: [UInt8]? = nil, threads: Int? = nil) throws(SealingError) -> Data {
        precondition(key.count == SealedBytes.keyBytes, "AES-256 takes a 32-byte key")
        precondition(chunkSize > 0 && chunkSize <= maxChunkSize && (baseNonce?.count ?? 12) == SealedBytes.nonceBytes)
        let chunks = chunkCount(plaintext.count, chunkSize)
        let total = headerBytes + plaintext.count + chunks * SealedBytes.tagBytes
        let header = try makeHeader(chunkSize: chunkSize, baseNonce: baseNonce)
        // Uninitialized: every byte is written below, and zero-filling 100 MB costs ~10 ms.
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: total)
        header.withUnsafeBufferPointer { out.initialize(from: $0.baseAddress!, count: headerBytes) }
        let failed = plaintext.withUnsafeBytes { (p: UnsafeRawBufferPointer) -> Bool in
            // An empty Data may have no base address; any valid pointer serves a zero length.
            let plain = p.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(out)
            let body = out + headerBytes
            return header.withUnsafeBufferPointer { h in
                let nonce = h.baseAddress! + 12
                return inParallel(chunks: chunks, threads: threads) { first, count in
                    lgseal_encrypt_chunks(key, h.baseAddress!, headerBytes, nonce, plain, plaintext.count, chunkSize, chunks, first, count, body) == 0
                }
            }
        }
        guard !failed else {
            out.deallocate()
            throw SealingError("AES-GCM encryption failed in libcrypto")
        }
        return Data(bytesNoCopy: out, count: total, deallocator: .custom { pointer, _ in pointer.deallocate() })
    }

    /// The plaintext of `data` sealed by `seal` with `key`.
    public static func open(_ data: Data, key: [UInt8], threads: Int? = nil) throws(Failure) -> Data {
        guard key.count == SealedBytes.keyBytes else { throw .notSealed }
        let (header, chunkSize, chunks, length) = try layout(of: data)
        let plain = UnsafeMutablePointer<UInt8>.allocate(capacity: max(length, 1))
        let failed = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let body = raw.bindMemory(to: UInt8.self).baseAddress! + headerBytes
            return header.withUnsafeBufferPointer { h in
                inParallel(chunks: chunks, threads: threads) { first, count in
                    lgseal_decrypt_chunks(key, h.baseAddress!, headerBytes, h.baseAddress! + 12, body, length, chunkSize, chunks, first, count, plain) == 0
                }
            }
        }
        guard !failed else {
            plain.update(repeating: 0, count: length)  // nothing unauthenticated outlives the call
            plain.deallocate()
            throw .authenticationFailed
        }
        return Data(bytesNoCopy: plain, count: length, deallocator: .custom { pointer, _ in pointer.deallocate() })
    }

    /// The header (`magic`, chunk size, base nonce) for a new file: `baseNonce`, else a
    /// fresh random one.
    static func makeHeader(chunkSize: Int, baseNonce: [UInt8]?) throws(SealingError) -> [UInt8] {
        var header = magic
        withUnsafeBytes(of: UInt32(chunkSize).littleEndian) { header.append(contentsOf: $0) }
        if let baseNonce {
            header.append(contentsOf: baseNonce)
        } else {
            var nonce = [UInt8](repeating: 0, count: SealedBytes.nonceBytes)
            guard lgseal_random(&nonce, nonce.count) == 0 else { throw SealingError("no random nonce from libcrypto") }
            header.append(contentsOf: nonce)
        }
        return header
    }

    /// The header, chunk size, chunk count and plaintext length of sealed bytes.
    static func layout(of data: Data) throws(Failure) -> (header: [UInt8], chunkSize: Int, chunks: Int, length: Int) {
        guard isSealed(data) else { throw .notSealed }
        let header = [UInt8](data.prefix(headerBytes))
        let chunkSize = Int(UInt32(header[8]) | UInt32(header[9]) << 8 | UInt32(header[10]) << 16 | UInt32(header[11]) << 24)
        guard let (chunks, length) = layout(body: data.count - headerBytes, chunkSize: chunkSize) else {
            throw .damagedLayout(chunkSize: chunkSize)
        }
        return (header, chunkSize, chunks, length)
    }

    /// Chunks for `length` plaintext bytes: at least one (an empty plaintext is one empty chunk).
    static func chunkCount(_ length: Int, _ chunkSize: Int) -> Int { max(1, (length + chunkSize - 1) / chunkSize) }

    /// The chunk count and plaintext length of a sealed body (chunks and tags) of `body`
    /// bytes, or nil when no such layout exists.
    static func layout(body: Int, chunkSize: Int) -> (chunks: Int, length: Int)? {
        guard chunkSize > 0, chunkSize <= maxChunkSize, body >= SealedBytes.tagBytes else { return nil }
        let stride = chunkSize + SealedBytes.tagBytes
        let chunks = (body + stride - 1) / stride
        let last = body - (chunks - 1) * stride - SealedBytes.tagBytes
        // Only a lone chunk may be empty; a body ending inside a tag has no layout.
        guard last >= 0, last > 0 || chunks == 1, chunks <= Int(UInt32.max) else { return nil }
        return (chunks, (chunks - 1) * chunkSize + last)
    }

    /// Runs `work(first, count)` over contiguous shares of the chunks, one per thread
    /// (all active processors unless `threads` says otherwise); true when any share failed.
    /// Not `Tensor`'s `Parallel` and its BLAS thread setting: this module sits below the
    /// numeric ones, the ciphertext does not depend on the thread count, and a save or load
    /// is waited on, never run beside training work.
    static func inParallel(chunks: Int, threads: Int?, _ work: (Int, Int) -> Bool) -> Bool {
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, chunks))
        guard workers > 1 else { return !work(0, chunks) }
        let failures = Failures(count: workers)
        // concurrentPerform returns only after every share ran, so `work` never escapes,
        // and each worker writes its own slot.
        withoutActuallyEscaping(work) { work in
            let shared = Work(run: work)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let first = chunks * w / workers, end = chunks * (w + 1) / workers
                failures.slots[w] = !shared.run(first, end - first)
            }
        }
        return failures.slots.contains(true)
    }

    private struct Work: @unchecked Sendable {
        let run: (Int, Int) -> Bool
    }

    private final class Failures: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Bool>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: false)
        }
        deinit { slots.deallocate() }
    }
}
