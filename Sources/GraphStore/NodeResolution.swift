import GRDB
import LexgraphCore
import Ontology

/// A node an identifier named, with how it was found.
public struct NodeMatch: Sendable, Equatable {
    public var key: String
    public var type: String
    public var name: String?
    /// ISO start of validity (a case's decision date), if any.
    public var validFrom: String?
    /// `key`, the identifier property that matched (`usid`, `us_cite`, `ecli`, ...) or `name`.
    public var matchedBy: String

    public init(key: String, type: String, name: String?, validFrom: String?, matchedBy: String) {
        self.key = key
        self.type = type
        self.name = name
        self.validFrom = validFrom
        self.matchedBy = matchedBy
    }

    /// `scotus:367US643  MAPP v. OHIO (1961-06-19)`.
    public var label: String {
        "\(key)  \(name ?? "(\(type))")" + (validFrom.map { " (\($0))" } ?? "")
    }
}

/// An identifier that names no node, or several: the message lists the candidates (with
/// their keys and dates) so the user can pick one.
public struct NodeLookupError: LexgraphError {
    public enum Kind: Sendable, Equatable { case notFound, ambiguous }
    public var identifier: String
    public var kind: Kind
    /// Not found: the closest case names ("did you mean"), best first. Ambiguous: every
    /// node the identifier names.
    public var candidates: [NodeMatch]
    /// The identifier properties it was looked up in.
    public var searched: [String]

    public var location: SourceLocation? { nil }

    public var message: String {
        // The text as typed, but not a megabyte of it.
        let identifier = self.identifier.count > 120 ? self.identifier.prefix(120) + "… (\(self.identifier.count) characters)" : self.identifier
        let list = candidates.map { "\n  \($0.label)" }.joined()
        switch kind {
        case .ambiguous:
            let how = Set(candidates.map(\.matchedBy)).sorted().joined(separator: ", ")
            return "'\(identifier)' names \(candidates.count) nodes (by \(how)); give one of their keys:\(list)"
        case .notFound:
            let tried = "not a node key, nor an identifier (\(searched.joined(separator: ", "))), nor a case name"
            return candidates.isEmpty ? "no node matches '\(identifier)': \(tried)"
                : "no node matches '\(identifier)': \(tried); did you mean:\(list)"
        }
    }
}

extension GraphStore {
    /// The node `identifier` names, as a lawyer would write it. Tried in order, the first
    /// that finds anything deciding:
    /// 1. a node key, exactly (`scotus:367US643`, `scotus:scdb:2012-001`);
    /// 2. an identifier, in every property that has an identifier index (`usid`,
    ///    `us_cite`, `scdb_case_id`, `ecli`, `application_number`, `hudoc_item`), in the
    ///    spellings of `IdentifierForms`: U.S. Reports cites as `568 U.S. 23`, `568 US 23`,
    ///    `568US23` or `scotus:568US23`, ECLIs in any case, `no. 4143/02`;
    /// 3. a case name, when exactly one case has it (`Mapp v Ohio`, `Roe v. Wade` for SCDB's
    ///    `ROE et al. v. WADE, DISTRICT ATTORNEY OF DALLAS COUNTY`; see `CaseNameMatch`).
    /// Several nodes is `NodeLookupError.ambiguous` listing them; none is `.notFound` with
    /// up to `suggestions` similar case names ("did you mean").
    public func resolveNode(_ identifier: String, suggestions: Int = 5) throws -> NodeMatch {
        let ontology = try activeOntology()
        return try read { db in try GraphStore.resolveNode(identifier, ontology: ontology, suggestions: suggestions, in: db) }
    }

