import LexgraphCore
import Yams

/// A YAML node together with the file it came from, so every error about a curator's
/// file (ontology, update, recipe) can say `file:line:column`. A thin reader over Yams'
/// composed node tree; used by the ontology and by graph recipes.
public struct YAMLDocument {
    public let file: String
    let node: Yams.Node

    /// Parses YAML text. A syntax error, a key repeated in a mapping or nesting past
    /// libyaml's limit becomes an `OntologyError` at its line, quoting at most that line;
    /// text over the size cap is refused first (`YAMLInput`).
    public init(text: String, file: String) throws {
        self.file = file
        try YAMLInput.check(text, file: file)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw OntologyError(location: SourceLocation(file: file, line: 1), message: "empty YAML document")
            }
            self.node = node
        } catch let error as YamlError {
            throw YAMLInput.error(error, text: text, file: file)
        }
    }

    init(file: String, node: Yams.Node) {
        self.file = file
        self.node = node
    }

    public var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    public func error(_ message: String) -> OntologyError {
        OntologyError(location: location, message: message)
    }

    /// The scalar text, or nil for mappings and sequences.
    public var scalar: String? {
        if case .scalar(let s) = node { return s.string }
        return nil
    }

    public var isNull: Bool {
        // Only a plain scalar means null: a quoted 'null' is the text "null".
        if case .scalar(let s) = node { return s.style == .plain && (s.string == "~" || s.string == "null" || s.string.isEmpty) }
        return false
    }

    /// Mapping entries in file order.
    public var entries: [(key: String, value: YAMLDocument)]? {
        guard case .mapping(let m) = node else { return nil }
        return m.map { (key: $0.key.string ?? "", value: YAMLDocument(file: file, node: $0.value)) }
    }

    public var items: [YAMLDocument]? {
        guard case .sequence(let s) = node else { return nil }
        return s.map { YAMLDocument(file: file, node: $0) }
    }

    public subscript(key: String) -> YAMLDocument? {
        entries?.first(where: { $0.key == key })?.value
    }

    // MARK: Typed accessors that throw positioned errors

    public func requireEntries(_ what: String) throws -> [(key: String, value: YAMLDocument)] {
        guard let e = entries else { throw error("\(what) must be a mapping") }
        return e
    }

    public func requireItems(_ what: String) throws -> [YAMLDocument] {
        guard let i = items else { throw error("\(what) must be a list") }
        return i
    }

    public func requireString(_ key: String) throws -> String {
        guard let v = self[key] else { throw error("missing required key '\(key)'") }
        guard let s = v.scalar else { throw v.error("'\(key)' must be a scalar") }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let v = self[key], !v.isNull else { return nil }
        guard let s = v.scalar else { throw v.error("'\(key)' must be a scalar") }
        return s
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let s = try optionalString(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw self[key]!.error("'\(key)' must be true or false, got '\(s)'")
        }
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard let s = try optionalString(key) else { return nil }
        guard let i = Int(s) else { throw self[key]!.error("'\(key)' must be an integer, got '\(s)'") }
        return i
    }

    /// A scalar or a list of scalars, as a list.
    public func stringList(_ key: String) throws -> [String] {
        guard let v = self[key], !v.isNull else { return [] }
        if let s = v.scalar { return [s] }
        guard let items = v.items else { throw v.error("'\(key)' must be a name or a list of names") }
        return try items.map { item in
            guard let s = item.scalar else { throw item.error("'\(key)' entries must be scalars") }
            return s
        }
    }

    /// Rejects keys outside `allowed`, so a typo in a curator's file is an error, not a
    /// silently ignored setting.
    public func checkKeys(_ allowed: Set<String>, in what: String) throws {
        for (key, value) in try requireEntries(what) where !allowed.contains(key) {
            throw value.error("unknown key '\(key)' in \(what) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
