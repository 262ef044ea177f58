import Foundation
import XCTest
import Compliance

final class VaultTests: XCTestCase {
    private func contents() throws -> VaultContents {
        var masker = try Masker(policy: MaskingPolicy())
        _ = masker.mask("Petitioner Philomena Quackenbush called (217) 555-0143.")
        return masker.vault
    }

    func testSealedVaultOpensOnlyWithItsKeyAndNamesNoPlaintext() throws {
        let key = try VaultKey(data: Data(VaultKey.generateText().utf8), source: "test")
        let other = try VaultKey(data: Data(VaultKey.generateText().utf8), source: "test")
        let vault = try contents()
        let sealed = try Vault.seal(vault, key: key)
        XCTAssertEqual(Array(sealed.prefix(8)), Array("LXVAULT1".utf8))
        XCTAssertNil(sealed.range(of: Data("Quackenbush".utf8)))
        XCTAssertEqual(try Vault.open(sealed, key: key, file: "v.vault"), vault)

        XCTAssertThrowsError(try Vault.open(sealed, key: other, file: "v.vault")) { error in
            XCTAssertEqual("\(error)", "cannot open the vault v.vault: the key does not match it, or the file was changed (AES-GCM authentication failed)")
        }
        var flipped = sealed
        flipped[flipped.count - 20] ^= 1
        XCTAssertThrowsError(try Vault.open(flipped, key: key, file: "v.vault")) { error in
            XCTAssertTrue("\(error)".contains("AES-GCM authentication failed"), "\(error)")
        }
        XCTAssertThrowsError(try Vault.open(sealed.prefix(30), key: key, file: "v.vault")) { error in
            XCTAssertEqual("\(error)", "v.vault is not a Lexgraph vault, or is truncated (30 bytes)")
        }
    }

    func testKeyFormsAndBadKeys() throws {
        let hex = String(repeating: "ab", count: 32)
        XCTAssertNoThrow(try VaultKey(data: Data(hex.utf8), source: "k"))
        XCTAssertNoThrow(try VaultKey(data: Data((hex + "\n").utf8), source: "k"))
        XCTAssertNoThrow(try VaultKey(data: Data(Data(repeating: 7, count: 32).base64EncodedString().utf8), source: "k"))
        XCTAssertNoThrow(try VaultKey(data: Data(repeating: 200, count: 32), source: "k"))
        XCTAssertThrowsError(try VaultKey(data: Data("secret-password".utf8), source: "$LEXGRAPH_VAULT_KEY")) { error in
            XCTAssertFalse("\(error)".contains("secret-password"), "the key must not be echoed: \(error)")
            XCTAssertTrue("\(error)".hasPrefix("the vault key from $LEXGRAPH_VAULT_KEY is not a 256-bit key (15 bytes)"), "\(error)")
        }
        XCTAssertThrowsError(try VaultKey.load(file: nil, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("pass --key-file PATH or set LEXGRAPH_VAULT_KEY"), "\(error)")
        }
    }
}
