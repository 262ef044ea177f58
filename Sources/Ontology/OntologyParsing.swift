import LexgraphCore

/// Reading an ontology document (`ontology/legal-core.yaml`):
///
/// ```yaml
/// ontology: legal-core
/// version: 1
/// identifier_formats:
///   us_reports: {pattern: '[0-9]+ U\.S\. [0-9_]+', example: 384 U.S. 436}
/// node_types:
///   LegalAuthority: {abstract: true, properties: {name: {type: string, required: true}}}
///   Case: {is_a: LegalAuthority, valid_from: decision_date, properties: {decision_date: date}}
/// edge_types:
///   CITES: {from: Case, to: LegalAuthority, properties: {treatment: {type: string, values: [followed, cited]}}}
/// ```
///
/// A property may be written in full (`{type: date, required: true}`) or as just its
/// type (`date`). Every error names file:line:column.
extension Ontology {
    public static let documentKeys: Set<String> = ["ontology", "version", "description", "identifier_formats", "node_types", "edge_types"]

    public init(yaml text: String, file: String) throws {
        let doc = try YAMLDocument(text: text, file: file)
        try self.init(document: doc)
    }

    public init(document doc: YAMLDocument) throws {
        try doc.checkKeys(Ontology.documentKeys, in: "an ontology document")
        let name = try doc.requireString("ontology")
        guard let version = try doc.optionalInt("version"), version >= 1 else {
            throw doc.error("an ontology needs 'version: N' with N >= 1")
        }
        var formats: [String: IdentifierFormat] = [:]
        for (key, value) in try doc["identifier_formats"]?.requireEntries("identifier_formats") ?? [] {
            formats[key] = try Ontology.parseFormat(name: key, value)
        }
        var nodes: [String: NodeType] = [:]
        for (key, value) in try doc["node_types"]?.requireEntries("node_types") ?? [] {
            guard nodes[key] == nil else { throw value.error("node type '\(key)' is declared twice") }
            nodes[key] = try Ontology.parseNodeType(name: key, value)
        }
        var edges: [String: EdgeType] = [:]
        for (key, value) in try doc["edge_types"]?.requireEntries("edge_types") ?? [] {
            guard edges[key] == nil else { throw value.error("edge type '\(key)' is declared twice") }
            edges[key] = try Ontology.parseEdgeType(name: key, value)
        }
        self.init(name: name, version: version, nodeTypes: nodes, edgeTypes: edges, identifierFormats: formats,
                  description: try doc.optionalString("description"))
        let problems = check()
        if let first = problems.first {
            throw OntologyError(location: SourceLocation(file: doc.file), message: first + (problems.count > 1 ? " (and \(problems.count - 1) more problem(s))" : ""))
        }
    }

    static func parseFormat(name: String, _ value: YAMLDocument) throws -> IdentifierFormat {
        if let pattern = value.scalar {
            guard IdentifierMatcher.isValidPattern(pattern) else { throw value.error("identifier format '\(name)': invalid regular expression") }
            return IdentifierFormat(name: name, pattern: pattern)
        }
        try value.checkKeys(["pattern", "example", "description"], in: "identifier format '\(name)'")
        let pattern = try value.requireString("pattern")
        guard IdentifierMatcher.isValidPattern(pattern) else { throw value["pattern"]!.error("identifier format '\(name)': invalid regular expression") }
        let format = IdentifierFormat(name: name, pattern: pattern, example: try value.optionalString("example"),
                                      description: try value.optionalString("description"))
        if let example = format.example, !IdentifierMatcher.matches(example, pattern: pattern) {
            throw value["example"]!.error("identifier format '\(name)': its own example '\(example)' does not match the pattern")
        }
        return format
    }

