import LexgraphCore

/// Anything that goes wrong opening, reading or writing a graph database, including a
/// record that violates the ontology (with the file:line it came from).
public struct GraphStoreError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(location: SourceLocation? = nil, message: String) {
        self.location = location
        self.message = message
    }
}
