/// A reader of the Protocol Buffers wire format, enough for the messages tokenizers ship
/// (SentencePiece's `ModelProto`): varints, 32- and 64-bit fixed fields and length-delimited
/// fields (strings, bytes, nested messages), field by field in file order. A message is read
/// by walking its fields and skipping the numbers it does not know, as protobuf readers do.
/// Positions are absolute byte offsets in the whole file, so errors point into it.
struct ProtobufReader {
    enum FieldValue {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        /// A length-delimited field's bytes, as a range of the file.
        case bytes(Range<Int>)
    }

    /// A malformed message: what is wrong, and the byte offset where the field starts.
    struct Failure: Error {
        let message: String
        let offset: Int
    }

    let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    /// The next field (its number, value and the offset its key starts at), or nil at the end
    /// of the message.
    mutating func next() throws -> (number: Int, value: FieldValue, offset: Int)? {
        guard position < end else { return nil }
        let start = position
        let key = try varint(fieldStart: start)
        let number = key >> 3
        guard number >= 1, number <= (1 << 29) - 1 else {
            throw Failure(message: "field number \(number) is outside protobuf's range", offset: start)
        }
        switch key & 7 {
        case 0:
            return (Int(number), .varint(try varint(fieldStart: start)), start)
        case 1:
            return (Int(number), .fixed64(try fixed(8, fieldStart: start)), start)
        case 5:
            return (Int(number), .fixed32(UInt32(try fixed(4, fieldStart: start))), start)
        case 2:
            let length = try varint(fieldStart: start)
            guard length <= UInt64(end - position) else {
                throw Failure(message: "field \(number) declares \(length) bytes but only \(end - position) remain", offset: start)
            }
            let range = position..<(position + Int(length))
            position = range.upperBound
            return (Int(number), .bytes(range), start)
        case let wire:
            // 3 and 4 are proto1 groups, which no SentencePiece model holds; 6 and 7 do not exist.
            throw Failure(message: "field \(number) has wire type \(wire), which is \(wire == 3 || wire == 4 ? "a group" : "not a protobuf wire type")", offset: start)
        }
    }

    private mutating func varint(fieldStart: Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw Failure(message: "the data ends inside a varint (truncated?)", offset: fieldStart) }
            let byte = bytes[position]
            position += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw Failure(message: "a varint runs past 64 bits", offset: fieldStart) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private mutating func fixed(_ count: Int, fieldStart: Int) throws -> UInt64 {
        guard end - position >= count else { throw Failure(message: "the data ends inside a \(count * 8)-bit field (truncated?)", offset: fieldStart) }
        var value: UInt64 = 0
        for k in 0..<count { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += count
        return value
    }

    /// A length-delimited field as UTF-8 text.
    func string(_ range: Range<Int>, field: String, offset: Int) throws -> String {
        guard let s = String(validating: bytes[range], as: UTF8.self) else {
            throw Failure(message: "\(field) is not valid UTF-8", offset: offset)
        }
        return s
    }
}

extension ProtobufReader.FieldValue {
    /// The field as an integer of a varint field (int32 negatives are ten-byte varints of
    /// their 64-bit two's complement, so truncation restores them).
    func int32(_ field: String, offset: Int) throws -> Int32 {
        guard case .varint(let v) = self else { throw ProtobufReader.Failure(message: "\(field) is not a varint", offset: offset) }
        return Int32(truncatingIfNeeded: v)
    }

    func bool(_ field: String, offset: Int) throws -> Bool {
        guard case .varint(let v) = self else { throw ProtobufReader.Failure(message: "\(field) is not a varint", offset: offset) }
        return v != 0
    }

    func float(_ field: String, offset: Int) throws -> Float {
        guard case .fixed32(let v) = self else { throw ProtobufReader.Failure(message: "\(field) is not a 32-bit float", offset: offset) }
        return Float(bitPattern: v)
    }

    func range(_ field: String, offset: Int) throws -> Range<Int> {
        guard case .bytes(let r) = self else { throw ProtobufReader.Failure(message: "\(field) is not length-delimited", offset: offset) }
        return r
    }
}
