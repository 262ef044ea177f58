import Foundation
import LexgraphCore
import Ontology

/// Reading a recipe YAML file (the language is documented in `graphs/README.md`).
/// Every mistake names the recipe's file:line:column; unknown keys are errors, so a
/// typo never silently drops a mapping.
extension Recipe {
    public init(contentsOf path: String, displayName: String? = nil) throws {
        let text: String
        do { text = try YAMLInput.read(path: path, displayName: displayName, what: "recipe") } catch let e as OntologyError {
            throw GraphStoreError(location: e.location, message: e.message)
        }
        try self.init(yaml: text, file: displayName ?? path)
        folder = URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// Where a source or lookup file named in this recipe lives.
    public func resolve(_ file: String, dataFolder: URL) -> URL {
        if file.hasPrefix("./"), let folder { return folder.appendingPathComponent(String(file.dropFirst(2))) }
        return dataFolder.appendingPathComponent(file)
    }

    public init(yaml text: String, file: String) throws {
        do {
            let doc = try YAMLDocument(text: text, file: file)
            try doc.checkKeys(["recipe", "description", "include", "lookups", "sources"], in: "a recipe")
            let name = try doc.requireString("recipe")
            var lookups: [LookupSpec] = []
            for (key, value) in try doc["lookups"]?.requireEntries("lookups") ?? [] {
                lookups.append(try Recipe.parseLookup(name: key, value))
            }
            var sources: [SourceSpec] = []
            for item in try doc["sources"]?.requireItems("sources") ?? [] {
                sources.append(try Recipe.parseSource(item))
            }
            self.init(name: name, description: try doc.optionalString("description"), file: file, folder: nil,
                      includes: try doc.stringList("include"), lookups: lookups, sources: sources)
            try checkLookupNames()
        } catch let e as OntologyError {
            throw GraphStoreError(location: e.location, message: e.message)
        }
    }

    private func checkLookupNames() throws {
        let known = Set(lookups.map(\.name))
        for source in sources {
            for mapping in source.nodes {
                for t in mapping.keys + [mapping.type] + mapping.properties.flatMap(\.template) {
                    for name in t.lookupNames where !known.contains(name) {
                        throw GraphStoreError(location: mapping.location, message: "template '\(t.source)' uses unknown lookup '\(name)'")
                    }
                }
            }
            for mapping in source.edges {
                for t in mapping.from + mapping.to + [mapping.type] + [mapping.key].compactMap({ $0 }) + mapping.properties.flatMap(\.template) {
                    for name in t.lookupNames where !known.contains(name) {
                        throw GraphStoreError(location: mapping.location, message: "template '\(t.source)' uses unknown lookup '\(name)'")
                    }
                }
            }
        }
    }

    static func template(_ doc: YAMLDocument, _ what: String) throws -> Template {
        guard let s = doc.scalar else { throw doc.error("\(what) must be a text template") }
        do { return try Template(s) } catch let e as TemplateError { throw doc.error(e.message) }
    }

    static func templates(_ doc: YAMLDocument, _ what: String) throws -> [Template] {
        if let items = doc.items { return try items.map { try template($0, what) } }
        return [try template(doc, what)]
    }

    static func format(_ doc: YAMLDocument, file: String) throws -> SourceFormat {
        if let f = try doc.optionalString("format") {
            guard let format = SourceFormat(rawValue: f) else {
                throw doc["format"]!.error("unknown format '\(f)' (formats: \(SourceFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return format
        }
        guard let format = SourceFormat.guess(fromPath: file) else {
            throw doc.error("cannot tell the format of '\(file)' from its name: add 'format:'")
        }
        return format
    }

    static func parseLookup(name: String, _ doc: YAMLDocument) throws -> LookupSpec {
        try doc.checkKeys(["file", "format", "key", "value", "object", "where"], in: "lookup '\(name)'")
        let file = try doc.requireString("file")
        let object = try doc.optionalString("object")
        let key = try doc.optionalString("key")
        if object == nil && key == nil { throw doc.error("lookup '\(name)' needs 'key' (a column) and 'value', or 'object' (a member of a JSON object file)") }
        return LookupSpec(name: name, file: file, format: object != nil ? .jsonArray : try format(doc, file: file),
                          keyColumn: key, value: try doc["value"].map { try template($0, "value") },
                          object: object, conditions: try parseConditions(doc["where"]), location: doc.location)
    }

    static func parseConditions(_ doc: YAMLDocument?) throws -> [Condition] {
        guard let doc, !doc.isNull else { return [] }
        let items = doc.items ?? [doc]
        return try items.map { item in
            try item.checkKeys(["column", "equals", "not_equals", "in", "not_empty", "empty"], in: "a where condition")
            let column = try item.requireString("column")
            if let v = try item.optionalString("equals") { return Condition(column: column, test: .equals(v)) }
            if let v = try item.optionalString("not_equals") { return Condition(column: column, test: .notEquals(v)) }
            if item["in"] != nil { return Condition(column: column, test: .oneOf(Set(try item.stringList("in")))) }
            if try item.optionalBool("not_empty") == true { return Condition(column: column, test: .notEmpty) }
            if try item.optionalBool("empty") == true { return Condition(column: column, test: .empty) }
            throw item.error("a where condition needs one of equals, not_equals, in, not_empty: true, empty: true")
        }
    }

    static func parseSource(_ doc: YAMLDocument) throws -> SourceSpec {
        try doc.checkKeys(["file", "format", "where", "nodes", "edges"], in: "a source")
        let file = try doc.requireString("file")
        return SourceSpec(file: file, format: try format(doc, file: file), conditions: try parseConditions(doc["where"]),
                          nodes: try (doc["nodes"]?.requireItems("nodes") ?? []).map(parseNode),
                          edges: try (doc["edges"]?.requireItems("edges") ?? []).map(parseEdge),
                          location: doc.location)
    }

    static func parseDuplicates(_ doc: YAMLDocument) throws -> DuplicatePolicy {
        guard let s = try doc.optionalString("duplicates") else { return .error }
        guard let p = DuplicatePolicy(rawValue: s) else { throw doc["duplicates"]!.error("duplicates must be 'error' or 'first', got '\(s)'") }
        return p
    }

    static func parseEach(_ doc: YAMLDocument?) throws -> EachSpec? {
        guard let doc else { return nil }
        try doc.checkKeys(["column", "separator", "skip"], in: "each")
        return EachSpec(column: try doc.requireString("column"), separator: try doc.optionalString("separator") ?? " ",
                        skip: Set(try doc.stringList("skip")))
    }

    static func parseNode(_ doc: YAMLDocument) throws -> NodeMapping {
        try doc.checkKeys(["key", "type", "properties", "properties_from", "merge", "duplicates", "each"], in: "a node mapping")
        guard let key = doc["key"] else { throw doc.error("a node mapping needs 'key'") }
        guard let type = doc["type"] else { throw doc.error("a node mapping needs 'type'") }
        return NodeMapping(keys: try templates(key, "key"), type: try template(type, "type"),
                           properties: try parseProperties(doc["properties"]),
                           propertiesFrom: try doc.optionalString("properties_from"),
                           merge: try doc.optionalBool("merge") ?? false, duplicates: try parseDuplicates(doc),
                           each: try parseEach(doc["each"]), location: doc.location)
    }

    static func parseEdge(_ doc: YAMLDocument) throws -> EdgeMapping {
        try doc.checkKeys(["type", "from", "to", "key", "properties", "properties_from", "duplicates", "each"], in: "an edge mapping")
        guard let type = doc["type"] else { throw doc.error("an edge mapping needs 'type'") }
        guard let from = doc["from"] else { throw doc.error("an edge mapping needs 'from'") }
        guard let to = doc["to"] else { throw doc.error("an edge mapping needs 'to'") }
        return EdgeMapping(type: try template(type, "type"), from: try templates(from, "from"), to: try templates(to, "to"),
                           key: try doc["key"].map { try template($0, "key") },
                           properties: try parseProperties(doc["properties"]),
                           propertiesFrom: try doc.optionalString("properties_from"),
                           duplicates: try parseDuplicates(doc), each: try parseEach(doc["each"]), location: doc.location)
    }

    static func parseProperties(_ doc: YAMLDocument?) throws -> [PropertyMapping] {
        guard let doc, !doc.isNull else { return [] }
        return try doc.requireEntries("properties").map { name, value in
            if let column = value.scalar {
                return PropertyMapping(name: name, origin: .column(column), weak: false, location: value.location)
            }
            try value.checkKeys(["column", "template", "value", "date", "match", "replace", "map", "default", "separator", "weak"],
                                in: "property '\(name)'")
            let origin: PropertyMapping.Origin
            if let c = try value.optionalString("column") { origin = .column(c) }
            else if let t = value["template"] { origin = .template(try templates(t, "template")) }
            else if let v = try value.optionalString("value") { origin = .template([.literal(v)]) }
            else { throw value.error("property '\(name)' needs 'column', 'template' or 'value'") }
            var layout: DateLayout?
            if let d = try value.optionalString("date") {
                do { layout = try DateLayout(d) } catch let e as TemplateError { throw value["date"]!.error(e.message) }
            }
            var map: [String: String]?
            if let m = value["map"] {
                map = Dictionary(try m.requireEntries("map").map { k, v in
                    guard let s = v.scalar else { throw v.error("map values must be scalars") }
                    return (k, s)
                }, uniquingKeysWith: { a, _ in a })
            }
            if let pattern = try value.optionalString("match"), (try? NSRegularExpression(pattern: pattern)) == nil {
                throw value["match"]!.error("invalid regular expression '\(pattern)'")
            }
            return PropertyMapping(name: name, origin: origin, dateFormat: layout, match: try value.optionalString("match"),
                                   replace: try value.optionalString("replace"), map: map, mapDefault: try value.optionalString("default"),
                                   separator: try value.optionalString("separator"), weak: try value.optionalBool("weak") ?? false,
                                   location: value.location)
        }
    }
}

extension PropertyMapping {
    var template: [Template] {
        if case .template(let t) = origin { return t }
        return []
    }
}
