import Foundation
import LexgraphCore

/// A mapping recipe: which source files to read and how each record becomes nodes and
/// edges of the graph. Written in YAML (`graphs/*.yaml`, documented in
/// `graphs/README.md`) and parsed by `Recipe(yaml:file:)`.
public struct Recipe: Sendable {
    public var name: String
    public var description: String?
    /// The recipe file, for error messages.
    public var file: String
    /// The folder the recipe was read from: source files written `./name` are read
    /// from here (small curated tables kept next to the recipe), all others from the
    /// data folder.
    public var folder: URL?
    /// Other recipes to run first, in the same transaction (paths relative to this one).
    public var includes: [String]
    public var lookups: [LookupSpec]
    public var sources: [SourceSpec]
}

/// A table from a source file's key column to a value, for joins across files
/// (`{scdb_caseId|lookup:canonical_usid}`) and code-to-label translation from codebooks.
public struct LookupSpec: Sendable {
    public var name: String
    public var file: String
    public var format: SourceFormat
    /// Delimited / JSON-lines files: the key column and the value template.
    public var keyColumn: String?
    public var value: Template?
    /// A JSON file holding an object of key -> label: the top-level member to use.
    public var object: String?
    public var conditions: [Condition]
    public var location: SourceLocation
}

/// One file of a recipe and the mappings applied to each of its records.
public struct SourceSpec: Sendable {
    public var file: String
    public var format: SourceFormat
    public var conditions: [Condition]
    public var nodes: [NodeMapping]
    public var edges: [EdgeMapping]
    public var location: SourceLocation
}

/// A `where` test on a record; a record is used only when all of them hold.
public struct Condition: Sendable {
    public enum Test: Sendable {
        case equals(String), notEquals(String), oneOf(Set<String>), notEmpty, empty
    }
    public var column: String
    public var test: Test

    func holds(for record: SourceRecord) -> Bool {
        let text = record.text(column)
        switch test {
        case .equals(let v): return (text ?? "") == v
        case .notEquals(let v): return (text ?? "") != v
        case .oneOf(let set): return set.contains(text ?? "")
        case .notEmpty: return text != nil
        case .empty: return text == nil
        }
    }
}

/// What to do when one mapping produces the same key twice with different content.
public enum DuplicatePolicy: String, Sendable {
    /// Fail the load, naming both lines (the default).
    case error
    /// Keep the first record, count the later ones as skipped.
    case first
}

/// Repeats a mapping once per item of a list-valued field (`"12 40 7"`), binding `{_item}`.
public struct EachSpec: Sendable {
    public var column: String
    public var separator: String
    public var skip: Set<String>
}

/// How one record becomes a node.
public struct NodeMapping: Sendable {
    /// Key alternatives: the first whose fields are all present (and lookups found) is
    /// the key; when none resolves the record makes no node here (counted as skipped).
    public var keys: [Template]
    public var type: Template
    public var properties: [PropertyMapping]
    /// A JSON-object field whose members all become properties (generic JSONL loads).
    public var propertiesFrom: String?
    /// Whether records may add properties to a node an earlier mapping of this load made.
    public var merge: Bool
    public var duplicates: DuplicatePolicy
    public var each: EachSpec?
    public var location: SourceLocation
}

/// How one record becomes an edge.
public struct EdgeMapping: Sendable {
    public var type: Template
    public var from: [Template]
    public var to: [Template]
    /// Edge identity; default `TYPE|from|to` (one edge of a type between two nodes).
    public var key: Template?
    public var properties: [PropertyMapping]
    public var propertiesFrom: String?
    public var duplicates: DuplicatePolicy
    public var each: EachSpec?
    public var location: SourceLocation
}

/// Where a property's value comes from and how it is cleaned before the ontology's
/// type decides how it is parsed.
public struct PropertyMapping: Sendable {
    public enum Origin: Sendable {
        case column(String)
        /// Alternatives: the first that resolves gives the value.
        case template([Template])
    }
    public var name: String
    public var origin: Origin
    /// For date properties: the source's date layout (`M/D/YYYY`, `DD.MM.YYYY`).
    public var dateFormat: DateLayout?
    /// A regular expression the raw text must match for the property to be set; with
    /// `replace`, the text is rewritten from its groups (`$1-$2-$3`).
    public var match: String?
    public var replace: String?
    /// Translates raw values (`Violation` -> `violation`); `mapDefault` for the rest.
    public var map: [String: String]?
    public var mapDefault: String?
    /// For list properties: the separator that splits the raw text.
    public var separator: String?
    /// A weak value is kept only when no other mapping of the load sets the property
    /// (e.g. a year-only date that a real decision date from another source replaces).
    public var weak: Bool
    public var location: SourceLocation

    /// The column or template text this property reads, for error messages.
    var originDescription: String {
        switch origin {
        case .column(let c): return "column '\(c)'"
        case .template(let t): return "template '\(t.map(\.source).joined(separator: " | "))'"
        }
    }
}
