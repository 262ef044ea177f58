import Foundation
import LexgraphCore

/// A dated, numbered ontology update: the only way an ontology changes after its first
/// release. Lives in `ontology/updates/NNNN-YYYY-MM-DD-slug.yaml` (see the README there):
///
/// ```yaml
/// update: 2                 # the version it produces; applies on version 1 only
/// date: 2026-11-29
/// base_version: 1
/// description: Call ECtHR judgments by the Court's own term; add the importance level.
/// changes:
///   - op: rename_node_type
///     from: ECtHRCase
///     to: ECtHRJudgment
///     migrate: true          # carry stored nodes over (type and label)
///   - op: add_property
///     node_type: ECtHRJudgment
///     name: importance_level
///     definition: {type: int, description: ECtHR importance level 1-4.}
/// ```
///
/// Operations (`op:`), with the keys each takes:
/// - additive: `add_node_type` / `add_edge_type` / `add_identifier_format` (`name`,
///   `definition` as in an ontology document), `add_property` (owner, `name`,
///   `definition`, optional `default` to fill when required), `add_allowed_values` /
///   `remove_allowed_values` (owner, `property`, `values`), `make_optional` (owner,
///   `property`), `set_description` (optional target, `description`);
/// - renames: `rename_node_type` / `rename_edge_type` (`from`, `to`, `migrate`),
///   `rename_property` (owner, `from`, `to`, `migrate`);
/// - data: `map_values` (owner, `property`, `mapping: {old: new}`);
/// - breaking: `remove_node_type` / `remove_edge_type` / `remove_identifier_format`
///   (`name`), `remove_property` (owner, `property`), `change_property_type` (owner,
///   `property`, `type`), `make_required` (owner, `property`, optional `default`),
///   `set_parent` (`node_type`, `is_a`, null for a root), `redefine_node_type` /
///   `redefine_edge_type` / `redefine_identifier_format` (`name`, `definition`),
///   `redefine_property` (owner, `property`, `definition`).
///
/// "Owner" is `node_type: T` or `edge_type: E`. Changes apply in file order, so a
/// `map_values` before a `remove_allowed_values` migrates the values being removed.
public struct OntologyUpdate: Sendable {
    /// The ontology version this update produces.
    public var number: Int
    public var date: LegalDate
    /// The version it applies to: always `number - 1`.
    public var baseVersion: Int
    public var description: String
    public var changes: [LocatedChange]
    public var file: String
    /// SHA-256 of the file's text: what the store's history compares to tell "already
    /// applied" from "a different update with the same number".
    public var checksum: String

    public static let documentKeys: Set<String> = ["update", "date", "base_version", "description", "changes"]

    public init(number: Int, date: LegalDate, baseVersion: Int, description: String, changes: [LocatedChange], file: String, checksum: String) {
        self.number = number
        self.date = date
        self.baseVersion = baseVersion
        self.description = description
        self.changes = changes
        self.file = file
        self.checksum = checksum
    }

    public init(yaml text: String, file: String) throws {
        let doc = try YAMLDocument(text: text, file: file)
        try self.init(document: doc, checksum: Checksum.sha256Hex(text))
    }

    /// Whether a parsed YAML file is an update (it has `update:`) rather than an ontology.
    public static func isUpdate(_ doc: YAMLDocument) -> Bool { doc["update"] != nil }

