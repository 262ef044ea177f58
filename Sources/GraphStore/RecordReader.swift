import Foundation
import LexgraphCore

/// The file formats a recipe source can be read from.
public enum SourceFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("")
    /// and newlines. The first record is the header.
    case csv
    /// Tab-separated, no quoting (as the CUAD and UNFAIR-ToS exports are written). Header first.
    case tsv
    /// One JSON object per line.
    case jsonl
    /// One JSON array of objects (e.g. `courts.json`, `echr_articles_en.json`).
    case jsonArray = "json-array"

    /// The format a file name suggests, for recipes that leave `format` out.
    public static func guess(fromPath path: String) -> SourceFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".tsv") { return .tsv }
        if lower.hasSuffix(".jsonl") { return .jsonl }
        if lower.hasSuffix(".json") { return .jsonArray }
        return nil
    }
}

/// One record of a source file: named fields plus where it starts, for error messages.
/// Delimited files keep their fields as strings under a shared header; JSON files keep
/// typed values (so a JSON `true` or `42` reaches the ontology check as a bool or int).
public struct SourceRecord {
    /// 1-based line where the record starts (a quoted CSV field may span lines).
    public let line: Int
    /// 1-based record number, header excluded.
    public let row: Int
    let header: [String: Int]?
    let fields: [String]
    let object: [String: Value]?

    init(line: Int, row: Int, header: [String: Int], fields: [String]) {
        self.line = line; self.row = row; self.header = header; self.fields = fields; self.object = nil
    }

    init(line: Int, row: Int, object: [String: Value]) {
        self.line = line; self.row = row; self.header = nil; self.fields = []; self.object = object
    }

    /// The field as typed data: `.null` when it is missing or an empty string.
    public func value(_ name: String) -> Value {
        if let object {
            guard let v = object[name] else { return .null }
            if case .string(let s) = v, s.isEmpty { return .null }
            return v
        }
        guard let i = header?[name], i < fields.count, !fields[i].isEmpty else { return .null }
        return .string(fields[i])
    }

    /// The field as text, nil when missing, null or empty. JSON numbers and booleans are
    /// written as JSON writes them; lists and maps as JSON text.
    public func text(_ name: String) -> String? {
        if object == nil {
            guard let i = header?[name], i < fields.count, !fields[i].isEmpty else { return nil }
            return fields[i]
        }
        return SourceRecord.text(of: value(name))
    }

    static func text(of value: Value) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s.isEmpty ? nil : s
        case .int(let i): return String(i)
        case .float, .list, .map: return value.jsonText
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// Whether the record has a field of this name at all (used to reject recipes
    /// naming columns the file lacks).
    public func hasField(_ name: String) -> Bool {
        if let object { return object[name] != nil }
        return header?[name] != nil
    }

    /// The field names, in header order for delimited files.
    public var fieldNames: [String] {
        if let object { return object.keys.sorted() }
        return (header ?? [:]).sorted { $0.value < $1.value }.map(\.key)
    }
}

