import Foundation
import Sealing
import Tensor
import TestRequirements
import Transformer
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Sealing straight into a file and opening straight into the caller's memory
/// (`ChunkedSeal.seal(_:key:toFile:)`, `ChunkedSeal.Reader`, sealed `SafetensorsFile`s),
/// against files a peer sealed (Python `cryptography`, `tools/make_sealing_fixtures.py`):
/// the same bytes as sealing whole, the peer's plaintext from any range, and the errors
/// of opening whole for a wrong key, a cut file or a changed chunk.
final class ChunkedSealInPlaceTests: XCTestCase {
    override func tearDown() {
        SealedFiles.reset()
        super.tearDown()
    }

    /// The peer's plaintext of each chunked fixture.
    func peerPlaintexts() throws -> [(String, Data)] {
        let key = try ChunkedSealTests.hexKey()
        let f = try SealedArtifactTests.fixture()
        let whole = try Data(contentsOf: URL(fileURLWithPath: ChunkedSealTests.fixtures + "/hexkey.safetensors"))
        return [
            ("chunked.safetensors", try SealedBytes.open(whole, key: key.bytes, magic: SealedFiles.wholeMagic)),
            ("chunked-even.bin", Data((0 ..< 64).map { UInt8($0) })),
            ("chunked-empty.bin", Data()),
            ("chunked-tensors.safetensors", Data(ChunkedSealTests.bytes(hex: try XCTUnwrap(f["tensors_plaintext_hex"] as? String)))),
        ]
    }

