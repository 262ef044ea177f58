import LexgraphCore

/// Anything wrong with a walk or a citator request: an unknown key or type, a seed that
/// does not exist yet at the as-of date, a bad parameter, or a stored date that is not
/// `YYYY-MM-DD` (named with the node or edge it sits on).
public struct GraphAlgorithmsError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(location: SourceLocation? = nil, message: String) {
        self.location = location
        self.message = message
    }
}
