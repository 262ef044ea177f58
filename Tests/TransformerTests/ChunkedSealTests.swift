import Foundation
import Sealing
import TestRequirements
import Transformer
import XCTest

/// Chunked sealing (`LXSEAL02`) against files a peer sealed (Python `cryptography`,
/// `tools/make_sealing_fixtures.py`): the same key, chunk size and base nonce give the same
/// bytes here, whatever the thread count; every way of moving, dropping or changing a
/// chunk or the header fails authentication.
final class ChunkedSealTests: XCTestCase {
    static let fixtures = SealedArtifactTests.fixtures

    override func tearDown() {
        SealedFiles.reset()
        super.tearDown()
    }

    struct PeerFile {
        var sealed: Data
        var chunkSize: Int
        var baseNonce: [UInt8]
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
    }

    static func peerFile(_ name: String) throws -> PeerFile {
        let f = try SealedArtifactTests.fixture()
        let sizes = try XCTUnwrap(f["chunk_sizes"] as? [String: Int])
        let nonces = try XCTUnwrap(f["base_nonces_hex"] as? [String: String])
        return PeerFile(sealed: try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + name)),
                        chunkSize: try XCTUnwrap(sizes[name]), baseNonce: Self.bytes(hex: try XCTUnwrap(nonces[name])))
    }

    /// The fixtures' key: 64 hex digits are the key itself.
    struct Key {
        var bytes: [UInt8]
        var artifactKey: ArtifactKey
    }

    static func hexKey() throws -> Key {
        let hex = try XCTUnwrap(try SealedArtifactTests.fixture()["hex_key"] as? String)
        return Key(bytes: Self.bytes(hex: hex), artifactKey: try ArtifactKey(material: Array(hex.utf8), source: "test hex key"))
    }

    func testPeerChunkedFilesOpenAndSealToTheSameBytes() throws {
        let key = try Self.hexKey()
        // The peer sealed the same safetensors image whole (LXSEAL01) and in chunks.
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/hexkey.safetensors"))
        let image = try SealedBytes.open(whole, key: key.bytes, magic: SealedFiles.wholeMagic)
        let plaintexts: [(String, Data)] = [
            ("chunked.safetensors", image),
            ("chunked-even.bin", Data((0 ..< 64).map { UInt8($0) })),
            ("chunked-empty.bin", Data()),
        ]
        for (name, plain) in plaintexts {
            let peer = try Self.peerFile(name)
            XCTAssertEqual(try ChunkedSeal.open(peer.sealed, key: key.bytes), plain, name)
            for threads in [1, 2, 3, 8] {
                let ours = try ChunkedSeal.seal(plain, key: key.bytes, chunkSize: peer.chunkSize, baseNonce: peer.baseNonce, threads: threads)
                XCTAssertEqual(ours, peer.sealed, "\(name), \(threads) threads")
                XCTAssertEqual(try ChunkedSeal.open(peer.sealed, key: key.bytes, threads: threads), plain, "\(name), \(threads) threads")
            }
        }

        // Through the artifact reader: the tensor's values, as from the whole-sealed file.
        let f = try SealedArtifactTests.fixture()
        SealedFiles.use(key.artifactKey)
        let file = try SafetensorsFile(path: Self.fixtures + "/chunked.safetensors")
        let t = try file.tensor("weights")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: t.data, count: t.count)), try XCTUnwrap(f["values"] as? [Double]).map(Float.init))
    }

    /// A fresh seal round-trips at the default chunk size across chunk boundaries, with a
    /// new base nonce each time, and artifacts are written in this format.
    func testRoundTripAndWrittenFormat() throws {
        let key = try Self.hexKey()
        for length in [0, 1, ChunkedSeal.defaultChunkSize - 1, ChunkedSeal.defaultChunkSize, 3 * ChunkedSeal.defaultChunkSize + 17] {
            // Bytes that differ from chunk to chunk (a multiplicative hash of the offset).
            var plain = Data(count: length)
            plain.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
                for i in 0 ..< length { raw[i] = UInt8(truncatingIfNeeded: (UInt32(truncatingIfNeeded: i) &* 2_654_435_761) >> 13) }
            }
            let a = try ChunkedSeal.seal(plain, key: key.bytes), b = try ChunkedSeal.seal(plain, key: key.bytes)
            XCTAssertNotEqual(a.prefix(ChunkedSeal.headerBytes), b.prefix(ChunkedSeal.headerBytes), "a fresh base nonce per file")
            XCTAssertEqual(a.count, ChunkedSeal.headerBytes + length + max(1, (length + ChunkedSeal.defaultChunkSize - 1) / ChunkedSeal.defaultChunkSize) * 16)
            XCTAssertEqual(try ChunkedSeal.open(a, key: key.bytes), plain, "length \(length)")
            XCTAssertEqual(try ChunkedSeal.open(b, key: key.bytes, threads: 1), plain, "length \(length)")
        }
        let dir = try TinyTask.temporaryDirectory("chunked")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        SealedFiles.use(key.artifactKey)
        try SealedFiles.write(Data("a prediction line\n".utf8), to: dir + "/p.jsonl")
        let written = try Data(contentsOf: URL(fileURLWithPath: dir + "/p.jsonl"))
        XCTAssertEqual(Array(written.prefix(8)), ChunkedSeal.magic)
        XCTAssertEqual(try SealedFiles.read(dir + "/p.jsonl"), Data("a prediction line\n".utf8))
    }

    /// Chunks swapped, a last chunk dropped at a chunk boundary, a chunk from another file,
    /// a changed header (chunk size or nonce), a changed byte, a wrong key: each fails, and
    /// a body that no chunk size can describe is named as damaged.
    func testMovedDroppedOrChangedChunksFail() throws {
        let key = try Self.hexKey()
        let peer = try Self.peerFile("chunked.safetensors")
        let header = ChunkedSeal.headerBytes, stride = peer.chunkSize + 16
        let s = peer.sealed
        func chunk(_ i: Int) -> Data { s.subdata(in: header + i * stride ..< min(s.count, header + (i + 1) * stride)) }
        let h = s.prefix(header)
        // The same plaintext sealed again under the same key: another file, another base nonce.
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/hexkey.safetensors"))
        let other = try ChunkedSeal.seal(try SealedBytes.open(whole, key: key.bytes, magic: SealedFiles.wholeMagic), key: key.bytes,
                                         chunkSize: peer.chunkSize)
        var changedSize = s
        changedSize[8] = 32
        var changedNonce = s
        changedNonce[15] ^= 1
        var changedByte = s
        changedByte[header + stride + 3] ^= 0x80
        let cases: [(String, Data)] = [
            ("first two chunks swapped", h + chunk(1) + chunk(0) + chunk(2)),
            ("last chunk dropped", h + chunk(0) + chunk(1)),
            ("a chunk from another file", h + other.subdata(in: header ..< header + stride) + chunk(1) + chunk(2)),
            ("chunk size changed in the header", changedSize),
            ("nonce changed in the header", changedNonce),
            ("a byte of the second chunk changed", changedByte),
        ]
        for (what, bytes) in cases {
            XCTAssertThrowsError(try ChunkedSeal.open(bytes, key: key.bytes), what) { error in
                XCTAssertTrue([.authenticationFailed, .damagedLayout(chunkSize: 32)].contains(error as? ChunkedSeal.Failure), "\(what): \(error)")
            }
        }
        var wrong = key.bytes
        wrong[0] ^= 1
        XCTAssertThrowsError(try ChunkedSeal.open(s, key: wrong)) { XCTAssertEqual($0 as? ChunkedSeal.Failure, .authenticationFailed) }
        // Cut 10 bytes into the third chunk: too short for its tag, so no layout fits.
        let cut = s.prefix(header + 2 * stride + 10)
        XCTAssertThrowsError(try ChunkedSeal.open(cut, key: key.bytes)) {
            XCTAssertEqual($0 as? ChunkedSeal.Failure, .damagedLayout(chunkSize: 48))
        }
        XCTAssertThrowsError(try ChunkedSeal.open(s.prefix(30), key: key.bytes)) { XCTAssertEqual($0 as? ChunkedSeal.Failure, .notSealed) }

        // The artifact reader names the file and the fault.
        let dir = try TinyTask.temporaryDirectory("chunked-bad")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try (h + chunk(1) + chunk(0) + chunk(2)).write(to: URL(fileURLWithPath: dir + "/swapped.safetensors"))
        try cut.write(to: URL(fileURLWithPath: dir + "/cut.safetensors"))
        SealedFiles.use(key.artifactKey)
        XCTAssertThrowsError(try SafetensorsFile(path: dir + "/swapped.safetensors")) {
            XCTAssertEqual("\($0)", "\(dir)/swapped.safetensors: cannot decrypt the file with the artifact key from test hex key: "
                           + "wrong key, or the file was changed (AES-GCM authentication failed)")
        }
        XCTAssertThrowsError(try SafetensorsFile(path: dir + "/cut.safetensors")) {
            XCTAssertEqual("\($0)", "\(dir)/cut.safetensors: the encrypted file is truncated or damaged: 162 bytes do not hold "
                           + "chunks of 48 bytes as its header says")
        }
    }
}
