import LexgraphCore

/// A drift or data-quality problem: bad input (an unknown column, an empty sample, an
/// unreadable vocabulary), with the file and line where there is one.
public struct MonitoringError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}
