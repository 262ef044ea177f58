import LexgraphCore

/// The type that declares a property: a node type (whose subtypes inherit it) or an
/// edge type.
public enum PropertyOwner: Sendable, Hashable, CustomStringConvertible {
    case nodeType(String)
    case edgeType(String)

    public var name: String {
        switch self {
        case .nodeType(let n), .edgeType(let n): return n
        }
    }

    public var description: String {
        switch self {
        case .nodeType(let n): return "node type '\(n)'"
        case .edgeType(let n): return "edge type '\(n)'"
        }
    }
}

/// What `set_description` describes.
public enum DescribedElement: Sendable, Hashable, CustomStringConvertible {
    case ontology
    case nodeType(String)
    case edgeType(String)
    case property(PropertyOwner, String)
    case identifierFormat(String)

    public var description: String {
        switch self {
        case .ontology: return "the ontology"
        case .nodeType(let n): return "node type '\(n)'"
        case .edgeType(let n): return "edge type '\(n)'"
        case .property(let owner, let p): return "property '\(p)' of \(owner)"
        case .identifierFormat(let n): return "identifier format '\(n)'"
        }
    }
}

/// One old → new value of a `map_values` change.
public struct ValueMapping: Sendable, Hashable {
    public var old: String
    public var new: String

    public init(old: String, new: String) {
        self.old = old
        self.new = new
    }
}

/// How a change relates to data already stored under the previous version.
///
/// - `additive`: everything valid before stays valid; applies directly.
/// - `dataMigration`: rewrites stored values but leaves the schema alone (`map_values`).
/// - `breaking`: stored items may stop being valid (a removal, a rename, a tightening).
///   The store refuses it with the count of affected items unless nothing is affected or
///   the change carries its migration (`migrate: true`, a `default:`, `--force` to drop).
public enum ChangeImpact: String, Sendable {
    case additive
    case dataMigration = "data migration"
    case breaking
}

/// One operation of an ontology update (see `OntologyUpdate` for the file syntax).
public enum OntologyChange: Sendable, Equatable {
    // Additive
    case addNodeType(NodeType)
    case addEdgeType(EdgeType)
    /// A required property is breaking (existing items lack it) unless `fill` gives the
    /// value to store in them.
    case addProperty(PropertyOwner, PropertySpec, fill: Value?)
    case addIdentifierFormat(IdentifierFormat)
    case addAllowedValues(PropertyOwner, property: String, values: [String])
    case makeOptional(PropertyOwner, property: String)
    case setDescription(DescribedElement, String?)
    // Renames: breaking; `migrate` carries stored data over to the new name.
    case renameNodeType(from: String, to: String, migrate: Bool)
    case renameEdgeType(from: String, to: String, migrate: Bool)
    case renameProperty(PropertyOwner, from: String, to: String, migrate: Bool)
    // Data migration
    case mapValues(PropertyOwner, property: String, mapping: [ValueMapping])
    // Breaking
    case removeNodeType(String)
    case removeEdgeType(String)
    case removeProperty(PropertyOwner, property: String)
    case removeAllowedValues(PropertyOwner, property: String, values: [String])
    case removeIdentifierFormat(String)
    /// Loosening (`int` → `float`) is additive; tightening is breaking unless every
    /// stored value converts (`"12"` → `12`).
    case changePropertyType(PropertyOwner, property: String, to: PropertyType)
    /// Breaking unless no stored item lacks the property or `fill` supplies it.
    case makeRequired(PropertyOwner, property: String, fill: Value?)
    case setParent(nodeType: String, parent: String?)
    /// Replace a whole definition: additive when it only loosens, else breaking, its
    /// affected items being those that would violate the new definition.
    case redefineNodeType(NodeType)
    case redefineEdgeType(EdgeType)
    case redefineProperty(PropertyOwner, PropertySpec)
    case redefineIdentifierFormat(IdentifierFormat)

