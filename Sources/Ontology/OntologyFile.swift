import Foundation
import LexgraphCore

/// A curator's YAML file: a full ontology document (`ontology: ...`) or an update
/// (`update: N`). `lexgraph ontology validate/diff` accept either.
public enum OntologyFile: Sendable {
    case document(Ontology, text: String)
    case update(OntologyUpdate)

    /// Reads and parses `path`; every error names file:line:column.
    public static func read(path: String) throws -> OntologyFile {
        try parse(text: try YAMLInput.read(path: path, what: "file"), file: path)
    }

    public static func parse(text: String, file: String) throws -> OntologyFile {
        let doc = try YAMLDocument(text: text, file: file)
        if OntologyUpdate.isUpdate(doc) { return .update(try OntologyUpdate(document: doc, checksum: Checksum.sha256Hex(text))) }
        return .document(try Ontology(document: doc), text: text)
    }
}

extension Ontology {
    /// The ontology after `updates`, applied in number order; each must be the next
    /// version. How `validate` checks an update file without a database: the released
    /// document plus the updates before it.
    public func applying(updates: [OntologyUpdate]) throws -> Ontology {
        var current = self
        for update in updates.sorted(by: { $0.number < $1.number }) {
            current = try update.plan(on: current).result
        }
        return current
    }

    /// One line: name, version and sizes.
    public var overview: String {
        "ontology \(name) version \(version): \(nodeTypes.count) node types, \(edgeTypes.count) edge types, \(identifierFormats.count) identifier formats"
    }
}
