import LexgraphCore

/// Every failure of the Prediction module: unreadable or malformed data files (with the
/// file and line), an empty training set, a metric asked of data that cannot give it.
public struct PredictionError: LexgraphError {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public init(_ message: String, file: String, line: Int) {
        self.init(message, at: SourceLocation(file: file, line: line))
    }
}
