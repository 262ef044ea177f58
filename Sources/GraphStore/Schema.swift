import GRDB

/// The SQLite schema of a Lexgraph database, as GRDB migrations. Migrations only ever
/// get appended: a database made by an older Lexgraph is brought forward on open.
///
/// Layout (one row per node and per edge; properties as a JSON object):
/// - `node(id, key, type, props, valid_from, valid_to)`: `key` is the stable external
///   key (`scotus:case:1962-045`), `type` the node's ontology type. `valid_from` /
///   `valid_to` are ISO dates (`valid_to` exclusive); NULL means unbounded.
/// - `node_label(label, node_id)`: every label of a node, its type included. Ontology
///   nodes have exactly one; schema-free graphs (the openCypher TCK) may have several.
/// - `edge(id, key, type, src, dst, props, valid_from, valid_to)`: `key` identifies an
///   edge across re-loads (NULL for edges made by a query's CREATE); indexed for both
///   directions by type, and (dated edges only) by type and start date.
/// - `node_fts`: FTS5 over the text-typed properties of each node (rowid = node id).
/// - `ontology_version`: every ontology version the database went through, the last
///   row being the active one; `load_log`: who loaded what, when, with which counts.
/// - `store_meta`: key/value settings (e.g. `mode` = `ontology` or `permissive`).
/// - `audit_log`: the hash-chained audit trail (`AuditLogTable`).
/// - `api_token`: the service's API tokens, hashed (see `APITokenStore`).
/// - `model_version`, `model_alias_step`: the model registry (see `ModelRegistryStore`).
/// - `load_quality`: each load's data-quality report (see `LoadQualityTable`).
///
/// "As of D" means `valid_from IS NULL OR valid_from <= D` and
/// `valid_to IS NULL OR valid_to > D`; see `AsOf`.
public enum Schema {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-graph") { db in
            try db.execute(sql: """
                CREATE TABLE node (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    props TEXT NOT NULL DEFAULT '{}',
                    valid_from TEXT,
                    valid_to TEXT
                );
                CREATE INDEX node_by_type ON node(type);
                CREATE TABLE node_label (
                    label TEXT NOT NULL,
                    node_id INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
                    PRIMARY KEY (label, node_id)
                ) WITHOUT ROWID;
                CREATE INDEX node_label_by_node ON node_label(node_id, label);
                CREATE TABLE edge (
                    id INTEGER PRIMARY KEY,
                    key TEXT UNIQUE,
                    type TEXT NOT NULL,
                    src INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
                    dst INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
                    props TEXT NOT NULL DEFAULT '{}',
                    valid_from TEXT,
                    valid_to TEXT
                );
                CREATE INDEX edge_out ON edge(src, type, dst);
                CREATE INDEX edge_in ON edge(dst, type, src);
                CREATE INDEX edge_by_type ON edge(type);
                CREATE VIRTUAL TABLE node_fts USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                CREATE TABLE ontology_version (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL,
                    source TEXT NOT NULL,
                    checksum TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE TABLE load_log (
                    id INTEGER PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    user TEXT NOT NULL,
                    source TEXT NOT NULL,
                    recipe TEXT,
                    nodes_inserted INTEGER NOT NULL DEFAULT 0,
                    nodes_updated INTEGER NOT NULL DEFAULT 0,
                    nodes_unchanged INTEGER NOT NULL DEFAULT 0,
                    edges_inserted INTEGER NOT NULL DEFAULT 0,
                    edges_updated INTEGER NOT NULL DEFAULT 0,
                    edges_unchanged INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL,
                    message TEXT
                );
                CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        // The data horizon (`DataHorizon`): the newest dated edge of a type, read
        // backwards from the end of this index instead of scanning every edge of the
        // type. Partial, so the query planner never picks it for ordinary type lookups
        // (only a query that itself requires `valid_from IS NOT NULL` can use it).
        migrator.registerMigration("v2-edge-horizon") { db in
            try db.execute(sql: "CREATE INDEX edge_dated_by_type ON edge(type, valid_from) WHERE valid_from IS NOT NULL")
        }
        // The audit trail (`AuditLogTable`): append-only, each entry chained to the one
        // before by a hash that Compliance computes and verifies.
        migrator.registerMigration("v3-audit-log") { db in
            try db.execute(sql: AuditLogTable.createSQL)
        }
        // The API tokens of `lexgraph serve` (`APITokenStore`): a public id, the SHA-256
        // of the secret part (never the secret), a role, when it expires (if ever) and
        // when it was revoked.
        migrator.registerMigration("v4-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_token (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    secret_sha256 TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT,
                    revoked_at TEXT
                );
                """)
        }
        // The model registry (`ModelRegistryStore`): every registered run as a numbered
        // version of a model name, and each alias's history of versions (so a rollback
        // knows where the alias pointed before).
        migrator.registerMigration("v5-model-registry") { db in
            try db.execute(sql: GraphStore.modelRegistrySQL)
        }
        // Each load's data-quality report (`LoadQualityTable`), written in the load's
        // transaction beside its `load_log` row.
        migrator.registerMigration("v6-load-quality") { db in
            try db.execute(sql: LoadQualityTable.createSQL)
        }
        // Arrived outcomes of cases registered models predicted (`ModelOutcomeStore`).
        migrator.registerMigration("v7-model-outcomes") { db in
            try db.execute(sql: GraphStore.modelOutcomeSQL)
        }
        return migrator
    }

    /// Why the SQLite file behind `db` is not a Lexgraph database, or nil when it is one
    /// (or is still empty). A file with tables of its own and no record of Lexgraph's
    /// first migration is somebody else's database: migrating it would write our tables
    /// into it, and reading it would report it as an outdated Lexgraph database.
    static func foreignDatabaseProblem(_ db: Database, path: String) throws -> String? {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        if tables.isEmpty { return nil }
        if tables.contains("grdb_migrations"),
           try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1-graph')") == true {
            return nil
        }
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", ... (\(tables.count) tables)" : "")
        return "\(path) is an SQLite database but not a Lexgraph graph database (it holds \(shown)); it was left unchanged: pass --db with a database made by `lexgraph build`, or a new file"
    }
}
