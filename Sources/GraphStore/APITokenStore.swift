import GRDB

/// One API token of `lexgraph serve` as the database keeps it: the public id a caller's
/// token starts with, who it is for, its role, and the SHA-256 of its secret part (hex).
/// The secret itself is never stored; the Server module makes and checks tokens, this
/// type only keeps them.
public struct StoredAPIToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: String
    public var secretSHA256: String
    /// ISO 8601 times (UTC); no expiry or revocation is nil.
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?

    public init(id: String, name: String, role: String, secretSHA256: String, createdAt: String,
                expiresAt: String? = nil, revokedAt: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.secretSHA256 = secretSHA256
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    init(row: Row) {
        self.init(id: row["id"], name: row["name"], role: row["role"], secretSHA256: row["secret_sha256"],
                  createdAt: row["created_at"], expiresAt: row["expires_at"], revokedAt: row["revoked_at"])
    }
}

/// The `api_token` table: the only SQL over it. Token rows are not graph data, so these
/// writes skip the ontology check of `GraphStore.write`, each still one transaction, with
/// its audit entry (`audit`) when one is asked for: a token change is recorded or not made.
extension GraphStore {
    /// Stores a new token; an id already in use is an error (ids are random, so this
    /// means a caller bug, not a collision worth retrying silently).
    public func insertAPIToken(_ token: StoredAPIToken, audit: AuditHook? = nil) throws {
        try requireWritable()
        try database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_token WHERE id = ?)", arguments: [token.id]) == true {
                throw GraphStoreError(message: "an API token with id \(token.id) already exists")
            }
            try db.execute(sql: """
                INSERT INTO api_token(id, name, role, secret_sha256, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.id, token.name, token.role, token.secretSHA256, token.createdAt, token.expiresAt, token.revokedAt])
            try audit?(db, "ok: token \(token.id) for '\(token.name)' with the role \(token.role)" + (token.expiresAt.map { ", expires \($0)" } ?? ""))
        }
    }

    /// Every token, oldest first.
    public func apiTokens() throws -> [StoredAPIToken] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY created_at, id").map(StoredAPIToken.init(row:))
        }
    }

    /// The token with this public id, or nil.
    public func apiToken(id: String) throws -> StoredAPIToken? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [id]).map(StoredAPIToken.init(row:))
        }
    }

    /// Marks the token revoked at `time` (a token revoked before keeps its first time)
    /// and returns it as stored now; nil when there is no token with this id.
    public func revokeAPIToken(id: String, at time: String, audit: AuditHook? = nil) throws -> StoredAPIToken? {
        try requireWritable()
        return try database.write { db in
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [time, id])
            let changed = db.changesCount > 0
            guard let token = try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [id]).map(StoredAPIToken.init(row:)) else {
                return nil
            }
            try audit?(db, changed ? "ok: token \(token.id) ('\(token.name)', \(token.role)) revoked" : "ok: token \(token.id) was already revoked at \(token.revokedAt ?? "?")")
            return token
        }
    }

}
