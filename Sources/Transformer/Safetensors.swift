import Foundation
import LexgraphCore
import Sealing
import Tensor

/// Element types a safetensors header may name. Compute needs F32; F16 and BF16 are
/// widened to F32 on read; the others are recognized so that the error says what was found.
public enum SafetensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// Whether `SafetensorsFile.readFloats` can turn this type into Float32.
    public var isFloatConvertible: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// One tensor's header entry: dtype, shape and its byte range within the data section.
public struct SafetensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range relative to the start of the data section (after the header).
    public let byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file (`u64 LE header length`, JSON header, raw little-endian data), mapped
/// into memory and validated on open: header JSON, dtypes, shapes against byte ranges,
/// ranges in bounds and not overlapping. Reading a tensor copies (and widens) its floats.
public struct SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let metadata: [String: String]
    /// Entries in file order (by data offset).
    public let entries: [SafetensorsEntry]
    private let byName: [String: Int]
    private let source: Source
    private let dataStart: Int

    /// Where the file's bytes come from: an image in memory (a plain file mapped, or one
    /// sealed whole, `LXSEAL01`, decrypted), or a chunk-sealed file (`LXSEAL02`) whose
    /// chunks are decrypted as tensors are read, straight into their storage: a sealed
    /// checkpoint then loads with no plaintext copy of the file, as a mapped plain one does.
    private enum Source {
        case image(Data)
        case sealed(SealedFileReader)

        var count: Int {
            switch self {
            case .image(let data): return data.count
            case .sealed(let reader): return reader.length
            }
        }

        func bytes(_ range: Range<Int>, path: String) throws -> [UInt8] {
            switch self {
            case .image(let data): return [UInt8](data[data.startIndex + range.lowerBound ..< data.startIndex + range.upperBound])
            case .sealed(let reader):
                do { return try reader.bytes(range) } catch { throw TransformerError(error.message, file: path) }
            }
        }
    }

    /// Largest header accepted: the format's own limit (100 MB).
    static let maxHeaderBytes = 100_000_000

    /// Reads the file at `path`; a file sealed with the artifact key (`SealedFiles`) is
    /// opened with it (its header and last chunk authenticated now, each tensor's chunks
    /// as it is read), a plain one is mapped.
    public init(path: String) throws {
        var data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TransformerError("cannot read safetensors file: \(error.localizedDescription)", file: path)
        }
        var source = Source.image(data)
        if SealedFiles.isSealedMark(data) {
            do {
                if let reader = try SealedFiles.reader(data, path: path, key: SealedFiles.key()) {
                    source = .sealed(reader)
                } else {
                    data = try SealedFiles.decode(data, path: path, key: SealedFiles.key())
                    source = .image(data)
                }
            } catch let error as SealingError {
                throw TransformerError(error.message, file: path)
            }
        }
        try self.init(source: source, path: path)
    }

    /// Parses an in-memory safetensors image; `path` is used in error messages.
    public init(data: Data, path: String) throws {
        try self.init(source: .image(data), path: path)
    }

    private init(source: Source, path: String) throws {
        self.path = path
        self.source = source
        func fail(_ message: String) -> TransformerError { TransformerError(message, file: path) }
        let count = source.count
        guard count >= 8 else { throw fail("file is \(count) bytes, too short for the 8-byte safetensors header length") }
        let headerLength = try source.bytes(0 ..< 8, path: path).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= count - 8 else {
            throw fail("header length \(headerLength) exceeds the file (\(count) bytes): truncated or not a safetensors file")
        }
        let headerBytes = try source.bytes(8 ..< 8 + Int(headerLength), path: path)
        let header: Value
        do { header = try Value.parseJSON(bytes: headerBytes) } catch {
            throw fail("header is not valid JSON: \(error)")
        }
        guard case .map(let fields) = header else { throw fail("header JSON is not an object") }
        dataStart = 8 + Int(headerLength)
        let dataLength = count - dataStart

        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in fields {
            if name == "__metadata__" {
                guard case .map(let m) = value else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v.stringValue else { throw fail("__metadata__ value for \"\(k)\" is not a string") }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try Self.parseEntry(name: name, value: value, dataLength: dataLength, fail: fail))
        }
        entries.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        for (prev, next) in zip(entries, entries.dropFirst()) where next.byteRange.lowerBound < prev.byteRange.upperBound && !next.byteRange.isEmpty && !prev.byteRange.isEmpty {
            throw fail("tensor \"\(next.name)\" bytes \(next.byteRange) overlap tensor \"\(prev.name)\" bytes \(prev.byteRange)")
        }
        self.metadata = metadata
        self.entries = entries
        self.byName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    private static func parseEntry(name: String, value: Value, dataLength: Int, fail: (String) -> TransformerError) throws -> SafetensorsEntry {
        guard case .map(let f) = value else { throw fail("tensor \"\(name)\": header entry is not an object") }
        guard let dtypeName = f["dtype"]?.stringValue else { throw fail("tensor \"\(name)\": missing \"dtype\"") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw fail("tensor \"\(name)\": unknown dtype \"\(dtypeName)\"") }
        guard case .list(let dims)? = f["shape"] else { throw fail("tensor \"\(name)\": missing or non-list \"shape\"") }
        var shape: [Int] = []
        for d in dims {
            guard let i = d.intValue, i >= 0, i < Int64(Int32.max) else { throw fail("tensor \"\(name)\": invalid dimension \(d.jsonText) in shape") }
            shape.append(Int(i))
        }
        guard case .list(let offs)? = f["data_offsets"], offs.count == 2, let lo = offs[0].intValue, let hi = offs[1].intValue else {
            throw fail("tensor \"\(name)\": \"data_offsets\" must be [start, end]")
        }
        guard lo >= 0, hi >= lo, hi <= Int64(dataLength) else {
            throw fail("tensor \"\(name)\": data_offsets [\(lo), \(hi)] out of bounds of the \(dataLength)-byte data section (truncated file?)")
        }
        let (elements, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
        }
        guard !overflow, elements.multipliedReportingOverflow(by: dtype.byteSize).overflow == false,
              elements * dtype.byteSize == Int(hi - lo) else {
            throw fail("tensor \"\(name)\": shape \(shape) of \(dtype.rawValue) needs \(overflow ? "too many" : String(elements * dtype.byteSize)) bytes but data_offsets span \(hi - lo)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, byteRange: Int(lo)..<Int(hi))
    }

    public func entry(_ name: String) -> SafetensorsEntry? { byName[name].map { entries[$0] } }

    /// Copies tensor `name` into `destination` (which holds `entry.elementCount` floats),
    /// widening F16/BF16. Other dtypes are rejected with the tensor's name.
    public func readFloats(_ name: String, into destination: UnsafeMutablePointer<Float>) throws {
        guard let e = entry(name) else { throw TransformerError("no tensor named \"\(name)\"", file: path) }
        let range = dataStart + e.byteRange.lowerBound ..< dataStart + e.byteRange.upperBound
        switch source {
        case .image(let data):
            try data.withUnsafeBytes { raw in try convert(e, from: raw.baseAddress! + range.lowerBound, into: destination) }
        case .sealed(let reader):
            do {
                #if _endian(little)
                if e.dtype == .f32 { return try reader.read(range, into: destination) }  // decrypted in place: no copy
                #endif
                guard e.dtype.isFloatConvertible else { throw unusableDType(e) }
                let bytes = try reader.bytes(range)
                try bytes.withUnsafeBytes { raw in try convert(e, from: raw.baseAddress ?? UnsafeRawPointer(destination), into: destination) }
            } catch let error as SealingError {
                throw TransformerError(error.message, file: path)
            }
        }
    }

    /// Widens (or copies) entry `e`'s stored values at `src` into `destination`.
    private func convert(_ e: SafetensorsEntry, from src: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>) throws {
        let n = e.elementCount
        switch e.dtype {
        case .f32:
            #if _endian(little)
            UnsafeMutableRawPointer(destination).copyMemory(from: src, byteCount: 4 * n)
            #else
            for i in 0..<n { destination[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            #endif
        case .f16:
            for i in 0..<n { destination[i] = Self.halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16:
            for i in 0..<n { destination[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        default:
            throw unusableDType(e)
        }
    }

    private func unusableDType(_ e: SafetensorsEntry) -> TransformerError {
        TransformerError("tensor \"\(e.name)\" has dtype \(e.dtype.rawValue); only F32, F16 and BF16 can be used as weights", file: path)
    }

    /// Tensor `name` as a new `Tensor` of its stored shape.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entry(name) else { throw TransformerError("no tensor named \"\(name)\"", file: path) }
        let t = Tensor(shape: e.shape)
        try readFloats(name, into: t.data)
        return t
    }

    /// IEEE half to single, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            let value = Float(mant) * 0x1p-24
            return sign != 0 ? -value : value
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }
}

/// Writes F32 safetensors files with tensors laid out in the given order.
public enum SafetensorsWriter {
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Value] = [:]
        var offset = 0
        var seen = Set<String>()
        for (name, t) in tensors {
            guard seen.insert(name).inserted else { throw TransformerError("duplicate tensor name \"\(name)\" in safetensors output") }
            guard name != "__metadata__" else { throw TransformerError("\"__metadata__\" cannot be a tensor name") }
            let bytes = t.count * 4
            header[name] = .map([
                "dtype": .string("F32"),
                "shape": .list(t.shape.map { .int(Int64($0)) }),
                "data_offsets": .list([.int(Int64(offset)), .int(Int64(offset + bytes))]),
            ])
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = .map(metadata.mapValues { .string($0) }) }
        var json = Array(Value.map(header).jsonText.utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) }  // pad so data starts 8-aligned
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for (_, t) in tensors {
            var le = [UInt32](repeating: 0, count: t.count)
            for i in 0..<t.count { le[i] = t[i].bitPattern.littleEndian }
            le.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Writes the file atomically, sealed when an artifact key is configured (`SealedFiles`).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        let data = try encode(tensors, metadata: metadata)
        do { try SealedFiles.write(data, to: path) } catch let error as SealingError {
            throw TransformerError("cannot write safetensors file: \(error.message)", file: path)
        }
    }
}
