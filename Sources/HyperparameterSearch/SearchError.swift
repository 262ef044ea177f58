import LexgraphCore

/// Every failure of a hyperparameter search: a space file that cannot be used (with its
/// file and line), a study that does not match the command resuming it, a trial that
/// cannot run. The message names the offending value.
public struct SearchError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.location = file.map { SourceLocation(file: $0, line: line) }
    }
}
