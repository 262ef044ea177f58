import LexgraphCore

/// The value types a property may declare. `text` is a string that is also indexed for
/// full-text search (facts, statute text, clause text); `date` is an ISO `YYYY-MM-DD`
/// string; `list` holds any JSON list (used sparingly, e.g. alternative citations).
public enum PropertyType: String, Sendable, CaseIterable {
    case string, text, int, float, bool, date, list

    /// Whether a value of type `other` may be stored where `self` was declared, used to
    /// tell a loosening type change (additive) from a tightening one (breaking).
    public func accepts(_ other: PropertyType) -> Bool {
        switch (self, other) {
        case _ where self == other: return true
        case (.float, .int), (.string, .text), (.text, .string), (.string, .date): return true
        default: return false
        }
    }
}

/// One declared property of a node or edge type.
public struct PropertySpec: Sendable, Equatable {
    public var name: String
    public var type: PropertyType
    public var required: Bool
    /// Name of an identifier format (see `IdentifierFormat`) the value must match.
    public var format: String?
    /// A closed vocabulary (e.g. citator treatments); nil means any value of the type.
    public var allowedValues: [String]?
    public var description: String?

    public init(name: String, type: PropertyType, required: Bool = false, format: String? = nil,
                allowedValues: [String]? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.format = format
        self.allowedValues = allowedValues
        self.description = description
    }
}

/// A node type with its place in the is-a hierarchy. Properties are inherited.
public struct NodeType: Sendable, Equatable {
    public var name: String
    public var parent: String?
    /// Abstract types group others (`LegalAuthority`); no node has an abstract type itself.
    public var isAbstract: Bool
    public var properties: [String: PropertySpec]
    /// The property whose date starts the node's validity (a case's decision date), used
    /// when the node carries no explicit `valid_from`.
    public var validFromProperty: String?
    public var description: String?

    public init(name: String, parent: String? = nil, isAbstract: Bool = false,
                properties: [String: PropertySpec] = [:], validFromProperty: String? = nil,
                description: String? = nil) {
        self.name = name
        self.parent = parent
        self.isAbstract = isAbstract
        self.properties = properties
        self.validFromProperty = validFromProperty
        self.description = description
    }
}

/// A relationship type: which node types it may connect (domain and range, each
/// matched with the is-a hierarchy) and its properties.
public struct EdgeType: Sendable, Equatable {
    public var name: String
    public var from: [String]
    public var to: [String]
    public var properties: [String: PropertySpec]
    public var description: String?

    public init(name: String, from: [String], to: [String], properties: [String: PropertySpec] = [:],
                description: String? = nil) {
        self.name = name
        self.from = from
        self.to = to
        self.properties = properties
        self.description = description
    }
}

/// A named identifier syntax (ECLI, U.S. Reports citation, SCDB case id, ECtHR
/// application number) with the regular expression a value must match whole.
public struct IdentifierFormat: Sendable, Equatable {
    public var name: String
    public var pattern: String
    public var example: String?
    public var description: String?

    public init(name: String, pattern: String, example: String? = nil, description: String? = nil) {
        self.name = name
        self.pattern = pattern
        self.example = example
        self.description = description
    }
}
