import LexgraphCore

/// Why grounding a case failed: an unknown case key, a date the graph cannot answer,
/// a store that lacks what the grounding index needs.
public struct GroundingError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}
