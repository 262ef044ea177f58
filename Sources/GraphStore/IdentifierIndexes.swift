import GRDB
import Ontology

/// One expression index per node property the ontology declares with an identifier
/// format (`usid`, `ecli`, `scdb_case_id`, ...), on `json_extract(props, '$."key"')`.
///
/// Legal queries start from an identifier ("who cites 367 U.S. 643?"): without an index
/// SQLite finds that node by reading every node of the type (or, worse, every edge of the
/// relationship type first); with it, by one index lookup. The query compiler writes such
/// a comparison with the same literal JSON path (`MatchPlanner.comparison`), which is what
/// lets SQLite use the index.
///
/// Kept in step with the ontology: recorded with each installed or updated version, so a
/// curator update that adds or drops an identifier property adds or drops its index in
/// the same transaction. Only keys that are plain identifiers get an index (the key is
/// written into the DDL); others are simply not indexed.
public enum IdentifierIndexes {
    static let prefix = "node_ident_"

    /// Creates the missing indexes and drops those of keys no longer declared.
    static func sync(with ontology: Ontology, in db: Database) throws {
        let wanted = indexedProperties(of: ontology)
        let existing = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'node' AND name LIKE ? ESCAPE '\\'",
                                           arguments: [prefix.replacingOccurrences(of: "_", with: "\\_") + "%"])
        for name in existing where !wanted.contains(String(name.dropFirst(prefix.count))) {
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        for key in wanted.sorted() where !existing.contains(prefix + key) {
            try db.execute(sql: "CREATE INDEX \((prefix + key).quotedDatabaseIdentifier) ON node(json_extract(props, '\(jsonPath(key))'))")
        }
    }

    /// The node properties that have an identifier index: those the ontology declares
    /// with an identifier format and whose key is plain. `GraphStore.resolveNode` looks
    /// identifiers up in exactly these.
    public static func indexedProperties(of ontology: Ontology) -> Set<String> {
        guard !ontology.isPermissive else { return [] }
        var wanted = Set<String>()
        for type in ontology.nodeTypes.values {
            for spec in type.properties.values where spec.format != nil && isPlainKey(spec.name) { wanted.insert(spec.name) }
        }
        return wanted
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`: safe to write into SQL text as part of a JSON path.
    public static func isPlainKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// The JSON path of a top-level key as the query compiler and the index write it.
    public static func jsonPath(_ key: String) -> String { "$.\"\(key)\"" }
}
