import Crypto
import Foundation

/// The one AES-256-GCM sealing of bytes at rest (swift-crypto): a format mark, then the
/// 12-byte random nonce, the ciphertext and the 16-byte tag. Masking vaults (`LXVAULT1`)
/// and sealed artifacts (`LXSEAL01`: checkpoints, predictions) both use it; any change to
/// the bytes, or another key, fails authentication and nothing is decrypted.
public enum SealedBytes {
    public static let nonceBytes = 12
    public static let tagBytes = 16

    /// Why `open` failed; callers word the error for their file.
    public enum Failure: Error, Equatable {
        /// The bytes do not start with the mark, or are shorter than mark + nonce + tag.
        case notSealed
        /// The key does not match, or the bytes were changed.
        case authenticationFailed
    }

    /// `magic` + nonce + ciphertext + tag. Built from the box's parts with whole-buffer
    /// copies (its `combined` form and generic byte sequences copy byte by byte).
    public static func seal(_ plaintext: Data, key: SymmetricKey, magic: [UInt8]) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key)
        var out = Data(capacity: magic.count + nonceBytes + box.ciphertext.count + tagBytes)
        out.append(contentsOf: magic)
        box.nonce.withUnsafeBytes { out.append(contentsOf: $0) }
        out.append(box.ciphertext)
        out.append(box.tag)
        return out
    }

    /// Whether `data` starts with `magic` and is long enough to hold a sealed box.
    public static func isSealed(_ data: Data, magic: [UInt8]) -> Bool {
        data.count >= magic.count + nonceBytes + tagBytes && data.prefix(magic.count).elementsEqual(magic)
    }

    /// The plaintext of `data` sealed by `seal` with `key` and `magic`.
    public static func open(_ data: Data, key: SymmetricKey, magic: [UInt8]) throws(Failure) -> Data {
        guard isSealed(data, magic: magic) else { throw .notSealed }
        let nonceStart = data.startIndex + magic.count, nonceEnd = nonceStart + nonceBytes, tagStart = data.endIndex - tagBytes
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: data.subdata(in: nonceStart..<nonceEnd)),
                                            ciphertext: data.subdata(in: nonceEnd..<tagStart), tag: data.subdata(in: tagStart..<data.endIndex))
            return try AES.GCM.open(box, using: key)
        } catch {
            throw .authenticationFailed
        }
    }
}
