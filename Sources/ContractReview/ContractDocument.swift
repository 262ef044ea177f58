import Foundation
import LexgraphCore

/// A contract as the reviewer reads it: the whole text of a plain-text or Markdown file,
/// checked before anything looks at its clauses.
///
/// What is refused, each with a message naming the file and what to do instead:
/// - a file over the size cap (`defaultMaxBytes`, `$LEXGRAPH_MAX_CONTRACT_BYTES`), before
///   it is read;
/// - an empty file, or one holding only whitespace;
/// - binary files: any NUL byte (UTF-16 text, images, archives), and the formats known by
///   their first bytes or extension (Word .docx/.doc, PDF, RTF, OpenDocument);
/// - bytes that are not UTF-8, at their line and column (`TextFile`).
///
/// Line endings may be LF, CRLF or CR, mixed in one file: each ends a line. The text is
/// kept exactly as read, so the offsets and line numbers of segments point into the file.
public struct ContractDocument: Sendable {
    public enum Format: String, Sendable, Codable {
        case plainText = "text"
        case markdown
    }

    /// What errors and reports call the document (the path as given).
    public let name: String
    public let format: Format
    /// The file's text, unchanged (a leading byte-order mark included).
    public let text: String

    /// 2 MiB: twice the text of a 300-page credit agreement. At the reviewer's pace (a
    /// 45,000-character agreement in a few seconds) a contract at the cap takes minutes.
    public static let defaultMaxBytes = 2 * 1024 * 1024
    /// Set to a number of bytes to change the size cap.
    public static let maxBytesVariable = "LEXGRAPH_MAX_CONTRACT_BYTES"

    /// Extensions refused before reading, with why.
    static let unreadableExtensions: [String: String] = [
        "docx": "a Word document (.docx)", "doc": "a Word document (.doc)", "odt": "an OpenDocument text (.odt)",
        "pdf": "a PDF", "rtf": "an RTF document", "pages": "a Pages document",
    ]

    /// The size cap in force: `$LEXGRAPH_MAX_CONTRACT_BYTES` or `defaultMaxBytes`.
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TextFile.Limit {
        var bytes = defaultMaxBytes
        if let text = environment[maxBytesVariable], !text.isEmpty {
            guard let n = Int(text), n > 0 else {
                throw ContractReviewError("\(maxBytesVariable) must be a positive number of bytes, got '\(text.prefix(40))'")
            }
            bytes = n
        }
        return TextFile.Limit(bytes: bytes, howToRaise: "set \(maxBytesVariable) to a number of bytes to change the cap")
    }

    /// Reads and checks the file at `path`; `limit` defaults to the cap in force.
    public static func read(path: String, displayName: String? = nil, limit: TextFile.Limit? = nil) throws -> ContractDocument {
        let name = displayName ?? path
        let ext = (path as NSString).pathExtension.lowercased()
        if let what = unreadableExtensions[ext] {
            throw ContractReviewError(unreadableMessage(what), file: name)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ContractReviewError("no such file", file: name)
        }
        guard !isDirectory.boolValue else { throw ContractReviewError("is a folder, not a contract file", file: name) }
        let limit = try limit ?? Self.limit()
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > limit.bytes {
            throw ContractReviewError(TextFile.sizeMessage(size.intValue, what: "contract", limit: limit), file: name)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ContractReviewError("cannot read contract: \(error.localizedDescription)", file: name)
        }
        if data.count > limit.bytes {
            throw ContractReviewError(TextFile.sizeMessage(data.count, what: "contract", limit: limit), file: name)
        }
        return try ContractDocument(data: data, name: name, format: ext == "md" || ext == "markdown" ? .markdown : .plainText)
    }

    /// A document from bytes already in memory (an upload), with the same checks as `read`
    /// except the size cap, which the caller applies to what it accepts.
    public init(data: Data, name: String, format: Format) throws {
        if data.isEmpty { throw ContractReviewError("contract is empty (0 bytes)", file: name) }
        if let what = Self.knownBinaryFormat(data) { throw ContractReviewError(Self.unreadableMessage(what), file: name) }
        if let nul = data.firstIndex(of: 0) {
            let offset = nul - data.startIndex
            let line = data[data.startIndex..<nul].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let utf16 = data.count >= 2 && ((data[data.startIndex] == 0xFF && data[data.startIndex + 1] == 0xFE)
                                             || (data[data.startIndex] == 0xFE && data[data.startIndex + 1] == 0xFF))
            let hint = utf16 ? "it looks like UTF-16 text: convert it to UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)"
                             : "a contract must be plain text or Markdown in UTF-8"
            throw ContractReviewError("binary file: NUL byte at byte offset \(offset); \(hint)", file: name, line: line)
        }
        let text = try TextFile.decode(data, file: name) { location, message in
            var error = ContractReviewError(message)
            error.location = location
            return error
        }
        try self.init(text: text, name: name, format: format)
    }

    /// A document from text; refuses text that is empty or only whitespace.
    public init(text: String, name: String, format: Format) throws {
        guard text.unicodeScalars.contains(where: { !Self.isBlank($0) }) else {
            throw ContractReviewError(text.isEmpty ? "contract is empty (0 bytes)" : "contract holds only whitespace", file: name)
        }
        self.name = name
        self.format = format
        self.text = text
    }

    /// Whitespace, line breaks and invisible format characters (byte-order mark, zero-width
    /// spaces and joiners, direction marks).
    static func isBlank(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x200B...0x200F).contains(s.value) || s.value == 0xFEFF || s.value == 0x2060
    }

    /// The format a file's first bytes identify, for formats that are not text.
    static func knownBinaryFormat(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(8))
        func starts(_ bytes: [UInt8]) -> Bool { head.count >= bytes.count && Array(head.prefix(bytes.count)) == bytes }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "a zip archive (a Word .docx or OpenDocument file is one)" }
        if starts(Array("%PDF".utf8)) { return "a PDF" }
        if starts([0xD0, 0xCF, 0x11, 0xE0]) { return "an old-style Word document (.doc)" }
        if starts(Array("{\\rtf".utf8)) { return "an RTF document" }
        return nil
    }

    static func unreadableMessage(_ what: String) -> String {
        "this is \(what), which lexgraph does not read: save the contract as plain text (.txt) or Markdown (.md) and review that. "
            + "(Word and OpenDocument files are zip archives whose numbering lives in separate XML parts; reading them needs an "
            + "inflate library and a reimplementation of Word's list numbering, which Foundation does not provide.)"
    }
}