/// Reads a source file record by record, calling `body` for each. The file is mapped,
/// not loaded into Swift strings whole; each record is decoded as it is reached.
/// Malformed input (bytes that are not UTF-8, an unterminated quote, a row with too many
/// fields, invalid JSON) throws a `GraphStoreError` naming file:line.
public enum RecordReader {
    public static func read(path: String, displayName: String, format: SourceFormat,
                            _ body: (SourceRecord) throws -> Void) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw GraphStoreError(location: SourceLocation(file: displayName), message: "cannot read source file: \(error.localizedDescription)")
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            // Checked whole before any field is decoded: decoding would silently turn a
            // Latin-1 `î` into U+FFFD.
            if let p = UTF8Validation.firstInvalid(in: bytes) {
                throw GraphStoreError(location: SourceLocation(file: displayName, line: p.line, column: p.column), message: UTF8Validation.message(p))
            }
            switch format {
            case .csv: try readDelimited(bytes, file: displayName, separator: UInt8(ascii: ","), quoted: true, body)
            case .tsv: try readDelimited(bytes, file: displayName, separator: UInt8(ascii: "\t"), quoted: false, body)
            case .jsonl: try readJSONLines(bytes, file: displayName, body)
            case .jsonArray: try readJSONArray(bytes, file: displayName, body)
            }
        }
    }

    /// About how many records the file at `path` holds (its line count), for reserving
    /// room before reading it; 0 when it cannot be read (the read itself then says why).
    public static func estimatedRecordCount(path: String) -> Int {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return 0 }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var lines = 0
            for byte in raw where byte == 0x0A { lines += 1 }
            return lines
        }
    }

    // MARK: Delimited

    static func readDelimited(_ bytes: UnsafeBufferPointer<UInt8>, file: String, separator: UInt8, quoted: Bool,
                              _ body: (SourceRecord) throws -> Void) throws {
        var pos = 0
        var line = 1
        // Skip a UTF-8 byte order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
        var header: [String: Int]? = nil
        var headerCount = 0
        var row = 0
        var fields: [String] = []
        var field: [UInt8] = []
        while pos < bytes.count {
            let startLine = line
            fields.removeAll(keepingCapacity: true)
            // One record.
            var endOfRecord = false
            while !endOfRecord {
                field.removeAll(keepingCapacity: true)
                if quoted, pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") {
                    pos += 1
                    var closed = false
                    while pos < bytes.count {
                        let b = bytes[pos]
                        if b == UInt8(ascii: "\"") {
                            if pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "\"") { field.append(b); pos += 2; continue }
                            pos += 1; closed = true; break
                        }
                        if b == 0x0A { line += 1 }
                        field.append(b); pos += 1
                    }
                    if !closed {
                        throw GraphStoreError(location: SourceLocation(file: file, line: startLine), message: "unterminated quoted field")
                    }
                    // Allow (and ignore) anything up to the separator only if it is nothing.
                    if pos < bytes.count, bytes[pos] != separator, bytes[pos] != 0x0A, bytes[pos] != 0x0D {
                        throw GraphStoreError(location: SourceLocation(file: file, line: line), message: "unexpected character after a quoted field")
                    }
                } else {
                    while pos < bytes.count {
                        let b = bytes[pos]
                        if b == separator || b == 0x0A || b == 0x0D { break }
                        field.append(b); pos += 1
                    }
                }
                fields.append(String(decoding: field, as: UTF8.self))
                if pos >= bytes.count { endOfRecord = true; break }
                let b = bytes[pos]
                if b == separator { pos += 1; continue }
                // End of line (\n, \r\n or \r).
                if b == 0x0D { pos += 1; if pos < bytes.count, bytes[pos] == 0x0A { pos += 1 } } else { pos += 1 }
                line += 1
                endOfRecord = true
            }
            if fields.count == 1, fields[0].isEmpty { continue } // blank line
            guard let h = header else {
                var map: [String: Int] = [:]
                for (i, name) in fields.enumerated() {
                    let trimmed = name.trimmingCharacters(in: .whitespaces)
                    if map[trimmed] == nil { map[trimmed] = i }
                }
                header = map
                headerCount = fields.count
                continue
            }
            row += 1
            if fields.count > headerCount {
                throw GraphStoreError(location: SourceLocation(file: file, line: startLine),
                                      message: "record has \(fields.count) fields but the header has \(headerCount)")
            }
            try body(SourceRecord(line: startLine, row: row, header: h, fields: fields))
        }
    }

    // MARK: JSON

    static func readJSONLines(_ bytes: UnsafeBufferPointer<UInt8>, file: String, _ body: (SourceRecord) throws -> Void) throws {
        var pos = 0, line = 0, row = 0
        while pos < bytes.count {
            line += 1
            var end = pos
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let slice = Array(bytes[pos..<end])
            pos = end + 1
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            row += 1
            try body(try record(from: slice, file: file, line: line, row: row))
        }
    }

    static func record(from slice: [UInt8], file: String, line: Int, row: Int) throws -> SourceRecord {
        let value: Value
        do { value = try Value.parseJSON(bytes: slice) } catch let e as JSONError {
            throw GraphStoreError(location: SourceLocation(file: file, line: line, column: e.location?.column), message: e.message)
        }
        guard case .map(let object) = value else {
            throw GraphStoreError(location: SourceLocation(file: file, line: line), message: "expected a JSON object, got \(value.jsonText.prefix(40))")
        }
        return SourceRecord(line: line, row: row, object: object)
    }

    /// Splits a top-level JSON array into its elements by scanning brackets and strings,
    /// so each element is parsed alone and errors can name the line it starts on.
    static func readJSONArray(_ bytes: UnsafeBufferPointer<UInt8>, file: String, _ body: (SourceRecord) throws -> Void) throws {
        var pos = 0, line = 1, row = 0
        func skipSpace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 {
                if bytes[pos] == 0x0A { line += 1 }
                pos += 1
            }
        }
        skipSpace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "[") else {
            throw GraphStoreError(location: SourceLocation(file: file, line: line), message: "expected a JSON array of objects")
        }
        pos += 1
        while true {
            skipSpace()
            guard pos < bytes.count else { throw GraphStoreError(location: SourceLocation(file: file, line: line), message: "unterminated JSON array") }
            if bytes[pos] == UInt8(ascii: "]") { return }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            let start = pos, startLine = line
            var depth = 0, inString = false
            while pos < bytes.count {
                let b = bytes[pos]
                if inString {
                    if b == UInt8(ascii: "\\") { pos += 2; continue }
                    if b == UInt8(ascii: "\"") { inString = false }
                    if b == 0x0A { line += 1 }
                } else {
                    if b == UInt8(ascii: "\"") { inString = true }
                    else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                    else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                        if depth == 0 { break }
                        depth -= 1
                        if depth == 0 { pos += 1; break }
                    } else if b == UInt8(ascii: ","), depth == 0 { break }
                    else if b == 0x0A { line += 1 }
                }
                pos += 1
            }
            row += 1
            try body(try record(from: Array(bytes[start..<min(pos, bytes.count)]), file: file, line: startLine, row: row))
        }
    }
}
