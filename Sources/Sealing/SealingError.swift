import LexgraphCore

/// A file that cannot be sealed or opened: no key, the wrong key, a changed or truncated
/// file. Messages name the file and where the key came from, never the key or content.
public struct SealingError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil) {
        self.message = message
        self.location = file.map { SourceLocation(file: $0) }
    }
}
