import LexgraphCore

/// Every failure of active learning: a pool, labels file, answers file or state folder
/// that cannot be used. `location` names the file and line; the message names the value.
public struct ActiveLearningError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.location = file.map { SourceLocation(file: $0, line: line) }
    }
}
