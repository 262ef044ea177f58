import CLexgraphCrypt
import Foundation

extension ChunkedSeal {
    /// Random access to the plaintext of chunk-sealed bytes (usually a mapped file), for
    /// loading a sealed checkpoint without a plaintext image of it: a read decrypts only the
    /// chunks its range covers, a chunk covered whole straight into the caller's memory (a
    /// tensor's own storage), so the file's pages are read once and no fresh buffer the size
    /// of the file is faulted in. A chunk covered in part is decrypted into a kept buffer,
    /// since the next read (the next tensor in file order) usually starts in it.
    ///
    /// Every chunk is authenticated before any of its bytes is handed out, and a failed read
    /// leaves zeros in the caller's range. The last chunk is authenticated on opening, so a
    /// wrong key, a changed header or a file cut at a chunk boundary fail there, as they do
    /// in `open`; a changed chunk fails the first read that covers it, and a chunk no read
    /// covers is never decrypted (its bytes are never used).
    public final class Reader: @unchecked Sendable {
        /// The plaintext's length in bytes.
        public let length: Int
        private let sealed: Data
        private let key: [UInt8]
        private let header: [UInt8]
        private let chunkSize: Int
        private let chunks: Int
        private let threads: Int?
        /// Guards `kept`: reads may come from several threads.
        private let lock = NSLock()
        /// Chunks decrypted for partial reads, the most recently used last.
        private var kept: [(index: Int, plain: UnsafeMutableRawBufferPointer)] = []
        /// Two: the chunk a tensor ends in and the file's last chunk, decrypted on opening.
        private static let keptChunks = 2

        public init(_ sealed: Data, key: [UInt8], threads: Int? = nil) throws(Failure) {
            guard key.count == SealedBytes.keyBytes else { throw .notSealed }
            let parsed = try ChunkedSeal.layout(of: sealed)
            header = parsed.header
            chunkSize = parsed.chunkSize
            chunks = parsed.chunks
            length = parsed.length
            self.sealed = sealed
            self.key = key
            self.threads = threads
            _ = try keptChunk(chunks - 1)
        }

        deinit {
            for (_, plain) in kept {
                _ = plain.initializeMemory(as: UInt8.self, repeating: 0)
                plain.deallocate()
            }
        }

        /// Decrypts plaintext bytes `range` into `destination` (`range.count` bytes).
        public func read(_ range: Range<Int>, into destination: UnsafeMutableRawPointer) throws(Failure) {
            precondition(range.lowerBound >= 0 && range.upperBound <= length, "read \(range) outside \(length) plaintext bytes")
            guard !range.isEmpty else { return }
            lock.lock()
            defer { lock.unlock() }
            let first = range.lowerBound / chunkSize, last = (range.upperBound - 1) / chunkSize
            // The chunks inside `range` are contiguous: all but possibly the first and last.
            let wholeFrom = plain(first).lowerBound == range.lowerBound ? first : first + 1
            let wholeTo = max(wholeFrom, plain(last).upperBound <= range.upperBound ? last + 1 : last)
            do throws(Failure) {
                for i in (first == last ? [first] : [first, last]) where !(wholeFrom ..< wholeTo).contains(i) {
                    let part = plain(i).clamped(to: range)
                    let chunk = try keptChunk(i)
                    (destination + (part.lowerBound - range.lowerBound)).copyMemory(from: chunk.baseAddress! + (part.lowerBound - i * chunkSize),
                                                                                     byteCount: part.count)
                }
                if wholeFrom < wholeTo { try decryptWhole(wholeFrom ..< wholeTo, range: range, into: destination) }
            } catch {
                _ = destination.initializeMemory(as: UInt8.self, repeating: 0, count: range.count)
                throw error
            }
        }

        /// Plaintext bytes of chunk `i`.
        private func plain(_ i: Int) -> Range<Int> { i * chunkSize ..< min(length, (i + 1) * chunkSize) }

        /// Decrypts `whole` (chunks inside `range`) straight into `destination`, on every core.
        private func decryptWhole(_ whole: Range<Int>, range: Range<Int>, into destination: UnsafeMutableRawPointer) throws(Failure) {
            let failed = sealed.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
                let body = raw.bindMemory(to: UInt8.self).baseAddress! + ChunkedSeal.headerBytes
                let out = destination.assumingMemoryBound(to: UInt8.self)
                return header.withUnsafeBufferPointer { h in
                    ChunkedSeal.inParallel(chunks: whole.count, threads: threads) { from, count in
                        guard let context = lgseal_context_new() else { return false }
                        defer { lgseal_context_free(context) }
                        for i in whole.lowerBound + from ..< whole.lowerBound + from + count {
                            let span = plain(i)
                            guard lgseal_decrypt_chunk(context, key, h.baseAddress!, ChunkedSeal.headerBytes, h.baseAddress! + 12, i, chunks,
                                                       body + i * (chunkSize + SealedBytes.tagBytes), span.count,
                                                       out + (span.lowerBound - range.lowerBound)) == 0 else { return false }
                        }
                        return true
                    }
                }
            }
            if failed { throw .authenticationFailed }
        }

        /// Chunk `i`'s plaintext, decrypted now unless kept from an earlier read; valid
        /// until the next call. Only authenticated chunks are kept.
        private func keptChunk(_ i: Int) throws(Failure) -> UnsafeMutableRawBufferPointer {
            if let at = kept.firstIndex(where: { $0.index == i }) {
                let entry = kept.remove(at: at)
                kept.append(entry)
                return entry.plain
            }
            // Reuse the least recently used buffer: a fresh 1 MiB each time would be page faults again.
            let buffer = kept.count < Self.keptChunks ? UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(chunkSize, length)), alignment: 64)
                                                     : kept.removeFirst().plain
            let span = plain(i)
            let status = sealed.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32 in
                let body = raw.bindMemory(to: UInt8.self).baseAddress! + ChunkedSeal.headerBytes
                guard let context = lgseal_context_new() else { return -1 }
                defer { lgseal_context_free(context) }
                return lgseal_decrypt_chunk(context, key, header, ChunkedSeal.headerBytes, Array(header[12...]), i, chunks,
                                            body + i * (chunkSize + SealedBytes.tagBytes), span.count,
                                            buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            guard status == 0 else {
                buffer.deallocate()  // zeroed by lgseal_decrypt_chunk
                throw .authenticationFailed
            }
            kept.append((i, buffer))
            return buffer
        }
    }
}
