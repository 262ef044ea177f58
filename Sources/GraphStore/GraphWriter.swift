import GRDB
import LexgraphCore
import Ontology

/// Writes nodes and edges inside one transaction, checking each against the ontology.
/// Obtained from `GraphStore.write`; never outlives that transaction.
///
/// Upserts are by key: writing the same record twice changes nothing the second time
/// and reports `.unchanged`, which is what makes re-loading a file idempotent.
public final class GraphWriter {
    public let db: Database
    public let ontology: Ontology
    /// Nodes written or looked up in this transaction, by key (bulk inserts add theirs).
    var nodeCache: [String: (id: Int64, type: String, validFrom: String?)] = [:]
    lazy var textProperties: Set<String> = ontology.textPropertyNames
    private lazy var nodeChecker = NodeChecker(ontology)

    /// Fast path for bulk loaders (`GraphLoader`): set when every record written has
    /// already been checked with `problems(with:)`, so upserts skip checking it again.
    public var inputPrevalidated = false
    /// Fast path for a fresh database: set when no stored node (edge) has any of the keys
    /// about to be written, so upserts insert without first looking for an existing
    /// row. The outcome is the same (`.inserted`); only the lookup is saved.
    public var nodesKnownNew = false
    public var edgesKnownNew = false

    init(db: Database, ontology: Ontology) {
        self.db = db
        self.ontology = ontology
    }

    // MARK: Validation

    /// Everything wrong with `node` under the ontology, without writing it.
    public func problems(with node: NodeInput) -> [String] {
        var problems = nodeChecker.violations(nodeType: node.type, properties: node.properties)
        if node.key.isEmpty { problems.append("empty node key") }
        if let from = node.validFrom, let to = node.validTo, to <= from {
            problems.append("valid_to \(to) is not after valid_from \(from)")
        }
        return problems
    }

    /// Everything wrong with `edge`, including endpoints that do not exist (yet) in
    /// this transaction.
    public func problems(with edge: EdgeInput) throws -> [String] {
        let from = try lookup(edge.from), to = try lookup(edge.to)
        var problems: [String] = []
        if from == nil { problems.append("edge \(edge.type) starts at unknown node '\(edge.from)'") }
        if to == nil { problems.append("edge \(edge.type) ends at unknown node '\(edge.to)'") }
        if let from, let to {
            problems += ontology.violations(edgeType: edge.type, fromType: from.type, toType: to.type, properties: edge.properties)
        }
        return problems
    }

    // MARK: Nodes

    /// Inserts or updates the node with `node.key`. Throws the first ontology violation.
    @discardableResult
    public func upsert(_ node: NodeInput) throws -> UpsertOutcome {
        let problems = inputPrevalidated ? [] : problems(with: node)
        if let first = problems.first {
            throw GraphStoreError(location: node.location, message: "node '\(node.key)': \(first)")
        }
        let (props, validFrom, validTo, labels) = storedColumns(of: node)

        if !nodesKnownNew, let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, type, props, valid_from, valid_to FROM node WHERE key = ?"), arguments: [node.key]) {
            let id: Int64 = existing["id"]
            let storedLabels = try String.fetchAll(db.cachedStatement(sql: "SELECT label FROM node_label WHERE node_id = ? ORDER BY label"), arguments: [id])
            if existing["type"] == node.type, existing["props"] == props, existing["valid_from"] == validFrom,
               existing["valid_to"] == validTo, storedLabels == labels.sorted() {
                nodeCache[node.key] = (id, node.type, validFrom)
                return .unchanged
            }
            try db.execute(sql: "UPDATE node SET type = ?, props = ?, valid_from = ?, valid_to = ? WHERE id = ?",
                           arguments: [node.type, props, validFrom, validTo, id])
            try db.execute(sql: "DELETE FROM node_label WHERE node_id = ?", arguments: [id])
            try insertLabels(labels, id: id)
            try indexText(node, id: id, replacing: true)
            nodeCache[node.key] = (id, node.type, validFrom)
            return .updated
        }
        try db.cachedStatement(sql: "INSERT INTO node(key, type, props, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [node.key, node.type, props, validFrom, validTo])
        let id = db.lastInsertedRowID
        try insertLabels(labels, id: id)
        try indexText(node, id: id, replacing: false)
        nodeCache[node.key] = (id, node.type, validFrom)
        return .inserted
    }

