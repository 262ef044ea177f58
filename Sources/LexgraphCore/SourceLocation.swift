/// Where something came from: a file and line (loaders, ontology files) or a
/// line and column (queries). Every user-facing error carries one when it can.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, leaving out what is unknown.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let line { parts.append(String(line)) }
        if let column { parts.append(String(column)) }
        return parts.joined(separator: ":")
    }
}

/// The shape shared by every module's error type: a message a user can act on and,
/// where known, the place it refers to. The CLI prints `description` on one line.
public protocol LexgraphError: Error, CustomStringConvertible {
    var location: SourceLocation? { get }
    var message: String { get }
}

extension LexgraphError {
    public var description: String {
        if let location, !location.description.isEmpty { return "\(location): \(message)" }
        return message
    }
}
