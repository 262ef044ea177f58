import Foundation
import GRDB
import GraphStore
import NIOCore
import PostgresNIO

/// Values between GRDB's `DatabaseValue` (what the compiler binds and the engine reads)
/// and PostgreSQL's wire types.
enum PostgresValues {
    /// `arguments` as the statement's parameters, in placeholder order. Integers go as
    /// `int8`, reals as `float8`, text as `text` and NULL untyped (the server infers it).
    static func bindings(_ arguments: [DatabaseValue]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: arguments.count)
        for value in arguments {
            switch value.storage {
            case .null: binds.appendNull()
            case .int64(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .string(let s): binds.append(s)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            }
        }
        return binds
    }

    /// One result cell as a `DatabaseValue`: integers, reals and booleans (as 0/1) by
    /// value, everything else as its text.
    static func value(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return try cell.decode(Int64.self).databaseValue
        case .float8, .float4: return try cell.decode(Double.self).databaseValue
        case .bool: return (try cell.decode(Bool.self) ? 1 : 0).databaseValue
        case .numeric:
            let text = "\(try cell.decode(Decimal.self))"
            if let i = Int64(text) { return i.databaseValue }
            return (Double(text) ?? .nan).databaseValue
        default: return try cell.decode(String.self).databaseValue
        }
    }

    /// One row of a COPY in text format: columns separated by tabs, NULL as `\N`, and
    /// backslash, tab, newline and carriage return escaped.
    static func copyLine(_ values: [DatabaseValue], into buffer: inout ByteBuffer) {
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value.storage {
            case .null: buffer.writeStaticString("\\N")
            case .int64(let n): buffer.writeString(String(n))
            case .double(let d): buffer.writeString("\(d)")
            case .string(let s): escape(s, into: &buffer)
            case .blob(let data): escape(String(decoding: data, as: UTF8.self), into: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func escape(_ text: String, into buffer: inout ByteBuffer) {
        var plain = true
        for byte in text.utf8 where byte == UInt8(ascii: "\\") || byte == 9 || byte == 10 || byte == 13 { plain = false; break }
        if plain { buffer.writeString(text); return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 9: buffer.writeStaticString("\\t")
            case 10: buffer.writeStaticString("\\n")
            case 13: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}
