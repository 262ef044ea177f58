import CLexgraphCrypt
import Foundation

/// The one AES-256-GCM sealing of bytes at rest (OpenSSL's libcrypto, see
/// `lexgraph_seal.h`): a format mark, then the 12-byte random nonce, the ciphertext and
/// the 16-byte tag. Masking vaults (`LXVAULT1`) and sealed artifacts (`LXSEAL01`:
/// checkpoints, predictions) both use it; any change to the bytes, or another key, fails
/// authentication and nothing is decrypted. Both directions work in one output buffer
/// with no intermediate copies, since checkpoints run to hundreds of megabytes.
public enum SealedBytes {
    public static let keyBytes = 32
    public static let nonceBytes = 12
    public static let tagBytes = 16

    /// Why `open` failed; callers word the error for their file.
    public enum Failure: Error, Equatable {
        /// The bytes do not start with the mark, or are shorter than mark + nonce + tag.
        case notSealed
        /// The key does not match, or the bytes were changed.
        case authenticationFailed
    }

    /// `magic` + nonce + ciphertext + tag under the 32-byte `key`, with a fresh random nonce.
    public static func seal(_ plaintext: Data, key: [UInt8], magic: [UInt8]) throws(SealingError) -> Data {
        precondition(key.count == keyBytes, "AES-256 takes a 32-byte key")
        let nonceAt = magic.count, cipherAt = nonceAt + nonceBytes, tagAt = cipherAt + plaintext.count
        var out = Data(count: tagAt + tagBytes)
        let status: Int32 = out.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) -> Int32 in
            let o = raw.bindMemory(to: UInt8.self).baseAddress!
            for (i, byte) in magic.enumerated() { o[i] = byte }
            guard lgseal_random(o + nonceAt, nonceBytes) == 0 else { return -1 }
            return plaintext.withUnsafeBytes { (p: UnsafeRawBufferPointer) -> Int32 in
                // An empty Data may have no base address; any valid pointer serves a zero length.
                let plain = p.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(o)
                return lgseal_encrypt(key, o + nonceAt, plain, plaintext.count, o + cipherAt, o + tagAt)
            }
        }
        guard status == 0 else { throw SealingError("AES-GCM encryption failed in libcrypto") }
        return out
    }

    /// Whether `data` starts with `magic` and is long enough to hold a sealed box.
    public static func isSealed(_ data: Data, magic: [UInt8]) -> Bool {
        data.count >= magic.count + nonceBytes + tagBytes && data.prefix(magic.count).elementsEqual(magic)
    }

    /// The plaintext of `data` sealed by `seal` with `key` and `magic`.
    public static func open(_ data: Data, key: [UInt8], magic: [UInt8]) throws(Failure) -> Data {
        guard isSealed(data, magic: magic), key.count == keyBytes else { throw .notSealed }
        let length = data.count - magic.count - nonceBytes - tagBytes
        var plain = Data(count: length)
        let status: Int32 = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32 in
            let d = raw.bindMemory(to: UInt8.self).baseAddress!
            let nonce = d + magic.count, cipher = nonce + nonceBytes, tag = cipher + length
            return plain.withUnsafeMutableBytes { (p: UnsafeMutableRawBufferPointer) -> Int32 in
                var empty: UInt8 = 0
                guard let out = p.bindMemory(to: UInt8.self).baseAddress else {
                    return lgseal_decrypt(key, nonce, cipher, 0, tag, &empty)
                }
                return lgseal_decrypt(key, nonce, cipher, length, tag, out)
            }
        }
        guard status == 0 else { throw .authenticationFailed }
        return plain
    }
}
