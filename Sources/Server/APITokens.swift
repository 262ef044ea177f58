import Crypto
import Foundation
import GraphStore

/// The service's API tokens: made, listed, revoked (by `lexgraph token`) and checked on
/// every request (by `AuthMiddleware`).
///
/// A token reads `lgx_ID_SECRET`: `ID` (12 hex digits) names its row, `SECRET` (64 hex
/// digits, 256 random bits) proves it. The database keeps the SHA-256 of the secret, so a
/// copy of the database lets nobody call the service, and a request is checked by
/// hashing what it presents and comparing the digests in constant time (a comparison
/// that stops at the first differing byte would tell an attacker how much was right).
public struct APITokens: Sendable {
    public let store: GraphStore

    public init(store: GraphStore) { self.store = store }

    static let prefix = "lgx_"

    /// A token as `lexgraph token create` hands it out: the stored row and the one
    /// time the whole token is shown.
    public struct Issued: Sendable {
        public var stored: StoredAPIToken
        public var token: String
    }

    /// Makes and stores a token for `name` with `role`, valid for `lifetime` seconds
    /// (nil: until revoked).
    /// `audit` records the change in the same transaction (the CLI passes the audit chain's hook).
    public func create(name: String, role: Role, lifetime: TimeInterval? = nil, audit: AuditHook? = nil) throws -> Issued {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ServerError("a token needs a name (who or what uses it), got an empty one") }
        guard !trimmed.contains(where: { $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) else {
            throw ServerError("a token name must be one line without control characters")
        }
        if let lifetime, !(lifetime.isFinite && lifetime > 0) {
            throw ServerError("a token's lifetime must be a positive number of seconds, got \(lifetime)")
        }
        let id = APITokens.hex(APITokens.randomBytes(6))
        let secret = APITokens.hex(APITokens.randomBytes(32))
        let stored = StoredAPIToken(id: id, name: trimmed, role: role.rawValue, secretSHA256: APITokens.hex(APITokens.digest(secret)),
                                    createdAt: APITokens.now(), expiresAt: lifetime.map { APITokens.time(Date().addingTimeInterval($0)) })
        try store.insertAPIToken(stored, audit: audit)
        return Issued(stored: stored, token: APITokens.prefix + id + "_" + secret)
    }

    /// Every token, oldest first (no secrets: there are none to show).
    public func list() throws -> [StoredAPIToken] { try store.apiTokens() }

    /// Revokes the token with this id (a whole token is accepted too, and reduced to its
    /// id). Revoking twice keeps the first time. An unknown id is an error.
    public func revoke(_ idOrToken: String, audit: AuditHook? = nil) throws -> StoredAPIToken {
        let id = APITokens.parse(idOrToken)?.id ?? idOrToken
        guard let revoked = try store.revokeAPIToken(id: id, at: APITokens.now(), audit: audit) else {
            throw ServerError("no API token with id '\(id)': `lexgraph token list` shows them")
        }
        return revoked
    }

    /// Who a request is: the token's row and role.
    public struct Principal: Sendable {
        public var tokenID: String
        public var name: String
        public var role: Role
    }

    /// Why a presented token was refused (each a 401, except an unusable role).
    public enum Refusal: Error, Equatable {
        case missing
        case malformed
        case unknown
        case revoked(id: String, at: String)
        case expired(id: String, at: String)
        case badRole(id: String, role: String)

        public var message: String {
            switch self {
            case .missing: return "no API token: send the header 'Authorization: Bearer TOKEN' (`lexgraph token create` makes one)"
            case .malformed: return "the Authorization header is not 'Bearer lgx_ID_SECRET'"
            case .unknown: return "unknown API token"
            case .revoked(let id, let at): return "API token \(id) was revoked at \(at)"
            case .expired(let id, let at): return "API token \(id) expired at \(at)"
            case .badRole(let id, let role): return "API token \(id) has the role '\(role)', which this server does not know"
            }
        }
    }

    /// Checks the `Authorization` header value of a request.
    public func authenticate(authorization: String?) throws -> Principal {
        guard let header = authorization?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { throw Refusal.missing }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let presented = APITokens.parse(parts[1].trimmingCharacters(in: .whitespaces)) else { throw Refusal.malformed }
        let stored = try store.apiToken(id: presented.id)
        // Hash and compare even for an unknown id, so both take the same time.
        let expected = stored.flatMap { APITokens.bytes(hex: $0.secretSHA256) } ?? [UInt8](repeating: 0, count: 32)
        let matches = APITokens.constantTimeEqual(APITokens.digest(presented.secret), expected)
        guard let stored, matches else { throw Refusal.unknown }
        if let at = stored.revokedAt { throw Refusal.revoked(id: stored.id, at: at) }
        if let at = stored.expiresAt, APITokens.date(at).map({ $0 <= Date() }) ?? true { throw Refusal.expired(id: stored.id, at: at) }
        guard let role = Role(rawValue: stored.role) else { throw Refusal.badRole(id: stored.id, role: stored.role) }
        return Principal(tokenID: stored.id, name: stored.name, role: role)
    }

    /// `lgx_ID_SECRET` split into its parts, or nil when the text is not of that form.
    static func parse(_ token: String) -> (id: String, secret: String)? {
        guard token.hasPrefix(prefix) else { return nil }
        let rest = token.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard rest.count == 2, rest[0].count == 12, rest[1].count == 64,
              rest.allSatisfy({ $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return (String(rest[0]), String(rest[1]))
    }

    /// SHA-256 of a token's secret part, as stored (hex) by `create`.
    public static func digest(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }

    /// Equal length and bytes, looking at every byte whatever the first difference.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        // SymmetricKey draws from the system's cryptographic random source.
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    static func now() -> String { time(Date()) }

    /// ISO 8601 in UTC to the second, as the table keeps times.
    public static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A stored time read back; nil for text that is not one (an expiry that cannot be
    /// read counts as passed).
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
