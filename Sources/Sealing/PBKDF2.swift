import CLexgraphCrypt

/// PBKDF2-HMAC-SHA256 (RFC 8018) for one 32-byte block, through libcrypto: how a
/// passphrase becomes an artifact key. Checked against Python's `hashlib.pbkdf2_hmac`
/// (`tools/make_sealing_fixtures.py`).
enum PBKDF2 {
    static func sha256(password: [UInt8], salt: [UInt8], rounds: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let status = lgseal_pbkdf2_sha256(password, password.count, salt, salt.count, UInt32(rounds), &out)
        precondition(status == 0, "PBKDF2 failed in libcrypto")
        return out
    }
}
