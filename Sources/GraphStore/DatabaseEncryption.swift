import CLexgraphCrypt
import Foundation
import GRDB
import GRDBSQLite

/// How an encrypted database file is opened: through the `lexgraph-aes` VFS of
/// CLexgraphCrypt (AES-256-GCM per page, see its .c file for the route chosen and the
/// layout), named in a SQLite URI with a handle to the registered key (never the key).
enum DatabaseEncryption {
    /// What a database file holds, from its first page.
    enum FileState: Equatable {
        case empty
        case plainSQLite
        /// Carries the encrypted-database mark, not checked against a key.
        case encrypted
        /// Encrypted, and the key given decrypts page 1.
        case decrypts
        case wrongKey
        case truncated(size: Int64, pages: Int64)
        case unknown
        case unreadable(errno: Int32)
    }

    /// Registers the VFS and `key`; the handle for the URI.
    static func register(_ key: DatabaseKey) throws -> Int32 {
        // GRDB opens without SQLITE_OPEN_URI: URIs work when SQLite was built to accept them.
        guard sqlite3_compileoption_used("USE_URI") == 1 else {
            throw GraphStoreError(message: "this SQLite library was built without SQLITE_USE_URI; encrypted databases are opened through a URI")
        }
        let rc = lgcrypt_register_vfs()
        guard rc == SQLITE_OK else { throw GraphStoreError(message: "cannot register the encrypting SQLite VFS (SQLite code \(rc))") }
        let handle = key.material.withUnsafeBufferPointer { lgcrypt_register_key($0.baseAddress, Int32($0.count)) }
        guard handle > 0 else { throw GraphStoreError(message: "cannot keep the database key from \(key.source) (too many keys in one process)") }
        return handle
    }

    /// Looks at `path`'s first page; with `key`, whether it decrypts.
    static func inspect(_ path: String, key: DatabaseKey?) throws -> FileState {
        let handle = try key.map(register) ?? 0
        var size: Int64 = 0, pages: Int64 = 0
        let state = lgcrypt_inspect(path, handle, &size, &pages)
        switch Int(state) {
        case Int(LGCRYPT_FILE_EMPTY): return .empty
        case Int(LGCRYPT_FILE_PLAIN_SQLITE): return .plainSQLite
        case Int(LGCRYPT_FILE_ENCRYPTED): return .encrypted
        case Int(LGCRYPT_FILE_ENCRYPTED_OK):
            // Short of whole pages, or of the pages its header records, with no WAL that
            // could hold the rest (a checkpoint cut short by a crash): truncated.
            let page = Int64(LGCRYPT_PAGE_SIZE)
            let walSize = ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int64) ?? 0
            if walSize == 0 && (size % page != 0 || size < pages * page) { return .truncated(size: size, pages: size % page != 0 ? 0 : pages) }
            return .decrypts
        case Int(LGCRYPT_FILE_WRONG_KEY): return .wrongKey
        case Int(LGCRYPT_FILE_TRUNCATED): return .truncated(size: size, pages: pages)
        case Int(LGCRYPT_FILE_UNKNOWN): return .unknown
        default: return .unreadable(errno: errno)
        }
    }

    /// Whether `path` is to be opened encrypted, and with which key: nil for a plain
    /// file opened as before. Every refusal is a one-line error naming the file and where
    /// the key came from, never the key or any page content.
    static func resolve(_ path: String, mode: GraphStore.OpenMode, setting: DatabaseKeySetting) throws -> DatabaseKey? {
        var key: DatabaseKey?
        switch setting {
        case .noKey: key = nil
        case .key(let given): key = given
        case .environment: key = try DatabaseKey.environment()
        }
        let exists = FileManager.default.fileExists(atPath: path)
        var state: FileState = exists ? try inspect(path, key: key) : .empty
        if key == nil {
            guard state == .encrypted else { return nil }
            if case .environment = setting, let typed = try DatabaseKey.prompt(for: path) {
                key = typed
                state = try inspect(path, key: typed)
            } else {
                throw GraphStoreError(message: "the graph database \(path) is encrypted and no key was given: set \(DatabaseKey.fileVariable) to a key file (or \(DatabaseKey.variable) to the key)")
            }
        }
        guard let key else { return nil }
        switch state {
        case .empty, .decrypts:
            return key
        case .plainSQLite:
            throw GraphStoreError(message: "the graph database \(path) is not encrypted, but a key was given (\(key.source)): run `lexgraph key encrypt --db \(path)` to encrypt it, or open it without a key")
        case .wrongKey, .encrypted:
            throw GraphStoreError(message: "the database at \(path) could not be decrypted: wrong key or not an encrypted Lexgraph database (key from \(key.source))")
        case .unknown:
            throw GraphStoreError(message: "the database at \(path) could not be decrypted: wrong key or not an encrypted Lexgraph database (it is not a SQLite file either)")
        case .truncated(let size, let pages):
            let expected = pages > 0 ? ", its header records \(pages) pages (\(pages * Int64(LGCRYPT_PAGE_SIZE)) bytes)" : " (not a whole number of \(LGCRYPT_PAGE_SIZE)-byte pages)"
            throw GraphStoreError(message: "the encrypted database at \(path) is truncated: \(size) bytes\(expected)")
        case .unreadable(let code):
            throw GraphStoreError(message: "cannot read the graph database \(path): \(String(cString: strerror(code)))")
        }
    }

    /// The URI that opens `path` through the encrypting VFS with `key`.
    static func uri(of path: String, key: DatabaseKey, immutable: Bool = false) throws -> String {
        let handle = try register(key)
        var parameters = "vfs=\(LGCRYPT_VFS_NAME)&\(LGCRYPT_KEY_PARAMETER)=\(handle)"
        if immutable { parameters += "&immutable=1" }
        return GraphStore.fileURI(of: path, parameters: parameters)
    }

    /// The per-connection set-up of an encrypted database: 48 reserved bytes per page
    /// (before page 1 exists; later a no-op), 4096-byte pages, and temporary tables and
    /// indexes in memory, since the VFS refuses temporary files (they would hold
    /// plaintext).
    static func prepare(_ config: inout Configuration) {
        config.prepareDatabase { db in
            reserveBytes(db)
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
    }

    /// Asks for 48 reserved bytes per page in the pages SQLite creates from now on (a new
    /// database's page 1, a VACUUM's copy). `PRAGMA page_size` resets the request, so
    /// this comes after it.
    static func reserveBytes(_ db: Database) {
        var reserve = Int32(LGCRYPT_RESERVE)
        _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve)
    }

    /// Switches a new encrypted database to WAL mode without a rollback journal: from
    /// journal mode OFF, SQLite writes the header change straight to page 1 (the VFS
    /// refuses journal files, which would hold plaintext pages).
    static func enableWAL(_ db: Database, path: String) throws {
        if try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() == "wal" { return }
        try db.execute(sql: "PRAGMA page_size = \(LGCRYPT_PAGE_SIZE)")
        reserveBytes(db)
        _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = OFF")
        guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")?.lowercased() == "wal" else {
            throw GraphStoreError(message: "cannot switch the encrypted graph database \(path) to WAL mode")
        }
    }
}
