import Foundation

/// One hyperparameter's value in a trial: an integer, a real number or a flag. Coded as
/// the bare JSON value, so a study's trials read as plain JSON objects.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case real(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else { self = .real(try c.decode(Double.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .real(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }

    public var double: Double {
        switch self {
        case .int(let i): Double(i)
        case .real(let d): d
        case .bool(let b): b ? 1 : 0
        }
    }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .real(let d): String(format: "%.4g", d)
        case .bool(let b): String(b)
        }
    }
}

/// A trial's hyperparameters by name.
public typealias Hyperparameters = [String: ParameterValue]
