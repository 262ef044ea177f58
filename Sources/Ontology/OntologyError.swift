import LexgraphCore

/// Anything wrong with an ontology file, an update, or a value checked against the
/// ontology. Carries the file position of the offending YAML node where there is one.
public struct OntologyError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(location: SourceLocation? = nil, message: String) {
        self.location = location
        self.message = message
    }
}
