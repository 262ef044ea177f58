import LexgraphCore

/// Every failure of building or reading a pretraining corpus: a missing or unreadable
/// source, a malformed record, text that is not text. `location` names the file and line.
public struct CorpusError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.location = file.map { SourceLocation(file: $0, line: line) }
    }
}
