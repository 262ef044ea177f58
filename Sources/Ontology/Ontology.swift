import LexgraphCore

/// The curator-owned schema of the legal graph: node types in an is-a hierarchy, edge
/// types with domain and range, typed properties and identifier formats. Every write to
/// the store is checked against the active ontology.
///
/// A `permissive` ontology accepts any label, type and property (the openCypher TCK's
/// graphs are schema-free); the store records which mode a database runs in.
public struct Ontology: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var nodeTypes: [String: NodeType]
    public var edgeTypes: [String: EdgeType]
    public var identifierFormats: [String: IdentifierFormat]
    public var isPermissive: Bool
    /// The document's own `description:` (what this ontology covers).
    public var description: String?

    public init(name: String, version: Int, nodeTypes: [String: NodeType] = [:], edgeTypes: [String: EdgeType] = [:],
                identifierFormats: [String: IdentifierFormat] = [:], isPermissive: Bool = false, description: String? = nil) {
        self.name = name
        self.version = version
        self.description = description
        self.nodeTypes = nodeTypes
        self.edgeTypes = edgeTypes
        self.identifierFormats = identifierFormats
        self.isPermissive = isPermissive
    }

    /// Schema-free mode: any node label, edge type and property is accepted.
    public static let permissive = Ontology(name: "permissive", version: 0, isPermissive: true)

    // MARK: Hierarchy

    /// The chain from `type` up to the root, `type` first. Stops on a cycle (which
    /// `check()` reports) rather than looping.
    public func ancestors(of type: String) -> [String] {
        var chain: [String] = []
        var current: String? = type
        while let name = current, !chain.contains(name) {
            chain.append(name)
            current = nodeTypes[name]?.parent
        }
        return chain
    }

    public func isA(_ type: String, _ ancestor: String) -> Bool {
        ancestors(of: type).contains(ancestor)
    }

    /// `type` and every type below it, sorted: what a query label `(:Type)` matches.
    public func subtypes(of type: String) -> [String] {
        nodeTypes.keys.filter { isA($0, type) }.sorted()
    }

    /// Declared and inherited properties of a node type; a subtype's declaration wins.
    public func properties(ofNodeType type: String) -> [String: PropertySpec] {
        var result: [String: PropertySpec] = [:]
        for name in ancestors(of: type).reversed() {
            for (key, spec) in nodeTypes[name]?.properties ?? [:] { result[key] = spec }
        }
        return result
    }

    /// The property that dates a node of this type when it has no explicit `valid_from`.
    public func validFromProperty(ofNodeType type: String) -> String? {
        for name in ancestors(of: type) {
            if let p = nodeTypes[name]?.validFromProperty { return p }
        }
        return nil
    }

    /// Every text-typed property name, across node types: what the full-text index covers.
    public var textPropertyNames: Set<String> {
        var names = Set<String>()
        for type in nodeTypes.values {
            for spec in type.properties.values where spec.type == .text { names.insert(spec.name) }
        }
        return names
    }

    // MARK: Validation of values

    /// Everything wrong with a node of `type` carrying `properties`. Empty means valid.
    public func violations(nodeType type: String, properties: [String: Value]) -> [String] {
        violations(nodeType: type, properties: properties) { self.properties(ofNodeType: $0) }
    }

    /// The same check with the type's effective properties supplied by `effective`
    /// (which `NodeChecker` memoizes).
    func violations(nodeType type: String, properties: [String: Value],
                    effective: (String) -> [String: PropertySpec]) -> [String] {
        if isPermissive { return [] }
        guard let nodeType = nodeTypes[type] else {
            return ["unknown node type '\(type)'" + suggestion(for: type, among: Array(nodeTypes.keys))]
        }
        if nodeType.isAbstract { return ["node type '\(type)' is abstract; use one of its subtypes: \(subtypes(of: type).filter { $0 != type }.joined(separator: ", "))"] }
        return violations(of: properties, against: effective(type), owner: "node type '\(type)'")
    }

    /// Everything wrong with an edge of `type` from a `fromType` node to a `toType` node.
    public func violations(edgeType type: String, fromType: String, toType: String, properties: [String: Value]) -> [String] {
        if isPermissive { return [] }
        guard let edgeType = edgeTypes[type] else {
            return ["unknown edge type '\(type)'" + suggestion(for: type, among: Array(edgeTypes.keys))]
        }
        var problems: [String] = []
        if !edgeType.from.contains(where: { isA(fromType, $0) }) {
            problems.append("edge type '\(type)' cannot start at a \(fromType) (domain: \(edgeType.from.joined(separator: ", ")))")
        }
        if !edgeType.to.contains(where: { isA(toType, $0) }) {
            problems.append("edge type '\(type)' cannot end at a \(toType) (range: \(edgeType.to.joined(separator: ", ")))")
        }
        problems += violations(of: properties, against: edgeType.properties, owner: "edge type '\(type)'")
        return problems
    }

    func violations(of properties: [String: Value], against specs: [String: PropertySpec], owner: String) -> [String] {
        // The common case, everything fits, is answered without sorting anything; the
        // sorted walk below only runs to list the problems in a stable order.
        if specs.values.allSatisfy({ !$0.required || !(properties[$0.name] ?? .null).isNull }),
           properties.allSatisfy({ key, value in specs[key].map { problem(with: value, for: $0) == nil } ?? false }) {
            return []
        }
        var problems: [String] = []
        for spec in specs.values.sorted(by: { $0.name < $1.name }) where spec.required {
            if properties[spec.name] == nil || properties[spec.name] == .null {
                problems.append("missing required property '\(spec.name)' of \(owner)")
            }
        }
        for key in properties.keys.sorted() {
            let value = properties[key]!
            guard let spec = specs[key] else {
                problems.append("unknown property '\(key)' for \(owner)" + suggestion(for: key, among: Array(specs.keys)))
                continue
            }
            if let problem = problem(with: value, for: spec) { problems.append(problem) }
        }
        return problems
    }

    /// Why `value` does not fit `spec`, or nil when it does. Null is always allowed for
    /// optional properties (it means "unknown").
    public func problem(with value: Value, for spec: PropertySpec) -> String? {
        if value.isNull { return nil }
        let ok: Bool
        switch spec.type {
        case .string, .text: ok = value.stringValue != nil
        case .int: ok = value.intValue != nil
        case .float: ok = value.doubleValue != nil
        case .bool: ok = value.boolValue != nil
        case .date: ok = value.stringValue.flatMap { LegalDate(iso: $0) } != nil
        case .list: if case .list = value { ok = true } else { ok = false }
        }
        guard ok else {
            return "property '\(spec.name)' must be \(spec.type.rawValue)\(spec.type == .date ? " (YYYY-MM-DD)" : ""), got \(value.jsonText)"
        }
        if let allowed = spec.allowedValues, let s = value.stringValue, !allowed.contains(s) {
            return "property '\(spec.name)' value \(value.jsonText) is not one of: \(allowed.joined(separator: ", "))"
        }
        if let formatName = spec.format, let s = value.stringValue {
            guard let format = identifierFormats[formatName] else {
                return "property '\(spec.name)' names unknown identifier format '\(formatName)'"
            }
            if !IdentifierMatcher.matches(s, pattern: format.pattern) {
                return "property '\(spec.name)' value \(value.jsonText) is not a valid \(formatName)" + (format.example.map { " (e.g. \($0))" } ?? "")
            }
        }
        return nil
    }

    /// " (did you mean 'X'?)" for the closest known name, or "".
    public func suggestion(for name: String, among candidates: [String]) -> String {
        guard let best = Ontology.closest(to: name, among: candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    /// The candidate with the smallest edit distance, case-insensitively, if it is close
    /// enough to be a plausible typo.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        var best: (String, Int)?
        for candidate in candidates {
            let d = editDistance(target, Array(candidate.lowercased()))
            if d <= max(2, target.count / 3), best == nil || d < best!.1 || (d == best!.1 && candidate < best!.0) {
                best = (candidate, d)
            }
        }
        return best?.0
    }

    /// Levenshtein distance between two character sequences.
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Checks many nodes against one ontology, working out each node type's effective
/// (declared and inherited) properties once rather than per node: a bulk load checks
/// tens of thousands of nodes of a handful of types. Answers exactly as
/// `Ontology.violations(nodeType:properties:)` does.
public struct NodeChecker {
    public let ontology: Ontology
    private var effective: [String: [String: PropertySpec]] = [:]

    public init(_ ontology: Ontology) {
        self.ontology = ontology
    }

    public mutating func violations(nodeType type: String, properties: [String: Value]) -> [String] {
        let specs: [String: PropertySpec]
        if let known = effective[type] { specs = known } else {
            specs = ontology.properties(ofNodeType: type)
            effective[type] = specs
        }
        return ontology.violations(nodeType: type, properties: properties) { _ in specs }
    }
}
