import LexgraphCore

/// A terminal system call that failed (the message names the call and the errno text).
public struct TerminalError: LexgraphError {
    public let message: String
    public var location: SourceLocation? { nil }

    public init(_ message: String) { self.message = message }
}