    /// The same, inside a caller's read.
    public static func resolveNode(_ identifier: String, ontology: Ontology, suggestions: Int = 5, in db: Database) throws -> NodeMatch {
        let text = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        let properties = IdentifierIndexes.indexedProperties(of: ontology).sorted()
        func fail(_ kind: NodeLookupError.Kind, _ candidates: [NodeMatch]) -> NodeLookupError {
            NodeLookupError(identifier: identifier, kind: kind, candidates: candidates, searched: properties)
        }
        guard !text.isEmpty else { throw fail(.notFound, []) }
        let columns = "id, key, type, json_extract(props, '$.name') AS name, valid_from"
        func match(_ row: Row, by: String) -> NodeMatch {
            NodeMatch(key: row["key"], type: row["type"], name: String.fromDatabaseValue(row["name"]), validFrom: row["valid_from"], matchedBy: by)
        }

        if let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM node WHERE key = ?", arguments: [text]) {
            return match(row, by: "key")
        }

        var found: [Int64: NodeMatch] = [:]
        for property in properties {
            let sql = "SELECT \(columns) FROM node WHERE json_extract(props, '\(IdentifierIndexes.jsonPath(property))') = ?"
            for form in IdentifierForms.candidates(for: text) {
                for row in try Row.fetchAll(db, sql: sql, arguments: [form]) where found[row["id"]] == nil {
                    found[row["id"]] = match(row, by: property)
                }
            }
        }
        if found.count == 1 { return found.values.first! }
        if found.count > 1 { throw fail(.ambiguous, sorted(Array(found.values))) }

        // Scoring compares every typed word with every stored name: a text far longer than
        // any case name (the longest SCDB name has 209 characters) is not one, and would
        // take minutes to compare.
        guard text.contains(where: \.isLetter), text.count <= maxNameLength else { throw fail(.notFound, []) }
        let query = CaseNameMatch(text)
        let named = try namedCases(ontology: ontology, columns: columns, in: db)
        let same = named.filter { query.names($0.words) }.map { match($0.row, by: "name") }
        if same.count == 1 { return same[0] }
        if same.count > 1 { throw fail(.ambiguous, sorted(same)) }
        // Best share of the typed words first; among equals the shorter name (fewer words
        // the user did not type), then the newer case.
        let scored = named.compactMap { entry -> (score: Double, length: Int, match: NodeMatch)? in
            let score = query.score(against: entry.words)
            return score >= 0.5 ? (score, entry.words.words.count, match(entry.row, by: "name")) : nil
        }
        let best = scored.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.length != b.length { return a.length < b.length }
            return (a.match.validFrom ?? "", a.match.key) > (b.match.validFrom ?? "", b.match.key)
        }.prefix(max(suggestions, 0)).map(\.match)
        throw fail(.notFound, Array(best))
    }

    /// Whether some node's identifier property `property` equals `value`, whatever the
    /// node's key (cases after 2002 are keyed by their SCDB id, not their usid). The
    /// comparison is written as the identifier index is defined, so it is one index lookup.
    public func hasNode(withIdentifier property: String, equalTo value: String) throws -> Bool {
        precondition(IdentifierIndexes.isPlainKey(property), "identifier properties are plain keys")
        return try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM node WHERE json_extract(props, '\(IdentifierIndexes.jsonPath(property))') = ?)",
                              arguments: [value]) ?? false
        }
    }

    /// The longest text `resolveNode` compares with case names.
    public static let maxNameLength = 500

    /// Every named node of a case type (any node with a name in a schema-free store).
    private static func namedCases(ontology: Ontology, columns: String, in db: Database) throws -> [(row: Row, words: CaseNameMatch)] {
        var sql = "SELECT \(columns) FROM node WHERE json_extract(props, '$.name') IS NOT NULL"
        var arguments: [String] = []
        if ontology.nodeTypes["Case"] != nil {
            let types = ontology.subtypes(of: "Case")
            sql += " AND type IN (\(Array(repeating: "?", count: types.count).joined(separator: ",")))"
            arguments = types
        }
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap { row in
            guard let name = String.fromDatabaseValue(row["name"]) else { return nil }
            return (row, CaseNameMatch(name))
        }
    }

    /// Oldest first, then by key: the order candidates are listed in.
    private static func sorted(_ matches: [NodeMatch]) -> [NodeMatch] {
        matches.sorted { ($0.validFrom ?? "", $0.key) < ($1.validFrom ?? "", $1.key) }
    }
}
