import LexgraphCore

/// A failure in the clause tasks or a contract review, naming the file (and line) or the
/// value it concerns, so the CLI can say what and where.
public struct ContractReviewError: LexgraphError, Sendable {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.location = (file != nil || line != nil) ? SourceLocation(file: file, line: line) : nil
    }
}
