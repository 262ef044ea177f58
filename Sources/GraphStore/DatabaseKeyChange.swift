import CLexgraphCrypt
import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Encrypting, decrypting and re-keying a graph database file. Each writes a complete
/// new file beside the old one (`VACUUM INTO` through the VFS with the new key), makes
/// it durable, and only then renames it over the old file: until that rename the old
/// file stays as it was and opens with its old key; a crash leaves at most the
/// `.rekey` file beside it, which the next run removes.
///
/// Nothing else may write to the database meanwhile (stop `lexgraph serve` first): a
/// commit made by another process during the copy is detected and the change refused.
public enum DatabaseKeyChange {
    /// What a change did, for the command's report.
    public struct Report: Sendable {
        public var pages: Int
        public var bytes: Int64
    }

    /// Re-encrypts the database at `path` from key `old` to key `new` (a fresh salt, so
    /// the old key no longer opens it).
    public static func rotate(path: String, from old: DatabaseKey, to new: DatabaseKey) throws -> Report {
        try rewrite(path: path, from: .key(old), to: new)
    }

    /// Encrypts the plain database at `path` with `key`.
    public static func encrypt(path: String, with key: DatabaseKey) throws -> Report {
        if FileManager.default.fileExists(atPath: path), try DatabaseEncryption.inspect(path, key: nil) == .encrypted {
            throw GraphStoreError(message: "the graph database \(path) is already encrypted: `lexgraph key rotate` changes its key")
        }
        return try rewrite(path: path, from: .noKey, to: key)
    }

    /// Decrypts the database at `path` (encrypted with `key`) into a plain SQLite file.
    public static func decrypt(path: String, with key: DatabaseKey) throws -> Report {
        if FileManager.default.fileExists(atPath: path), try DatabaseEncryption.inspect(path, key: nil) == .plainSQLite {
            throw GraphStoreError(message: "the graph database \(path) is not encrypted: nothing to decrypt")
        }
        return try rewrite(path: path, from: .key(key), to: nil)
    }

    private static func rewrite(path: String, from source: DatabaseKeySetting, to target: DatabaseKey?) throws -> Report {
        guard FileManager.default.fileExists(atPath: path) else {
            throw GraphStoreError(message: "no graph database at \(path)")
        }
        let temporary = path + ".rekey"
        try removeDatabaseFiles(temporary)
        defer { try? removeDatabaseFiles(temporary) }

        var store: GraphStore? = try GraphStore(path: path, mode: .readWrite, key: source)
        let destination = try target.map { try DatabaseEncryption.uri(of: temporary, key: $0) }
            ?? GraphStore.fileURI(of: temporary, parameters: "vfs=\(String(cString: sqlite3_vfs_find(nil).pointee.zName))")
        let version = try store!.database.writeWithoutTransaction { db -> Int in
            if target != nil {
                // The copy gets the encrypted layout: 4096-byte pages, 48 reserved bytes.
                try db.execute(sql: "PRAGMA page_size = \(LGCRYPT_PAGE_SIZE)")
                DatabaseEncryption.reserveBytes(db)
            }
            // Sorts for the copy's indexes stay in memory (no temporary files of the data).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            let before = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
            return before
        }
        // The copy in WAL mode, checked to open with its key, then made durable.
        do {
            let copy = try GraphStore(path: temporary, mode: .readWrite, key: target.map { .key($0) } ?? .noKey)
            try copy.database.writeWithoutTransaction { db in
                _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            try copy.close()
        }
        try synchronize(temporary)
        let pages = try store!.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        // Nothing may be left in the old file's WAL, or SQLite would replay it onto the
        // new file: checkpoint it fully, then close the last connection.
        try store!.database.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA data_version") == version else {
                throw GraphStoreError(message: "the graph database \(path) changed while it was being copied: stop other writers (lexgraph serve, loads) and run the command again")
            }
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            guard (row?[0] as Int?) == 0 else {
                throw GraphStoreError(message: "the graph database \(path) is in use by another process (its WAL could not be checkpointed): stop it and run the command again")
            }
        }
        try store!.close()
        store = nil
        for suffix in ["-wal", "-shm"] {
            let side = path + suffix
            if let size = (try? FileManager.default.attributesOfItem(atPath: side))?[.size] as? Int64, size > 0, suffix == "-wal" {
                throw GraphStoreError(message: "the graph database \(path) is in use by another process (its WAL is not empty): stop it and run the command again")
            }
            try? FileManager.default.removeItem(atPath: side)
        }
        guard rename(temporary, path) == 0 else {
            throw GraphStoreError(message: "cannot replace \(path) with its re-encrypted copy: \(String(cString: strerror(errno)))")
        }
        try synchronize((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0
        return Report(pages: pages, bytes: bytes)
    }

    /// Removes a database file and its -wal/-shm/-journal companions, if any.
    private static func removeDatabaseFiles(_ path: String) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// fsync of a file or folder, so a rename that follows cannot reach the disk first.
    private static func synchronize(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GraphStoreError(message: "cannot open \(path) to flush it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw GraphStoreError(message: "cannot flush \(path) to disk: \(String(cString: strerror(errno)))") }
    }
}

extension GraphStore {
    /// Closes the database connections now (rather than when the store goes away).
    public func close() throws {
        if let queue = database as? DatabaseQueue { try queue.close() }
        else if let pool = database as? DatabasePool { try pool.close() }
    }
}
