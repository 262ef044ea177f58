import GRDB
import GRDBSQLite
import LexgraphCore

/// The bulk path of a load into tables that hold none of its keys yet (a fresh
/// database, `lexgraph build`): rows already checked by `GraphLoader.validate` are
/// inserted through statements prepared once, with no per-row lookup of an existing
/// row, and the tables' secondary indexes are rebuilt once at the end instead of being
/// updated row by row. Everything happens inside the load's transaction, so an error
/// or a SIGKILL still leaves the database (indexes included) as it was.
extension GraphWriter {
    /// Below this many rows dropping and rebuilding indexes is not worth it.
    static let indexRebuildThreshold = 1_000

    /// Inserts `nodes`, none of whose keys is stored (`nodesKnownNew`), all checked.
    /// Remembers each node's id for the edges that follow.
    func insertNew<C: Collection>(nodes: C) throws where C.Element == NodeInput {
        let rebuild = nodes.count >= GraphWriter.indexRebuildThreshold
            ? try SecondaryIndexes.drop(on: ["node", "node_label"], in: db) : nil
        let node = try PreparedInsert(db, sql: "INSERT INTO node(key, type, props, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)")
        let label = try PreparedInsert(db, sql: "INSERT OR IGNORE INTO node_label(label, node_id) VALUES (?, ?)")
        let text = try PreparedInsert(db, sql: "INSERT INTO node_fts(rowid, text) VALUES (?, ?)")
        for input in nodes {
            let columns = storedColumns(of: input)
            node.bind(1, input.key); node.bind(2, input.type); node.bind(3, columns.props)
            node.bind(4, columns.validFrom); node.bind(5, columns.validTo)
            try node.run()
            let id = db.lastInsertedRowID
            for name in columns.labels {
                label.bind(1, name); label.bind(2, id)
                try label.run()
            }
            if let fullText = GraphWriter.fullText(of: input.properties, textProperties: textProperties) {
                text.bind(1, id); text.bind(2, fullText)
                try text.run()
            }
            nodeCache[input.key] = (id, input.type, columns.validFrom)
        }
        try rebuild?.rebuild(in: db)
    }

    /// Inserts `edges`, none of whose keys is stored (`edgesKnownNew`), all checked.
    /// `progress` hears every 50,000th edge.
    func insertNew<C: Collection>(edges: C, progress: (Int) -> Void) throws where C.Element == EdgeInput {
        let rebuild = edges.count >= GraphWriter.indexRebuildThreshold
            ? try SecondaryIndexes.drop(on: ["edge"], in: db) : nil
        let insert = try PreparedInsert(db, sql: "INSERT INTO edge(key, type, src, dst, props, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for (i, edge) in edges.enumerated() {
            if i > 0 && i % 50_000 == 0 { progress(i) }
            guard let from = try lookup(edge.from), let to = try lookup(edge.to) else {
                throw GraphStoreError(location: edge.location, message: "edge \(edge.from) -[\(edge.type)]-> \(edge.to): dangling endpoint")
            }
            let columns = storedColumns(of: edge, from: from)
            insert.bind(1, edge.key); insert.bind(2, edge.type); insert.bind(3, from.id); insert.bind(4, to.id)
            insert.bind(5, columns.props); insert.bind(6, columns.validFrom); insert.bind(7, columns.validTo)
            try insert.run()
        }
        try rebuild?.rebuild(in: db)
    }
}

/// One INSERT prepared once and run for every row of a bulk insert, its parameters
/// bound through SQLite's C API: a row costs one bind per column and one step, with no
/// argument array built per row (which `execute(arguments:)` does).
struct PreparedInsert {
    private let statement: Statement
    private let db: Database

    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.makeStatement(sql: sql)
    }

    /// SQLite copies the text (`SQLITE_TRANSIENT`): the Swift buffer may go away.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

    func bind(_ index: Int32, _ value: String?) {
        let handle = statement.sqliteStatement
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    _ = sqlite3_bind_text(handle, index, $0, Int32(bytes.count), PreparedInsert.transient)
                }
            } else {
                // An empty buffer may have no address, which SQLite would bind as NULL.
                _ = sqlite3_bind_text(handle, index, "", 0, PreparedInsert.transient)
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(statement.sqliteStatement, index, value)
    }

    /// Runs the statement with the bound values; a constraint or I/O failure throws the
    /// SQLite error, which rolls the whole load back.
    func run() throws {
        let handle = statement.sqliteStatement
        let code = sqlite3_step(handle)
        if code != SQLITE_DONE {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(handle)
    }
}

/// The secondary indexes of some tables (their own `CREATE INDEX` text, as stored in
/// `sqlite_master`), dropped before a bulk insert and created again after it: building
/// an index from a full table sorts once, which is much cheaper than inserting into
/// it row by row. The drop is part of the load's transaction, so it never outlives a
/// failed or killed load. Indexes SQLite makes for UNIQUE and PRIMARY KEY constraints
/// have no text, stay, and keep checking keys during the insert.
struct SecondaryIndexes {
    let definitions: [(name: String, sql: String)]

    static func drop(on tables: [String], in db: Database) throws -> SecondaryIndexes {
        var definitions: [(name: String, sql: String)] = []
        for table in tables {
            let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                        arguments: [table])
            for row in rows {
                let name: String = row["name"], sql: String = row["sql"]
                try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
                definitions.append((name, sql))
            }
        }
        return SecondaryIndexes(definitions: definitions)
    }

    func rebuild(in db: Database) throws {
        for definition in definitions { try db.execute(sql: definition.sql) }
    }
}
