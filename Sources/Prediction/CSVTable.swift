import Foundation
import Sealing
import LexgraphCore

/// A CSV file read whole (RFC 4180: quoted fields, doubled quotes, newlines inside quotes),
/// with the header row naming the columns and, for every record, the file line it starts
/// on so errors can point at it. Small and strict: a ragged row is an error, not a guess.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [[String]]
    /// 1-based file line on which each row starts (the header is line 1).
    public let lines: [Int]
    private let columnIndex: [String: Int]

    /// Reads `path`, decrypting it when it is sealed with the artifact key (a run's
    /// predictions, `SealedFiles`).
    public init(contentsOf path: String) throws {
        let read: Data?
        do { read = try SealedFiles.read(path) } catch let error as SealingError { throw PredictionError(error.message, file: path, line: 1) }
        guard let data = read else {
            throw PredictionError("cannot read CSV file \(path): missing or unreadable")
        }
        try self.init(bytes: [UInt8](data), file: path)
    }

    public init(bytes: [UInt8], file: String) throws {
        // Decoding below would turn invalid bytes into U+FFFD silently.
        if let p = UTF8Validation.firstInvalid(in: bytes) {
            throw PredictionError(UTF8Validation.message(p), at: SourceLocation(file: file, line: p.line, column: p.column))
        }
        var records: [[String]] = []
        var starts: [Int] = []
        var field: [UInt8] = []
        var record: [String] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var fieldWasQuoted = false
        var i = 0
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b); i += 2; continue
                    }
                    inQuotes = false
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                guard field.isEmpty, !fieldWasQuoted else {
                    throw PredictionError("stray quote inside an unquoted field", file: file, line: line)
                }
                inQuotes = true
                fieldWasQuoted = true
            case UInt8(ascii: ","):
                record.append(text(field)); field = []; fieldWasQuoted = false
            case UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "\n"):
                record.append(text(field)); field = []; fieldWasQuoted = false
                records.append(record); starts.append(recordLine)
                record = []
                line += 1
                recordLine = line
            default:
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw PredictionError("unterminated quoted field", file: file, line: recordLine) }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted {
            record.append(text(field))
            records.append(record); starts.append(recordLine)
        }
        guard let header = records.first else { throw PredictionError("empty CSV file (no header row)", file: file, line: 1) }
        for (n, row) in records.enumerated().dropFirst() where row.count != header.count {
            throw PredictionError("row has \(row.count) fields, header has \(header.count)", file: file, line: starts[n])
        }
        self.file = file
        self.header = header
        self.rows = Array(records.dropFirst())
        self.lines = Array(starts.dropFirst())
        var index: [String: Int] = [:]
        for (n, name) in header.enumerated() where index[name] == nil { index[name] = n }
        self.columnIndex = index
    }

    /// The position of a column the caller needs; a missing column names the file.
    public func column(_ name: String) throws -> Int {
        guard let n = columnIndex[name] else {
            throw PredictionError("CSV file has no column '\(name)'", file: file, line: 1)
        }
        return n
    }
}
