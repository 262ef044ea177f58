import Foundation
import GraphStore
import LexgraphCore
import XCTest
import Server

/// API tokens over real HTTP: health needs none; every other route refuses a missing,
/// malformed, unknown or revoked token with 401 and a role below its minimum with 403,
/// each with a JSON body naming the problem.
final class AuthTests: XCTestCase {
    func testHealthNeedsNoTokenAndHasTheKServeShape() async throws {
        let s = try await startServer()
        let live = try await s.request("GET", "/v2/health/live")
        XCTAssertEqual(live.status, 200, "\(live)")
        XCTAssertEqual(live.json["live"] as? Bool, true, "\(live)")
        XCTAssertTrue(live.header("Content-Type")?.hasPrefix("application/json") ?? false, "\(live)")
        let ready = try await s.request("GET", "/v2/health/ready")
        XCTAssertEqual(ready.status, 200, "\(ready)")
        XCTAssertEqual(ready.json["ready"] as? Bool, true, "\(ready)")
    }

    func testEveryRefusedTokenIs401WithAJSONReason() async throws {
        let s = try await startServer()
        let statement = try JSONSerialization.data(withJSONObject: ["statements": [["statement": "RETURN 1"]]])
        for path in ["/db/lexgraph/tx/commit", "/metrics", "/v1/tokens"] {
            let method = path.hasPrefix("/db") ? "POST" : "GET"
            let none = try await s.request(method, path, body: method == "POST" ? statement : nil)
            XCTAssertEqual(none.status, 401, "\(path): \(none)")
            XCTAssertEqual(none.error["code"] as? String, "Unauthorized", "\(none)")
            XCTAssertEqual(none.error["status"] as? Int, 401, "\(none)")
            XCTAssertTrue((none.error["message"] as? String ?? "").contains("no API token"), "\(none)")
            XCTAssertEqual(none.header("WWW-Authenticate"), "Bearer realm=\"lexgraph\"", "\(none)")
        }
        let malformed = try await s.request("GET", "/metrics", headers: ["Authorization": "Basic dXNlcjpwYXNz"])
        XCTAssertEqual(malformed.status, 401, "\(malformed)")
        XCTAssertTrue((malformed.error["message"] as? String ?? "").contains("not 'Bearer lgx_ID_SECRET'"), "\(malformed)")
        // The right id with a wrong secret is as unknown as a made-up token.
        let reader = s.tokens[.reader]!
        let wrongSecret = String(reader.dropLast(4)) + (reader.hasSuffix("0000") ? "1111" : "0000")
        for token in [wrongSecret, "lgx_000000000000_" + String(repeating: "ab", count: 32)] {
            let unknown = try await s.request("GET", "/metrics", token: token)
            XCTAssertEqual(unknown.status, 401, "\(unknown)")
            XCTAssertEqual(unknown.error["message"] as? String, "unknown API token", "\(unknown)")
        }
        let revoked = try await s.request("GET", "/metrics", token: s.revokedToken)
        XCTAssertEqual(revoked.status, 401, "\(revoked)")
        XCTAssertTrue((revoked.error["message"] as? String ?? "").contains("was revoked at"), "\(revoked)")
        // A token past its expiry (stored as `token create --expires-in-days` would, with
        // a time already gone), and one with time left.
        let store = try GraphStore(path: s.databasePath, mode: .readWrite)
        let secret = String(repeating: "5a", count: 32)
        try store.insertAPIToken(StoredAPIToken(id: "0123456789ab", name: "old", role: "admin", secretSHA256: APITokens.hex(APITokens.digest(secret)),
                                                createdAt: "2020-01-01T00:00:00Z", expiresAt: "2020-02-01T00:00:00Z"))
        let expired = try await s.request("GET", "/metrics", token: "lgx_0123456789ab_" + secret)
        XCTAssertEqual(expired.status, 401, "\(expired)")
        XCTAssertEqual(expired.error["message"] as? String, "API token 0123456789ab expired at 2020-02-01T00:00:00Z", "\(expired)")
        let current = try APITokens(store: store).create(name: "for an hour", role: .reader, lifetime: 3600)
        XCTAssertNotNil(current.stored.expiresAt)
        let fine = try await s.request("GET", "/metrics", token: current.token)
        XCTAssertEqual(fine.status, 200, "\(fine)")
    }

