import Crypto
import Foundation

/// PBKDF2-HMAC-SHA256 (RFC 8018) for one 32-byte block, over swift-crypto's HMAC: how a
/// passphrase becomes an artifact key. Checked against Python's `hashlib.pbkdf2_hmac`
/// (`tools/make_sealing_fixture.py`).
enum PBKDF2 {
    static func sha256(password: [UInt8], salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var out = u
        if rounds > 1 {
            for _ in 1..<rounds {
                u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
                for i in 0..<out.count { out[i] ^= u[i] }
            }
        }
        return out
    }
}
