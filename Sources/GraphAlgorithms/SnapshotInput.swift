import LexgraphCore

/// One node as a snapshot is built from it (by `load(_:)` from a store, or directly by
/// tests and benchmarks).
public struct SnapshotNode: Sendable {
    public var key: String
    public var type: String
    public var validFrom: LegalDate?
    public var validTo: LegalDate?

    public init(key: String, type: String, validFrom: LegalDate? = nil, validTo: LegalDate? = nil) {
        self.key = key
        self.type = type
        self.validFrom = validFrom
        self.validTo = validTo
    }
}

/// One edge as a snapshot is built from it; `source` and `target` index the node list.
public struct SnapshotEdge: Sendable {
    public var source: Int
    public var target: Int
    public var type: String
    /// The CITES `treatment` property, if any (`overruled`, `questioned`, ...).
    public var treatment: String?
    public var validFrom: LegalDate?
    public var validTo: LegalDate?

    public init(source: Int, target: Int, type: String, treatment: String? = nil,
                validFrom: LegalDate? = nil, validTo: LegalDate? = nil) {
        self.source = source
        self.target = target
        self.type = type
        self.treatment = treatment
        self.validFrom = validFrom
        self.validTo = validTo
    }
}