    func testRevokingTakesEffectOnTheNextRequest() async throws {
        let s = try await startServer()
        let store = try GraphStore(path: s.databasePath, mode: .readWrite)
        let issued = try APITokens(store: store).create(name: "short-lived", role: .reader)
        let before = try await s.request("GET", "/metrics", token: issued.token)
        XCTAssertEqual(before.status, 200, "\(before)")
        _ = try APITokens(store: store).revoke(issued.stored.id)
        let after = try await s.request("GET", "/metrics", token: issued.token)
        XCTAssertEqual(after.status, 401, "\(after)")
        XCTAssertTrue((after.error["message"] as? String ?? "").contains("API token \(issued.stored.id) was revoked"), "\(after)")
    }

    func testARoleBelowTheRoutesIs403AndAdminSeesTokensWithoutSecrets() async throws {
        let s = try await startServer()
        for role in [Role.reader, .analyst, .curator] {
            let refused = try await s.request("GET", "/v1/tokens", token: s.tokens[role])
            XCTAssertEqual(refused.status, 403, "\(role): \(refused)")
            XCTAssertEqual(refused.error["code"] as? String, "Forbidden", "\(refused)")
            XCTAssertTrue((refused.error["message"] as? String ?? "").contains("needs the role admin or higher"), "\(refused)")
            XCTAssertTrue((refused.error["message"] as? String ?? "").contains("has the role \(role.rawValue)"), "\(refused)")
        }
        let listed = try await s.request("GET", "/v1/tokens", token: s.tokens[.admin])
        XCTAssertEqual(listed.status, 200, "\(listed)")
        let tokens = listed.json["tokens"] as? [[String: Any]] ?? []
        XCTAssertEqual(tokens.count, 5, "\(listed)")
        XCTAssertEqual(Set(tokens.compactMap { $0["role"] as? String }), Set(Role.allCases.map(\.rawValue)))
        XCTAssertEqual(tokens.filter { !($0["revoked_at"] is NSNull) }.count, 1, "\(listed)")
        // Neither a token nor its hash leaves the server.
        let stored = try GraphStore(path: s.databasePath, mode: .readOnly).apiTokens()
        for (token, row) in zip(s.tokens.values, stored) {
            XCTAssertFalse(listed.text.contains(String(token.suffix(64))))
            XCTAssertFalse(listed.text.contains(row.secretSHA256))
        }
    }
}

/// The token scheme itself, without HTTP.
final class APITokenTests: XCTestCase {
    func testTokensAreStoredAsTheSHA256OfTheirSecret() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-tokens-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try ServerHarness.legalStore(at: path)
        let tokens = APITokens(store: store)
        let issued = try tokens.create(name: "alice", role: .analyst)
        let parts = issued.token.split(separator: "_")
        XCTAssertEqual(parts.count, 3, issued.token)
        XCTAssertEqual(parts[0], "lgx")
        XCTAssertEqual(String(parts[1]), issued.stored.id)
        XCTAssertEqual(parts[2].count, 64)
        // The stored hash is SHA-256 of the secret, as Python's hashlib computes it:
        // hashlib.sha256(b"abc").hexdigest() (FIPS 180-2's test vector).
        XCTAssertEqual(APITokens.hex(APITokens.digest("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(issued.stored.secretSHA256, APITokens.hex(APITokens.digest(String(parts[2]))))
        // swift-crypto agrees with LexgraphCore's own SHA-256 (ontology checksums).
        XCTAssertEqual(APITokens.digest(String(parts[2])), Checksum.sha256(Array(parts[2].utf8)))
        XCTAssertFalse(try store.apiTokens().contains { $0.secretSHA256.contains(String(parts[2])) })
        let principal = try tokens.authenticate(authorization: "Bearer \(issued.token)")
        XCTAssertEqual(principal.role, .analyst)
        XCTAssertEqual(principal.name, "alice")
        XCTAssertThrowsError(try tokens.create(name: "  ", role: .reader))
        XCTAssertThrowsError(try Role.named("boss")) { error in
            XCTAssertEqual("\(error)", "unknown role 'boss': use one of reader, analyst, curator, admin")
        }
    }

    func testConstantTimeComparison() {
        XCTAssertTrue(APITokens.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(APITokens.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(APITokens.constantTimeEqual([9, 2, 3], [1, 2, 3]))
        XCTAssertFalse(APITokens.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