    public static func parseProperty(name: String, _ value: YAMLDocument) throws -> PropertySpec {
        if let typeName = value.scalar {
            guard let type = PropertyType(rawValue: typeName) else {
                throw value.error("property '\(name)': unknown type '\(typeName)' (types: \(PropertyType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return PropertySpec(name: name, type: type)
        }
        try value.checkKeys(["type", "required", "format", "values", "description"], in: "property '\(name)'")
        let typeName = try value.requireString("type")
        guard let type = PropertyType(rawValue: typeName) else {
            throw value["type"]!.error("property '\(name)': unknown type '\(typeName)' (types: \(PropertyType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let values = try value.stringList("values")
        return PropertySpec(name: name, type: type, required: try value.optionalBool("required") ?? false,
                            format: try value.optionalString("format"), allowedValues: values.isEmpty ? nil : values,
                            description: try value.optionalString("description"))
    }

    static func parseProperties(_ value: YAMLDocument?, owner: String) throws -> [String: PropertySpec] {
        var result: [String: PropertySpec] = [:]
        for (key, spec) in try value?.requireEntries("properties of \(owner)") ?? [] {
            guard result[key] == nil else { throw spec.error("property '\(key)' of \(owner) is declared twice") }
            result[key] = try parseProperty(name: key, spec)
        }
        return result
    }

    public static func parseNodeType(name: String, _ value: YAMLDocument) throws -> NodeType {
        if value.isNull { return NodeType(name: name) }
        try value.checkKeys(["is_a", "abstract", "properties", "valid_from", "description"], in: "node type '\(name)'")
        return NodeType(name: name, parent: try value.optionalString("is_a"), isAbstract: try value.optionalBool("abstract") ?? false,
                        properties: try parseProperties(value["properties"], owner: "node type '\(name)'"),
                        validFromProperty: try value.optionalString("valid_from"),
                        description: try value.optionalString("description"))
    }

    public static func parseEdgeType(name: String, _ value: YAMLDocument) throws -> EdgeType {
        try value.checkKeys(["from", "to", "properties", "description"], in: "edge type '\(name)'")
        let from = try value.stringList("from"), to = try value.stringList("to")
        guard !from.isEmpty else { throw value.error("edge type '\(name)' needs 'from' (its domain)") }
        guard !to.isEmpty else { throw value.error("edge type '\(name)' needs 'to' (its range)") }
        return EdgeType(name: name, from: from, to: to,
                        properties: try parseProperties(value["properties"], owner: "edge type '\(name)'"),
                        description: try value.optionalString("description"))
    }

    /// Structural problems: unknown parents, cycles, domains/ranges naming unknown
    /// types, unknown identifier formats, a `valid_from` that is not a date property.
    public func check() -> [String] {
        var problems: [String] = []
        for type in nodeTypes.values.sorted(by: { $0.name < $1.name }) {
            if let parent = type.parent {
                if nodeTypes[parent] == nil {
                    problems.append("node type '\(type.name)' is_a unknown type '\(parent)'" + suggestion(for: parent, among: Array(nodeTypes.keys)))
                } else if ancestors(of: parent).contains(type.name) {
                    problems.append("node type '\(type.name)' is part of an is_a cycle")
                }
            }
            if let p = type.validFromProperty, properties(ofNodeType: type.name)[p]?.type != .date {
                problems.append("node type '\(type.name)': valid_from names '\(p)', which is not a date property of it")
            }
            problems += formatProblems(type.properties, owner: "node type '\(type.name)'")
        }
        for type in edgeTypes.values.sorted(by: { $0.name < $1.name }) {
            for end in type.from + type.to where nodeTypes[end] == nil {
                problems.append("edge type '\(type.name)' names unknown node type '\(end)'" + suggestion(for: end, among: Array(nodeTypes.keys)))
            }
            problems += formatProblems(type.properties, owner: "edge type '\(type.name)'")
        }
        return problems
    }

    private func formatProblems(_ specs: [String: PropertySpec], owner: String) -> [String] {
        specs.values.sorted(by: { $0.name < $1.name }).compactMap { spec in
            guard let f = spec.format, identifierFormats[f] == nil else { return nil }
            return "\(owner): property '\(spec.name)' names unknown identifier format '\(f)'"
        }
    }
}
