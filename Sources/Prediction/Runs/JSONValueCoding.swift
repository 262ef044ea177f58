import LexgraphCore

/// `Value` through Codable, for the free-form model options of a run's config: null,
/// bools, numbers, strings, lists and maps. A whole number reads back as `.int` (JSON
/// has one number type), so read numeric options with `doubleValue`.
struct JSONValueCoding: Codable, Equatable {
    var value: Value

    init(_ value: Value) { self.value = value }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .null }
        else if let b = try? c.decode(Bool.self) { value = .bool(b) }
        else if let i = try? c.decode(Int64.self) { value = .int(i) }
        else if let d = try? c.decode(Double.self) { value = .float(d) }
        else if let s = try? c.decode(String.self) { value = .string(s) }
        else if let l = try? c.decode([JSONValueCoding].self) { value = .list(l.map(\.value)) }
        else if let m = try? c.decode([String: JSONValueCoding].self) { value = .map(m.mapValues(\.value)) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value") }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .float(let d): if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l.map(JSONValueCoding.init))
        case .map(let m): try c.encode(m.mapValues(JSONValueCoding.init))
        }
    }
}
