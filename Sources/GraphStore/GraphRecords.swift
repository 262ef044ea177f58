import LexgraphCore

/// A node as a loader or a query's CREATE hands it to the store.
public struct NodeInput: Sendable {
    /// Stable external key, unique in the database (`scotus:case:1962-045`).
    public var key: String
    /// The node's ontology type; also its first label.
    public var type: String
    /// Extra labels (schema-free graphs only; ontology nodes have just their type).
    public var extraLabels: [String]
    public var properties: [String: Value]
    /// Start of validity; when nil the type's `valid_from` property (e.g. a decision date) is used.
    public var validFrom: LegalDate?
    public var validTo: LegalDate?
    /// Where the record came from, for error messages.
    public var location: SourceLocation?

    public init(key: String, type: String, extraLabels: [String] = [], properties: [String: Value] = [:],
                validFrom: LegalDate? = nil, validTo: LegalDate? = nil, location: SourceLocation? = nil) {
        self.key = key
        self.type = type
        self.extraLabels = extraLabels
        self.properties = properties
        self.validFrom = validFrom
        self.validTo = validTo
        self.location = location
    }
}

/// An edge between two nodes named by their keys.
public struct EdgeInput: Sendable {
    /// Identity across re-loads; nil makes a fresh, anonymous edge every time (CREATE).
    public var key: String?
    public var type: String
    public var from: String
    public var to: String
    public var properties: [String: Value]
    /// Start of validity; when nil the source node's `valid_from` is used (a citation
    /// exists from the day the citing case was decided).
    public var validFrom: LegalDate?
    public var validTo: LegalDate?
    public var location: SourceLocation?

    public init(key: String? = nil, type: String, from: String, to: String, properties: [String: Value] = [:],
                validFrom: LegalDate? = nil, validTo: LegalDate? = nil, location: SourceLocation? = nil) {
        self.key = key
        self.type = type
        self.from = from
        self.to = to
        self.properties = properties
        self.validFrom = validFrom
        self.validTo = validTo
        self.location = location
    }

    /// The conventional key for "the one edge of this type between these nodes".
    public static func defaultKey(type: String, from: String, to: String) -> String {
        // Appended into one buffer sized up front: a bulk load makes one key per edge.
        // (Keys of up to 15 bytes are stored inline; reserving would allocate them.)
        var key = ""
        let length = type.utf8.count + from.utf8.count + to.utf8.count + 2
        if length > 15 { key.reserveCapacity(length) }
        key += type; key += "|"; key += from; key += "|"; key += to
        return key
    }
}

/// What an upsert did, counted by loaders to say what a re-load changed.
public enum UpsertOutcome: Sendable {
    case inserted, updated, unchanged
}

/// Counts of what a write did.
public struct WriteCounts: Sendable, Equatable, CustomStringConvertible {
    public var nodesInserted = 0, nodesUpdated = 0, nodesUnchanged = 0
    public var edgesInserted = 0, edgesUpdated = 0, edgesUnchanged = 0

    public init() {}

    public mutating func count(node outcome: UpsertOutcome) {
        switch outcome {
        case .inserted: nodesInserted += 1
        case .updated: nodesUpdated += 1
        case .unchanged: nodesUnchanged += 1
        }
    }

    public mutating func count(edge outcome: UpsertOutcome) {
        switch outcome {
        case .inserted: edgesInserted += 1
        case .updated: edgesUpdated += 1
        case .unchanged: edgesUnchanged += 1
        }
    }

    public static func + (a: WriteCounts, b: WriteCounts) -> WriteCounts {
        var c = a
        c.nodesInserted += b.nodesInserted; c.nodesUpdated += b.nodesUpdated; c.nodesUnchanged += b.nodesUnchanged
        c.edgesInserted += b.edgesInserted; c.edgesUpdated += b.edgesUpdated; c.edgesUnchanged += b.edgesUnchanged
        return c
    }

    public var description: String {
        "nodes: \(nodesInserted) new, \(nodesUpdated) changed, \(nodesUnchanged) unchanged; "
            + "edges: \(edgesInserted) new, \(edgesUpdated) changed, \(edgesUnchanged) unchanged"
    }
}