    public init(document doc: YAMLDocument, checksum: String) throws {
        try doc.checkKeys(OntologyUpdate.documentKeys, in: "an ontology update")
        guard let number = try doc.optionalInt("update"), number >= 2 else {
            throw doc.error("an update needs 'update: N' with N >= 2 (version 1 is the ontology document itself)")
        }
        let dateText = try doc.requireString("date")
        guard let date = LegalDate(iso: dateText) else { throw doc["date"]!.error("'date' must be YYYY-MM-DD, got '\(dateText)'") }
        guard let base = try doc.optionalInt("base_version") else { throw doc.error("missing required key 'base_version'") }
        guard base == number - 1 else {
            throw doc["base_version"]!.error("update \(number) must apply to version \(number - 1), but says base_version: \(base)")
        }
        let description = try doc.requireString("description")
        guard let changesNode = doc["changes"] else { throw doc.error("missing required key 'changes'") }
        let items = try changesNode.requireItems("'changes'")
        guard !items.isEmpty else { throw changesNode.error("'changes' is empty: an update must change something") }
        let changes = try items.map { LocatedChange(try OntologyUpdate.parseChange($0), location: $0.location) }
        try OntologyUpdate.checkFileName(doc.file, number: number, date: date, at: doc)
        self.init(number: number, date: date, baseVersion: base, description: description, changes: changes,
                  file: doc.file, checksum: checksum)
    }

    /// `0002-2026-11-29-slug.yaml` must say `update: 2` and `date: 2026-11-29`; other
    /// file names are not checked (tests write updates anywhere).
    static func checkFileName(_ path: String, number: Int, date: LegalDate, at doc: YAMLDocument) throws {
        let name = (path as NSString).lastPathComponent
        let parts = name.split(separator: "-", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 4, let fileNumber = Int(parts[0]),
              let fileDate = LegalDate(iso: "\(parts[1])-\(parts[2])-\(parts[3].prefix(2))") else { return }
        if fileNumber != number { throw doc["update"]!.error("the file name says update \(fileNumber) but the file says update: \(number)") }
        if fileDate != date { throw doc["date"]!.error("the file name says \(fileDate) but the file says date: \(date)") }
    }
}

// MARK: - Parsing one change

extension OntologyUpdate {
    static let operations: [String: Set<String>] = [
        "add_node_type": ["name", "definition"],
        "add_edge_type": ["name", "definition"],
        "add_identifier_format": ["name", "definition"],
        "add_property": ["node_type", "edge_type", "name", "definition", "default"],
        "add_allowed_values": ["node_type", "edge_type", "property", "values"],
        "remove_allowed_values": ["node_type", "edge_type", "property", "values"],
        "make_optional": ["node_type", "edge_type", "property"],
        "set_description": ["node_type", "edge_type", "identifier_format", "property", "description"],
        "rename_node_type": ["from", "to", "migrate"],
        "rename_edge_type": ["from", "to", "migrate"],
        "rename_property": ["node_type", "edge_type", "from", "to", "migrate"],
        "map_values": ["node_type", "edge_type", "property", "mapping"],
        "remove_node_type": ["name"],
        "remove_edge_type": ["name"],
        "remove_identifier_format": ["name"],
        "remove_property": ["node_type", "edge_type", "property"],
        "change_property_type": ["node_type", "edge_type", "property", "type"],
        "make_required": ["node_type", "edge_type", "property", "default"],
        "set_parent": ["node_type", "is_a"],
        "redefine_node_type": ["name", "definition"],
        "redefine_edge_type": ["name", "definition"],
        "redefine_identifier_format": ["name", "definition"],
        "redefine_property": ["node_type", "edge_type", "property", "definition"],
    ]

