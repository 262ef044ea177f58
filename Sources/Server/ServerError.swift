import LexgraphCore

/// A problem starting the service or managing its tokens: a bad configuration value
/// (with the file and line it came from), an unknown role or token, a database that
/// cannot be opened. The CLI prints it on one line and exits non-zero.
public struct ServerError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}