    /// The operation's name as written in update files.
    public var operationName: String {
        switch self {
        case .addNodeType: return "add_node_type"
        case .addEdgeType: return "add_edge_type"
        case .addProperty: return "add_property"
        case .addIdentifierFormat: return "add_identifier_format"
        case .addAllowedValues: return "add_allowed_values"
        case .makeOptional: return "make_optional"
        case .setDescription: return "set_description"
        case .renameNodeType: return "rename_node_type"
        case .renameEdgeType: return "rename_edge_type"
        case .renameProperty: return "rename_property"
        case .mapValues: return "map_values"
        case .removeNodeType: return "remove_node_type"
        case .removeEdgeType: return "remove_edge_type"
        case .removeProperty: return "remove_property"
        case .removeAllowedValues: return "remove_allowed_values"
        case .removeIdentifierFormat: return "remove_identifier_format"
        case .changePropertyType: return "change_property_type"
        case .makeRequired: return "make_required"
        case .setParent: return "set_parent"
        case .redefineNodeType: return "redefine_node_type"
        case .redefineEdgeType: return "redefine_edge_type"
        case .redefineProperty: return "redefine_property"
        case .redefineIdentifierFormat: return "redefine_identifier_format"
        }
    }

    /// One line for `diff`, `apply` and the history's summary.
    public var summary: String {
        func list(_ values: [String]) -> String { values.joined(separator: ", ") }
        switch self {
        case .addNodeType(let t): return "add node type '\(t.name)'" + (t.parent.map { " (is_a \($0))" } ?? "")
        case .addEdgeType(let t): return "add edge type '\(t.name)' (\(list(t.from)) -> \(list(t.to)))"
        case .addProperty(let owner, let spec, let fill):
            return "add property '\(spec.name)': \(spec.yamlFlowText) to \(owner)" + (fill.map { " (filling \($0.jsonText))" } ?? "")
        case .addIdentifierFormat(let f): return "add identifier format '\(f.name)'"
        case .addAllowedValues(let owner, let p, let values): return "allow values \(list(values)) for property '\(p)' of \(owner)"
        case .makeOptional(let owner, let p): return "make property '\(p)' of \(owner) optional"
        case .setDescription(let target, _): return "set the description of \(target)"
        case .renameNodeType(let from, let to, let migrate): return "rename node type '\(from)' to '\(to)'" + (migrate ? " (migrating stored nodes)" : "")
        case .renameEdgeType(let from, let to, let migrate): return "rename edge type '\(from)' to '\(to)'" + (migrate ? " (migrating stored edges)" : "")
        case .renameProperty(let owner, let from, let to, let migrate):
            return "rename property '\(from)' of \(owner) to '\(to)'" + (migrate ? " (migrating stored values)" : "")
        case .mapValues(let owner, let p, let mapping):
            return "map values of property '\(p)' of \(owner): " + mapping.map { "\($0.old) -> \($0.new)" }.joined(separator: ", ")
        case .removeNodeType(let n): return "remove node type '\(n)'"
        case .removeEdgeType(let n): return "remove edge type '\(n)'"
        case .removeProperty(let owner, let p): return "remove property '\(p)' of \(owner)"
        case .removeAllowedValues(let owner, let p, let values): return "disallow values \(list(values)) for property '\(p)' of \(owner)"
        case .removeIdentifierFormat(let n): return "remove identifier format '\(n)'"
        case .changePropertyType(let owner, let p, let type): return "change the type of property '\(p)' of \(owner) to \(type.rawValue)"
        case .makeRequired(let owner, let p, let fill): return "make property '\(p)' of \(owner) required" + (fill.map { " (filling \($0.jsonText))" } ?? "")
        case .setParent(let n, let parent): return parent.map { "make node type '\(n)' a subtype of '\($0)'" } ?? "make node type '\(n)' a root type"
        case .redefineNodeType(let t): return "redefine node type '\(t.name)'"
        case .redefineEdgeType(let t): return "redefine edge type '\(t.name)'"
        case .redefineProperty(let owner, let spec): return "redefine property '\(spec.name)' of \(owner) as \(spec.yamlFlowText)"
        case .redefineIdentifierFormat(let f): return "redefine identifier format '\(f.name)'"
        }
    }
}

/// A change with the place in the update file it came from.
public struct LocatedChange: Sendable, Equatable {
    public var change: OntologyChange
    public var location: SourceLocation?

    public init(_ change: OntologyChange, location: SourceLocation? = nil) {
        self.change = change
        self.location = location
    }
}
