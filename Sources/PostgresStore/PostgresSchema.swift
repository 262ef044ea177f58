import GraphStore

/// The PostgreSQL schema of a Lexgraph graph: SQLite's graph tables (`Schema`) with
/// `props` as `jsonb` and the full text as a `tsvector` with a GIN index (what
/// `PostgreSQLDialect` writes against). Installed in one transaction into an empty
/// database; `store_meta.lexgraph_schema` records its version, and a database with
/// another version, or with tables of its own and no such row, is refused.
enum PostgresSchema {
    /// The version this lexgraph writes and reads (2: the audit trail; 3: the full text
    /// stemmed as SQLite's is).
    static let version = 3

    /// The graph tables, in the order they are created.
    static let tables = ["store_meta", "ontology_version", "load_log", "node", "node_label", "edge", "node_fts", "audit_log"]

    /// The audit trail of the writes to this graph (SQLite's `AuditLogTable`): a load's
    /// entries, chained by hash, commit with its copy. Append-only: a trigger refuses
    /// UPDATE and DELETE (TRUNCATE is not used on it).
    static let auditLog = [
        """
        CREATE TABLE audit_log (seq bigint PRIMARY KEY, at text NOT NULL, principal text NOT NULL, action text NOT NULL,
            subject text NOT NULL, outcome text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)
        """,
        "CREATE INDEX audit_log_by_time ON audit_log(at)",
        """
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$BEGIN RAISE EXCEPTION 'audit_log is append-only'; END$$
        """,
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ]

    /// The text search configuration of the full text (`PostgreSQLDialect.fullTextConfiguration`)
    /// and the text it reads (`indexedText`): SQLite's `porter unicode61 remove_diacritics 2`
    /// as closely as PostgreSQL's parts allow, so that `fts()` matches the same nodes and
    /// scores them alike (`PostgresGraphStore.fullTextScore`). Words are stemmed by the
    /// Porter stemmer FTS5 uses (Snowball's `porter`), with no stop words; every run of
    /// characters that are not letters or digits separates words, as in unicode61 (so
    /// PostgreSQL's parser never sees a hyphenated word, an e-mail address, a URL, a path,
    /// `U.S.` or `1.5` whole). Still apart: words of one or two letters ending in `s` are
    /// stemmed here (`as` becomes `a`; FTS5 leaves words under three letters alone),
    /// diacritics are kept (`unaccent` is an extension a plain database lacks), letters are
    /// told from separators by code point ranges rather than Unicode's categories, and a
    /// text past 16,383 words, or with one word more than 256 times, is counted short.
    static let fullText = [
        "CREATE TEXT SEARCH DICTIONARY lexgraph_porter (TEMPLATE = snowball, Language = porter)",
        "CREATE TEXT SEARCH CONFIGURATION \(PostgreSQLDialect.fullTextConfiguration) (COPY = simple)",
        "ALTER TEXT SEARCH CONFIGURATION \(PostgreSQLDialect.fullTextConfiguration) ALTER MAPPING FOR asciiword, word, numword WITH lexgraph_porter",
    ]

    /// `body` with every run of separators made one space (see `fullText`): the code
    /// points of letters and digits are ASCII's, Latin-1's letters and everything from
    /// U+00F8 up but for the General Punctuation block.
    static let indexedText = #"regexp_replace(body, '[^0-9A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u1FFF\u2070-\uD7FF\uE000-\uFFFF\U00010000-\U0010FFFF]+', ' ', 'g')"#

    /// The full-text table (`body` is the text SQLite's FTS5 table holds; `document` what
    /// `fullTextMatch` reads) and its index.
    static let fullTextTable = [
        """
        CREATE TABLE node_fts (node_id bigint PRIMARY KEY REFERENCES node(id) ON DELETE CASCADE, body text NOT NULL,
            document tsvector GENERATED ALWAYS AS (to_tsvector('\(PostgreSQLDialect.fullTextConfiguration)', \(indexedText))) STORED)
        """,
        "CREATE INDEX node_fts_document ON node_fts USING gin(document)",
    ]

    /// Version 2's full text (the `simple` configuration over the raw text) made again.
    static let restemmed = fullText + [
        "ALTER TABLE node_fts DROP COLUMN document",
        "ALTER TABLE node_fts ADD COLUMN document tsvector GENERATED ALWAYS AS (to_tsvector('\(PostgreSQLDialect.fullTextConfiguration)', \(indexedText))) STORED",
        "CREATE INDEX node_fts_document ON node_fts USING gin(document)",
    ]

    /// Per older version, what brings it to this one (in one transaction, on opening).
    static let migrations: [Int: [String]] = [1: auditLog + restemmed, 2: restemmed]

    static let statements = [
        "CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL)",
        """
        CREATE TABLE ontology_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL,
            source text NOT NULL, checksum text NOT NULL, summary text NOT NULL, document text NOT NULL)
        """,
        """
        CREATE TABLE load_log (id bigint PRIMARY KEY, started_at text NOT NULL, finished_at text, "user" text NOT NULL,
            source text NOT NULL, recipe text, nodes_inserted bigint NOT NULL DEFAULT 0, nodes_updated bigint NOT NULL DEFAULT 0,
            nodes_unchanged bigint NOT NULL DEFAULT 0, edges_inserted bigint NOT NULL DEFAULT 0, edges_updated bigint NOT NULL DEFAULT 0,
            edges_unchanged bigint NOT NULL DEFAULT 0, status text NOT NULL, message text)
        """,
        """
        CREATE TABLE node (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, type text NOT NULL,
            props jsonb NOT NULL DEFAULT '{}', valid_from text, valid_to text)
        """,
        "CREATE INDEX node_by_type ON node(type)",
        """
        CREATE TABLE node_label (label text NOT NULL, node_id bigint NOT NULL REFERENCES node(id) ON DELETE CASCADE,
            PRIMARY KEY (label, node_id))
        """,
        "CREATE INDEX node_label_by_node ON node_label(node_id, label)",
        """
        CREATE TABLE edge (id bigint PRIMARY KEY, key text UNIQUE, type text NOT NULL,
            src bigint NOT NULL REFERENCES node(id) ON DELETE CASCADE, dst bigint NOT NULL REFERENCES node(id) ON DELETE CASCADE,
            props jsonb NOT NULL DEFAULT '{}', valid_from text, valid_to text)
        """,
        "CREATE INDEX edge_out ON edge(src, type, dst)",
        "CREATE INDEX edge_in ON edge(dst, type, src)",
        "CREATE INDEX edge_by_type ON edge(type)",
        "CREATE INDEX edge_dated_by_type ON edge(type, valid_from) WHERE valid_from IS NOT NULL",
    ] + fullText + fullTextTable + auditLog + ["INSERT INTO store_meta(key, value) VALUES ('lexgraph_schema', '\(version)')"]

    /// The tables of the connected database's current schema.
    static let existingTablesSQL = "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    static let schemaVersionSQL = "SELECT value FROM store_meta WHERE key = 'lexgraph_schema'"
}
