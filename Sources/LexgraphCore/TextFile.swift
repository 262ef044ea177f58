import Foundation

/// Reading a user's text file (a recipe, an ontology document, an update) whole: capped
/// in size, checked to be UTF-8. Errors are made by the caller's `error` so each module
/// keeps throwing its own error type.
public enum TextFile {
    /// A size cap and how a user raises it (printed with the refusal).
    public struct Limit: Sendable {
        public var bytes: Int
        public var howToRaise: String

        public init(bytes: Int, howToRaise: String) {
            self.bytes = bytes
            self.howToRaise = howToRaise
        }
    }

    /// The text of `path`. Refuses a file over `limit` before reading it, and invalid
    /// UTF-8 at its file:line:column with the byte offset. `displayName` is what errors
    /// call the file.
    public static func read(path: String, displayName: String? = nil, what: String = "file", limit: Limit? = nil,
                            error makeError: (SourceLocation, String) -> any Error) throws -> String {
        let name = displayName ?? path
        if let limit, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
           size.intValue > limit.bytes {
            throw makeError(SourceLocation(file: name), sizeMessage(size.intValue, what: what, limit: limit))
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw makeError(SourceLocation(file: name), "cannot read \(what): \(error.localizedDescription)")
        }
        if let limit, data.count > limit.bytes {
            throw makeError(SourceLocation(file: name), sizeMessage(data.count, what: what, limit: limit))
        }
        return try decode(data, file: name, error: makeError)
    }

    /// `data` as a string, refusing invalid UTF-8 at its place in `file`.
    public static func decode(_ data: Data, file: String, error makeError: (SourceLocation, String) -> any Error) throws -> String {
        let invalid = data.withUnsafeBytes { raw in UTF8Validation.firstInvalid(in: raw.bindMemory(to: UInt8.self)) }
        if let p = invalid {
            throw makeError(SourceLocation(file: file, line: p.line, column: p.column), UTF8Validation.message(p))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// "is 52,428,800 bytes, over the 4,194,304-byte cap for ...; set ... to raise it".
    public static func sizeMessage(_ size: Int, what: String, limit: Limit) -> String {
        "\(what) is \(grouped(size)) bytes, over the \(grouped(limit.bytes))-byte cap; \(limit.howToRaise)"
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