    /// Bytes that differ from chunk to chunk (a multiplicative hash of the offset).
    static func pattern(_ length: Int) -> Data {
        var plain = Data(count: length)
        plain.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            for i in 0 ..< length { raw[i] = UInt8(truncatingIfNeeded: (UInt32(truncatingIfNeeded: i) &* 2_654_435_761) >> 13) }
        }
        return plain
    }

    func sealIntoFile(_ plain: Data, key: [UInt8], path: String, chunkSize: Int, baseNonce: [UInt8], threads: Int) throws -> Data {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        try plain.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            try ChunkedSeal.seal(raw, key: key, toFile: descriptor, chunkSize: chunkSize, baseNonce: baseNonce, threads: threads)
        }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func testSealingIntoAFileWritesThePeersBytes() throws {
        let key = try ChunkedSealTests.hexKey()
        let dir = try TinyTask.temporaryDirectory("seal-stream")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        for (name, plain) in try peerPlaintexts() {
            let peer = try ChunkedSealTests.peerFile(name)
            for threads in [1, 2, 3, 8] {
                let written = try sealIntoFile(plain, key: key.bytes, path: dir + "/" + name, chunkSize: peer.chunkSize, baseNonce: peer.baseNonce, threads: threads)
                XCTAssertEqual(written, peer.sealed, "\(name), \(threads) threads")
            }
        }
        // At the default chunk size, across chunk boundaries: the whole-buffer seal's bytes.
        let nonce = Array(repeating: UInt8(7), count: 12)
        for length in [ChunkedSeal.defaultChunkSize, 3 * ChunkedSeal.defaultChunkSize + 17] {
            let plain = Self.pattern(length)
            let whole = try ChunkedSeal.seal(plain, key: key.bytes, baseNonce: nonce)
            for threads in [1, 2] {
                let written = try sealIntoFile(plain, key: key.bytes, path: dir + "/big", chunkSize: ChunkedSeal.defaultChunkSize, baseNonce: nonce, threads: threads)
                XCTAssertTrue(written == whole, "length \(length), \(threads) threads")
            }
        }
        // `SealedFiles.write` streams into a temporary file renamed over the target.
        SealedFiles.use(key.artifactKey)
        let plain = Self.pattern(2 * ChunkedSeal.defaultChunkSize + 5)
        try SealedFiles.write(plain, to: dir + "/w.bin")
        let written = try Data(contentsOf: URL(fileURLWithPath: dir + "/w.bin"))
        XCTAssertEqual(Array(written.prefix(8)), ChunkedSeal.magic)
        XCTAssertTrue(try ChunkedSeal.open(written, key: key.bytes) == plain)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: dir + "/w.bin")[.posixPermissions] as? Int, 0o600)
        XCTAssertThrowsError(try SealedFiles.write(plain, to: dir + "/missing/w.bin")) {
            XCTAssertTrue("\($0)".hasPrefix("\(dir)/missing/w.bin: cannot create a temporary file in \(dir)/missing: No such file"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [], "no temporary file left")
    }

    func testReaderReadsAnyRangeIntoCallerStorage() throws {
        let key = try ChunkedSealTests.hexKey()
        var cases = try peerPlaintexts().map { ($0.0, try ChunkedSealTests.peerFile($0.0).sealed, $0.1) }
        let big = Self.pattern(3 * ChunkedSeal.defaultChunkSize + 17)
        cases.append(("3 MiB + 17", try ChunkedSeal.seal(big, key: key.bytes), big))
        for (name, sealed, plain) in cases {
            for threads in [1, 2, 8] {
                let reader = try ChunkedSeal.Reader(sealed, key: key.bytes, threads: threads)
                XCTAssertEqual(reader.length, plain.count, name)
                let n = plain.count, c = ChunkedSeal.defaultChunkSize
                var ranges = n > 10_000 ? [0 ..< n, 1 ..< n - 1, c ..< 2 * c, c - 5 ..< 3 * c + 3, n - 20 ..< n, 5 ..< 9]
                                        : Array(stride(from: 0, to: n, by: 7).flatMap { lo in stride(from: lo + 1, through: n, by: 5).map { lo ..< $0 } })
                ranges += ranges.reversed()  // later reads start in chunks an earlier one kept, or not
                for range in ranges {
                    var out = [UInt8](repeating: 0xAB, count: range.count)
                    try out.withUnsafeMutableBytes { try reader.read(range, into: $0.baseAddress!) }
                    XCTAssertTrue(out.elementsEqual(plain[range]), "\(name), \(threads) threads, \(range)")
                }
            }
        }
    }

    func testReaderFailsLikeOpeningWhole() throws {
        let key = try ChunkedSealTests.hexKey()
        let peer = try ChunkedSealTests.peerFile("chunked-tensors.safetensors")
        let s = peer.sealed, header = ChunkedSeal.headerBytes, stride = peer.chunkSize + 16
        var wrong = key.bytes
        wrong[0] ^= 1
        XCTAssertThrowsError(try ChunkedSeal.Reader(s, key: wrong)) { XCTAssertEqual($0 as? ChunkedSeal.Failure, .authenticationFailed) }
        // The last chunk (6 bytes) dropped: the one before it was not sealed as the last.
        let lastAt = header + 12 * stride
        XCTAssertEqual(s.count, lastAt + 6 + 16)
        XCTAssertThrowsError(try ChunkedSeal.Reader(s.prefix(lastAt), key: key.bytes)) { XCTAssertEqual($0 as? ChunkedSeal.Failure, .authenticationFailed) }
        XCTAssertThrowsError(try ChunkedSeal.Reader(s.prefix(lastAt + 10), key: key.bytes)) {
            XCTAssertEqual($0 as? ChunkedSeal.Failure, .damagedLayout(chunkSize: 40))
        }
        XCTAssertThrowsError(try ChunkedSeal.Reader(s.prefix(20), key: key.bytes)) { XCTAssertEqual($0 as? ChunkedSeal.Failure, .notSealed) }
        // A byte of chunk 9 (plaintext 360..<400) changed: reads that cover it fail and leave
        // zeros, every time; reads beside it do not.
        var changed = s
        changed[header + 9 * stride + 5] ^= 0x20
        let reader = try ChunkedSeal.Reader(changed, key: key.bytes)
        let plain = try peerPlaintexts().first { $0.0 == "chunked-tensors.safetensors" }!.1
        for range in [350 ..< 450, 360 ..< 400, 399 ..< 401, 362 ..< 363, 350 ..< 450] {
            var out = [UInt8](repeating: 0xAB, count: range.count)
            XCTAssertThrowsError(try out.withUnsafeMutableBytes { try reader.read(range, into: $0.baseAddress!) }, "\(range)") {
                XCTAssertEqual($0 as? ChunkedSeal.Failure, .authenticationFailed)
            }
            XCTAssertEqual(out, [UInt8](repeating: 0, count: range.count), "\(range): nothing unauthenticated is left")
        }
        for range in [0 ..< 360, 400 ..< plain.count] {
            var out = [UInt8](repeating: 0, count: range.count)
            try out.withUnsafeMutableBytes { try reader.read(range, into: $0.baseAddress!) }
            XCTAssertTrue(out.elementsEqual(plain[range]), "\(range)")
        }
    }

    /// A sealed checkpoint's tensors (F32 decrypted in place, F16 and BF16 widened) are the
    /// peer's values in any order; a changed chunk fails the read of a tensor in it with the
    /// message of opening whole, leaving zeros, and a cut file fails on opening.
    func testSafetensorsReadsSealedTensorsInPlace() throws {
        let key = try ChunkedSealTests.hexKey()
        let tensors = try XCTUnwrap(try SealedArtifactTests.fixture()["tensors"] as? [String: [String: Any]])
        SealedFiles.use(key.artifactKey)
        let path = ChunkedSealTests.fixtures + "/chunked-tensors.safetensors"
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.entries.map(\.name), ["a", "b", "empty", "c", "d"])
        XCTAssertEqual(file.metadata["format"], "pt")
        for names in [file.entries.map(\.name), file.entries.map(\.name).reversed()] {
            for name in names {
                let expected = try XCTUnwrap(tensors[name]?["values"] as? [Double]).map(Float.init)
                let t = try file.tensor(name)
                XCTAssertEqual(t.shape, try XCTUnwrap(tensors[name]?["shape"] as? [Int]), name)
                XCTAssertEqual(Array(UnsafeBufferPointer(start: t.data, count: t.count)), expected, name)
            }
        }

        let dir = try TinyTask.temporaryDirectory("sealed-in-place")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Data(contentsOf: URL(fileURLWithPath: path)), stride = 40 + 16
        var changed = s
        changed[ChunkedSeal.headerBytes + 9 * stride + 5] ^= 0x20  // inside tensor "a" only
        try changed.write(to: URL(fileURLWithPath: dir + "/changed.safetensors"))
        let opened = try SafetensorsFile(path: dir + "/changed.safetensors")
        var out = [Float](repeating: 7, count: 30)
        XCTAssertThrowsError(try out.withUnsafeMutableBufferPointer { try opened.readFloats("a", into: $0.baseAddress!) }) {
            XCTAssertEqual("\($0)", "\(dir)/changed.safetensors: cannot decrypt the file with the artifact key from test hex key: "
                           + "wrong key, or the file was changed (AES-GCM authentication failed)")
        }
        XCTAssertEqual(out, [Float](repeating: 0, count: 30))
        let c = try opened.tensor("c")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: c.data, count: c.count)), try XCTUnwrap(tensors["c"]?["values"] as? [Double]).map(Float.init))

        try s.prefix(ChunkedSeal.headerBytes + 12 * stride).write(to: URL(fileURLWithPath: dir + "/cut.safetensors"))
        XCTAssertThrowsError(try SafetensorsFile(path: dir + "/cut.safetensors")) {
            XCTAssertEqual("\($0)", "\(dir)/cut.safetensors: cannot decrypt the file with the artifact key from test hex key: "
                           + "wrong key, or the file was changed (AES-GCM authentication failed)")
        }
        SealedFiles.use(nil)
        XCTAssertThrowsError(try SafetensorsFile(path: path)) {
            XCTAssertTrue("\($0)".contains("chunked-tensors.safetensors: the file is encrypted and no artifact key is configured"), "\($0)")
        }
    }

    /// Tensors over several 1 MiB chunks, written sealed and read back in place, are the
    /// tensors written, as the plain file holds them.
    func testSealedCheckpointRoundTripsAcrossChunks() throws {
        let key = try ChunkedSealTests.hexKey()
        let dir = try TinyTask.temporaryDirectory("sealed-round-trip")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        // 700,001 floats (2.8 MB: whole chunks in the middle), then tensors inside one chunk and an empty one.
        let sizes = [700_001, 3, 384, 0, 262_144, 17]
        var tensors: [(name: String, tensor: Tensor)] = []
        for (i, n) in sizes.enumerated() {
            let values: [Float] = (0 ..< n).map { (j: Int) -> Float in Float((j &* 7919 &+ i) % 65_521) * 0.001 - 30 }
            tensors.append((name: "t\(i)", tensor: Tensor(shape: [n], values: values)))
        }
        SealedFiles.use(nil)
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: dir + "/plain.safetensors")
        SealedFiles.use(key.artifactKey)
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: dir + "/sealed.safetensors")
        let sealed = try Data(contentsOf: URL(fileURLWithPath: dir + "/sealed.safetensors"))
        XCTAssertTrue(try ChunkedSeal.open(sealed, key: key.bytes) == (try Data(contentsOf: URL(fileURLWithPath: dir + "/plain.safetensors"))))
        let file = try SafetensorsFile(path: dir + "/sealed.safetensors")
        for (name, tensor) in tensors.reversed() {
            let read = try file.tensor(name)
            XCTAssertEqual(read.shape, tensor.shape)
            XCTAssertTrue(UnsafeBufferPointer(start: read.data, count: read.count).elementsEqual(UnsafeBufferPointer(start: tensor.data, count: tensor.count)), name)
        }
    }
}
