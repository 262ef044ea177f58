import LexgraphCore

/// Every failure of the Transformer module: unreadable or inconsistent weight files and
/// configs, inputs out of range, shape mismatches. `location` names the file when known;
/// the message names the tensor, the shapes and the offending value.
public struct TransformerError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil) {
        self.message = message
        self.location = file.map { SourceLocation(file: $0) }
    }
}
