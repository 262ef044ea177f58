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

    /// `magic` + nonce + ciphertext + tag.
    public static func seal<Plaintext: DataProtocol>(_ plaintext: Plaintext, key: SymmetricKey, magic: [UInt8]) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else { throw Failure.authenticationFailed }
        var out = Data(capacity: magic.count + combined.count)
        out.append(contentsOf: magic)
        out.append(combined)
        return out
    }

    /// Whether `data` starts with `magic` and is long enough to hold a sealed box.
    public static func isSealed(_ data: Data, magic: [UInt8]) -> Bool {
        data.count >= magic.count + nonceBytes + tagBytes && data.prefix(magic.count).elementsEqual(magic)
    }

    /// The plaintext of `data` sealed by `seal` with `key` and `magic`.
    public static func open(_ data: Data, key: SymmetricKey, magic: [UInt8]) throws(Failure) -> Data {
        guard isSealed(data, magic: magic) else { throw .notSealed }
        do {
            let box = try AES.GCM.SealedBox(combined: data.dropFirst(magic.count))
            return try AES.GCM.open(box, using: key)
        } catch {
            throw .authenticationFailed
        }
    }
}