    /// The columns a node is stored with: its properties as JSON text (keys sorted, so
    /// equal properties give equal text, which is how an upsert sees "unchanged"), its
    /// validity (from its type's dating property when not given) and its labels.
    func storedColumns(of node: NodeInput) -> (props: String, validFrom: String?, validTo: String?, labels: [String]) {
        let props = node.properties.isEmpty ? "{}" : Value.map(node.properties).jsonText
        let validFrom = (node.validFrom ?? derivedValidFrom(node))?.iso
        // Schema-free nodes may have no label at all: an empty type is not a label.
        let labels = ([node.type] + node.extraLabels.filter { $0 != node.type }).filter { !$0.isEmpty }
        return (props, validFrom, node.validTo?.iso, labels)
    }

    /// The columns an edge is stored with; it is valid from its source node's validity
    /// start unless it says otherwise.
    func storedColumns(of edge: EdgeInput, from: (id: Int64, type: String, validFrom: String?)) -> (props: String, validFrom: String?, validTo: String?) {
        let props = edge.properties.isEmpty ? "{}" : Value.map(edge.properties).jsonText
        return (props, edge.validFrom?.iso ?? from.validFrom, edge.validTo?.iso)
    }

    private func derivedValidFrom(_ node: NodeInput) -> LegalDate? {
        guard let p = ontology.validFromProperty(ofNodeType: node.type), let s = node.properties[p]?.stringValue else { return nil }
        return LegalDate(iso: s)
    }

    private func insertLabels(_ labels: [String], id: Int64) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO node_label(label, node_id) VALUES (?, ?)")
        for label in labels { try statement.execute(arguments: [label, id]) }
    }

    private func indexText(_ node: NodeInput, id: Int64, replacing: Bool) throws {
        if replacing { try db.cachedStatement(sql: "DELETE FROM node_fts WHERE rowid = ?").execute(arguments: [id]) }
        guard let text = GraphWriter.fullText(of: node.properties, textProperties: textProperties) else { return }
        try db.cachedStatement(sql: "INSERT INTO node_fts(rowid, text) VALUES (?, ?)").execute(arguments: [id, text])
    }

    /// What the full-text index holds for a node: its text-typed property values in key
    /// order, or nil when it has none. Shared with ontology updates, which re-index
    /// nodes whose text properties they migrate.
    public static func fullText(of properties: [String: Value], textProperties: Set<String>) -> String? {
        let parts = properties.keys.sorted().compactMap { key -> String? in
            guard textProperties.contains(key) else { return nil }
            return properties[key]?.stringValue
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// The stored id, type and validity start of the node with `key`, if any.
    public func lookup(_ key: String) throws -> (id: Int64, type: String, validFrom: String?)? {
        if let hit = nodeCache[key] { return hit }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, type, valid_from FROM node WHERE key = ?"), arguments: [key]) else { return nil }
        let entry = (id: row["id"] as Int64, type: row["type"] as String, validFrom: row["valid_from"] as String?)
        nodeCache[key] = entry
        return entry
    }

    // MARK: Edges

    /// Inserts or updates an edge. With a nil key a new edge is always inserted.
    @discardableResult
    public func upsert(_ edge: EdgeInput) throws -> UpsertOutcome {
        let problems = inputPrevalidated ? [] : try problems(with: edge)
        if let first = problems.first {
            throw GraphStoreError(location: edge.location, message: "edge \(edge.from) -[\(edge.type)]-> \(edge.to): \(first)")
        }
        guard let from = try lookup(edge.from), let to = try lookup(edge.to) else {
            throw GraphStoreError(location: edge.location, message: "edge \(edge.from) -[\(edge.type)]-> \(edge.to): dangling endpoint")
        }
        let (props, validFrom, validTo) = storedColumns(of: edge, from: from)
        if !edgesKnownNew, let key = edge.key,
           let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, type, src, dst, props, valid_from, valid_to FROM edge WHERE key = ?"), arguments: [key]) {
            if existing["type"] == edge.type, existing["src"] == from.id, existing["dst"] == to.id, existing["props"] == props,
               existing["valid_from"] == validFrom, existing["valid_to"] == validTo {
                return .unchanged
            }
            try db.execute(sql: "UPDATE edge SET type = ?, src = ?, dst = ?, props = ?, valid_from = ?, valid_to = ? WHERE id = ?",
                           arguments: [edge.type, from.id, to.id, props, validFrom, validTo, existing["id"] as Int64])
            return .updated
        }
        try db.cachedStatement(sql: "INSERT INTO edge(key, type, src, dst, props, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [edge.key, edge.type, from.id, to.id, props, validFrom, validTo])
        return .inserted
    }
}
