import LexgraphCore

extension Value {
    /// The kind of JSON value a request held where another was expected, for error
    /// messages ("\"inputs\" must be a list, got a string").
    var jsonKind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .float: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .map: return "an object"
        }
    }
}
