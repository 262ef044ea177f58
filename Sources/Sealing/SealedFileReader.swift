import Foundation

/// A chunk-sealed artifact opened for reads of parts of its plaintext (`SealedFiles.reader`):
/// `ChunkedSeal.Reader` with its failures worded, naming the file, as `SealedFiles.decode`
/// words them, so a changed chunk found while loading a tensor reads like one found on opening.
public struct SealedFileReader: Sendable {
    let reader: ChunkedSeal.Reader
    let bytes: Int
    let key: ArtifactKey
    let path: String

    /// The plaintext's length in bytes.
    public var length: Int { reader.length }

    /// Decrypts plaintext bytes `range` into `destination` (`range.count` bytes); on a
    /// failure the range is left zeroed.
    public func read(_ range: Range<Int>, into destination: UnsafeMutableRawPointer) throws(SealingError) {
        do throws(ChunkedSeal.Failure) { try reader.read(range, into: destination) } catch {
            throw SealedFiles.failure(error, bytes: bytes, key: key, path: path)
        }
    }

    /// Plaintext bytes `range` as an array.
    public func bytes(_ range: Range<Int>) throws(SealingError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: range.count)
        var failure: SealingError?
        out.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            do throws(SealingError) { try read(range, into: base) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }
}
