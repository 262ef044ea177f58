import Foundation
import LexgraphCore
import Logging

/// swift-log output as JSON Lines, one object per event: `time`, `level`, `logger`,
/// `message` and every metadata key (the request id among them), so that a log shipper
/// reads fields instead of parsing text. Written with one `write` per line.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String) {
        // A closed stderr (the log reader gone) drops the line instead of ending the server.
        self.init(label: label) { line in try? FileHandle.standardError.write(contentsOf: Data(line.utf8)) }
    }

    /// A handler handing each line (with its newline) to `sink`.
    public init(label: String, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Value] = [:]
        for (key, value) in metadata { fields[key] = JSONLogHandler.value(value) }
        for (key, value) in metadataProvider?.get() ?? [:] { fields[key] = JSONLogHandler.value(value) }
        for (key, value) in event.metadata ?? [:] { fields[key] = JSONLogHandler.value(value) }
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        fields["time"] = .string(JSONLogHandler.timestamp())
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        sink(Value.map(fields).jsonText + "\n")
    }

    static func value(_ value: Logger.Metadata.Value) -> Value {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let items): return .list(items.map(JSONLogHandler.value))
        case .dictionary(let d): return .map(d.mapValues(JSONLogHandler.value))
        }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
