import GRDB

extension GraphStore {
    /// One deferred read transaction on `db` (a pool's reader, outside any transaction)
    /// whose BEGIN, COMMIT and ROLLBACK are prepared once per connection.
    ///
    /// GRDB's `DatabasePool.read` parses `BEGIN DEFERRED TRANSACTION` and `COMMIT
    /// TRANSACTION` again on every call, a fixed cost of every query. The transaction is
    /// the same: one snapshot from the first read to the end of `body`, rolled back when
    /// `body` throws. (The pool's own schema-version check still runs, before it.)
    static func readTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
        let value: T
        do {
            value = try body(db)
        } catch {
            // An error SQLite already rolled back for (a full disk, an I/O error) leaves
            // no transaction to end.
            if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
            throw error
        }
        do {
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
        } catch {
            if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
            throw error
        }
        return value
    }
}