    public static func parseChange(_ item: YAMLDocument) throws -> OntologyChange {
        _ = try item.requireEntries("a change")
        let op = try item.requireString("op")
        guard let keys = operations[op] else {
            let known = Array(operations.keys)
            let hint = Ontology.closest(to: op, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw item["op"]!.error("unknown operation '\(op)'\(hint); operations: \(known.sorted().joined(separator: ", "))")
        }
        try item.checkKeys(keys.union(["op"]), in: "\(op)")
        switch op {
        case "add_node_type":
            let name = try identifier(item, "name")
            return .addNodeType(try Ontology.parseNodeType(name: name, try definition(item, op)))
        case "add_edge_type":
            let name = try identifier(item, "name")
            return .addEdgeType(try Ontology.parseEdgeType(name: name, try definition(item, op)))
        case "add_identifier_format":
            let name = try identifier(item, "name")
            return .addIdentifierFormat(try Ontology.parseFormat(name: name, try definition(item, op)))
        case "add_property":
            let owner = try owner(item, op)
            let spec = try Ontology.parseProperty(name: try identifier(item, "name"), try definition(item, op))
            return .addProperty(owner, spec, fill: try fillValue(item, type: spec.type))
        case "add_allowed_values":
            return .addAllowedValues(try owner(item, op), property: try identifier(item, "property"), values: try values(item))
        case "remove_allowed_values":
            return .removeAllowedValues(try owner(item, op), property: try identifier(item, "property"), values: try values(item))
        case "make_optional":
            return .makeOptional(try owner(item, op), property: try identifier(item, "property"))
        case "set_description":
            let text = try item.optionalString("description")
            if let format = try item.optionalString("identifier_format") { return .setDescription(.identifierFormat(format), text) }
            if item["node_type"] == nil && item["edge_type"] == nil { return .setDescription(.ontology, text) }
            let owner = try owner(item, op)
            if let p = try item.optionalString("property") { return .setDescription(.property(owner, p), text) }
            switch owner {
            case .nodeType(let n): return .setDescription(.nodeType(n), text)
            case .edgeType(let n): return .setDescription(.edgeType(n), text)
            }
        case "rename_node_type":
            return .renameNodeType(from: try identifier(item, "from"), to: try identifier(item, "to"), migrate: try item.optionalBool("migrate") ?? false)
        case "rename_edge_type":
            return .renameEdgeType(from: try identifier(item, "from"), to: try identifier(item, "to"), migrate: try item.optionalBool("migrate") ?? false)
        case "rename_property":
            return .renameProperty(try owner(item, op), from: try identifier(item, "from"), to: try identifier(item, "to"),
                                   migrate: try item.optionalBool("migrate") ?? false)
        case "map_values":
            guard let node = item["mapping"] else { throw item.error("map_values needs 'mapping: {old: new, ...}'") }
            let mapping = try node.requireEntries("'mapping'").map { entry in
                guard let new = entry.value.scalar, !entry.value.isNull else {
                    throw entry.value.error("'mapping' values must be text (the new value for '\(entry.key)')")
                }
                return ValueMapping(old: entry.key, new: new)
            }
            guard !mapping.isEmpty else { throw node.error("'mapping' is empty") }
            return .mapValues(try owner(item, op), property: try identifier(item, "property"), mapping: mapping)
        case "remove_node_type": return .removeNodeType(try identifier(item, "name"))
        case "remove_edge_type": return .removeEdgeType(try identifier(item, "name"))
        case "remove_identifier_format": return .removeIdentifierFormat(try identifier(item, "name"))
        case "remove_property": return .removeProperty(try owner(item, op), property: try identifier(item, "property"))
        case "change_property_type":
            let typeName = try item.requireString("type")
            guard let type = PropertyType(rawValue: typeName) else {
                throw item["type"]!.error("unknown type '\(typeName)' (types: \(PropertyType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .changePropertyType(try owner(item, op), property: try identifier(item, "property"), to: type)
        case "make_required":
            // The default's type is checked against the property when the change is planned.
            return .makeRequired(try owner(item, op), property: try identifier(item, "property"), fill: try fillValue(item, type: nil))
        case "set_parent":
            return .setParent(nodeType: try identifier(item, "node_type"), parent: try item.optionalString("is_a"))
        case "redefine_node_type":
            let name = try identifier(item, "name")
            return .redefineNodeType(try Ontology.parseNodeType(name: name, try definition(item, op)))
        case "redefine_edge_type":
            let name = try identifier(item, "name")
            return .redefineEdgeType(try Ontology.parseEdgeType(name: name, try definition(item, op)))
        case "redefine_identifier_format":
            let name = try identifier(item, "name")
            return .redefineIdentifierFormat(try Ontology.parseFormat(name: name, try definition(item, op)))
        default: // "redefine_property"
            let spec = try Ontology.parseProperty(name: try identifier(item, "property"), try definition(item, op))
            return .redefineProperty(try owner(item, op), spec)
        }
    }

    /// A type or property name: letters, digits and `_`, not starting with a digit.
    static func identifier(_ item: YAMLDocument, _ key: String) throws -> String {
        let name = try item.requireString(key)
        let ok = name.unicodeScalars.first.map { !("0"..."9").contains($0) } == true
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        guard ok else { throw item[key]!.error("'\(key)' must be a name (letters, digits, _), got '\(name)'") }
        return name
    }

    static func owner(_ item: YAMLDocument, _ op: String) throws -> PropertyOwner {
        switch (item["node_type"], item["edge_type"]) {
        case (.some, nil): return .nodeType(try identifier(item, "node_type"))
        case (nil, .some): return .edgeType(try identifier(item, "edge_type"))
        case (.some, .some): throw item.error("\(op): give either 'node_type' or 'edge_type', not both")
        case (nil, nil): throw item.error("\(op) needs 'node_type: T' or 'edge_type: E' (the type that declares the property)")
        }
    }

    static func definition(_ item: YAMLDocument, _ op: String) throws -> YAMLDocument {
        guard let d = item["definition"] else { throw item.error("\(op) needs 'definition:' (written as in an ontology document)") }
        return d
    }

    static func values(_ item: YAMLDocument) throws -> [String] {
        let values = try item.stringList("values")
        guard !values.isEmpty else { throw item.error("needs 'values: [a, b, ...]'") }
        return values
    }

    /// `default:` as a value of the property's type (with `type` nil: its text).
    static func fillValue(_ item: YAMLDocument, type: PropertyType?) throws -> Value? {
        guard let node = item["default"], !node.isNull else { return nil }
        guard let text = node.scalar else { throw node.error("'default' must be a single value") }
        guard let value = PropertyType.value(fromText: text, as: type) else {
            throw node.error("'default' \(text) is not a \(type?.rawValue ?? "scalar")")
        }
        return value
    }
}

extension PropertyType {
    /// The value YAML text `text` denotes for a property of this type; nil `type` keeps
    /// the text (a `make_required` default is typed once the property is known).
    public static func value(fromText text: String, as type: PropertyType?) -> Value? {
        guard let type else { return .string(text) }
        return type.converting(.string(text))
    }

    /// `value` as a value of this type, when it converts without loss of meaning
    /// (`"12"` → `12` for int, `3` → `3.0` for float, `12` → `"12"` for string); nil when
    /// it does not. Null stays null. Used by `change_property_type` and defaults.
    public func converting(_ value: Value) -> Value? {
        if value.isNull { return .null }
        switch (self, value) {
        case (.string, .string), (.text, .string), (.int, .int), (.float, .float), (.bool, .bool), (.list, .list): return value
        case (.string, .int(let i)), (.text, .int(let i)): return .string(String(i))
        case (.string, .float(let d)), (.text, .float(let d)): return .string(String(d))
        case (.string, .bool(let b)), (.text, .bool(let b)): return .string(b ? "true" : "false")
        case (.int, .float(let d)): return d == d.rounded() && abs(d) < 9e18 ? .int(Int64(d)) : nil
        case (.int, .string(let s)): return Int64(s.trimmingCharacters(in: .whitespaces)).map(Value.int)
        case (.float, .int(let i)): return .float(Double(i))
        case (.float, .string(let s)): return Double(s.trimmingCharacters(in: .whitespaces)).map(Value.float)
        case (.bool, .string(let s)):
            switch s.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: return nil
            }
        case (.date, .string(let s)): return LegalDate(iso: s).map { .string($0.iso) }
        default: return nil
        }
    }
}
