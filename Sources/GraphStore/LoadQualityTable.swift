import GRDB
import LexgraphCore

/// The `load_quality` table: one data-quality report (`LoadQuality`, as JSON) per
/// `load_log` row, keyed by the load's id, with the load's recipes (comma-joined, as
/// `load_log.recipe`) to find the previous load of the same recipes.
enum LoadQualityTable {
    static let createSQL = """
        CREATE TABLE load_quality (
            load_id INTEGER PRIMARY KEY REFERENCES load_log(id) ON DELETE CASCADE,
            recipes TEXT NOT NULL,
            report TEXT NOT NULL
        );
        CREATE INDEX load_quality_by_recipes ON load_quality(recipes, load_id);
        """

    /// The newest stored report of the same recipes, with its load id.
    static func previous(_ db: Database, recipes: [String]) throws -> (id: Int64, quality: LoadQuality)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT load_id, report FROM load_quality WHERE recipes = ? ORDER BY load_id DESC LIMIT 1",
                                         arguments: [recipes.joined(separator: ",")]) else { return nil }
        let text: String = row["report"], id: Int64 = row["load_id"]
        return (id, try LoadQuality(json: try Value.parseJSON(bytes: Array(text.utf8))))
    }

    static func insert(_ db: Database, loadID: Int64, quality: LoadQuality) throws {
        try db.execute(sql: "INSERT INTO load_quality(load_id, recipes, report) VALUES (?, ?, ?)",
                       arguments: [loadID, quality.recipes.joined(separator: ","), quality.json.jsonText])
    }
}

extension GraphStore {
    /// The data-quality report of load `id` of `load_log` (the newest load when nil);
    /// nil when there is none (no load yet, or a load made before reports were kept).
    public func loadQuality(id: Int64? = nil) throws -> (id: Int64, quality: LoadQuality)? {
        try database.read { db in
            let row: Row?
            if let id {
                row = try Row.fetchOne(db, sql: "SELECT load_id, report FROM load_quality WHERE load_id = ?", arguments: [id])
            } else {
                row = try Row.fetchOne(db, sql: "SELECT load_id, report FROM load_quality ORDER BY load_id DESC LIMIT 1")
            }
            guard let row else { return nil }
            let text: String = row["report"], id: Int64 = row["load_id"]
            return (id, try LoadQuality(json: try Value.parseJSON(bytes: Array(text.utf8))))
        }
    }
}
