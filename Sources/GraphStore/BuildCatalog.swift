import Foundation
import GRDB
import LexgraphCore
import Ontology

/// The real graphs `lexgraph build` knows, each a recipe in `graphs/NAME.yaml` over the
/// shared data folder, and the helpers that find them and prepare a database for them.
public enum BuildCatalog {
    public static let graphNames = ["scotus", "echr", "contracts"]

    /// The project folder holding `graphs/` and `ontology/legal-core.yaml`: the first of
    /// `$LEXGRAPH_ROOT`, the working directory and the folders above `executable` that
    /// has both (so a built `lexgraph` finds its recipes wherever it is started).
    public static func projectRoot(executable: String? = nil) -> URL? {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["LEXGRAPH_ROOT"] { candidates.append(URL(fileURLWithPath: env)) }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        if let exe = executable ?? CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(dir)
                dir = dir.deletingLastPathComponent()
            }
        }
        return candidates.first { dir in
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("graphs").path)
                && FileManager.default.fileExists(atPath: dir.appendingPathComponent("ontology/legal-core.yaml").path)
        }
    }

    /// Reads a recipe and, first, the recipes it includes (relative to its folder),
    /// each once.
    public static func recipes(at path: String) throws -> [Recipe] {
        var seen = Set<String>()
        var out: [Recipe] = []
        func visit(_ path: String) throws {
            let full = URL(fileURLWithPath: path).standardizedFileURL.path
            guard seen.insert(full).inserted else { return }
            let recipe = try Recipe(contentsOf: full, displayName: displayName(full))
            let dir = URL(fileURLWithPath: full).deletingLastPathComponent()
            for include in recipe.includes { try visit(dir.appendingPathComponent(include).path) }
            out.append(recipe)
        }
        try visit(path)
        return out
    }

    /// `graphs/scotus.yaml` rather than an absolute path, for messages and the load log.
    static func displayName(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        if path.hasPrefix(cwd) { return String(path.dropFirst(cwd.count)) }
        let parts = path.split(separator: "/")
        return parts.suffix(2).joined(separator: "/")
    }

    /// Opens the database at `path`, creating it and installing the project's ontology
    /// (`ontology/legal-core.yaml`) when it is new or has none yet, then applies the
    /// pending updates in `ontology/updates/` (each one audited through `audit`, if given).
    public static func openForBuild(path: String, root: URL, audit: AuditHook? = nil, key: DatabaseKeySetting = .environment) throws -> GraphStore {
        let store = try GraphStore(path: path, mode: .create, key: key)
        let hasOntology = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ontology_version") ?? 0 } > 0
        if !hasOntology {
            let file = root.appendingPathComponent("ontology/legal-core.yaml")
            let text = try YAMLInput.read(path: file.path, displayName: "ontology/legal-core.yaml", what: "ontology document")
            let ontology = try Ontology(yaml: text, file: "ontology/legal-core.yaml")
            try store.installOntology(ontology, documentText: text, source: "ontology/legal-core.yaml", summary: "initial (lexgraph build)")
        }
        // Recipes are written against the newest ontology: bring the database up to it
        // (updates already applied are no-ops) before anything is loaded.
        _ = try store.applyPending(updatesFolder: root.appendingPathComponent("ontology/updates").path, options: OntologyApplyOptions(audit: audit))
        return store
    }
}
