/// The label names of a task in index order: the classifier's output `i` is `names[i]`.
/// Built from the training data: sorted numerically when every name is an integer,
/// else lexicographically, so the same data always gives the same head layout.
public struct LabelSet: Sendable, Equatable, Codable {
    public let names: [String]
    private let index: [String: Int]

    public init(names: [String]) throws {
        guard !names.isEmpty else { throw TransformerError("a task needs at least one label") }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            guard index[n] == nil else { throw TransformerError("label \"\(n)\" is listed twice") }
            index[n] = i
        }
        self.names = names
        self.index = index
    }

    /// Every label seen in `items`, in canonical order.
    public init(collecting items: [LabeledText]) throws {
        let distinct = Set(items.flatMap(\.labels))
        let numeric = distinct.allSatisfy { Int($0) != nil }
        try self.init(names: distinct.sorted { numeric ? (Int($0) ?? 0) < (Int($1) ?? 0) : $0 < $1 })
    }

    public var count: Int { names.count }

    public func index(of name: String) -> Int? { index[name] }

    enum CodingKeys: String, CodingKey { case names }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(names: try c.decode([String].self, forKey: .names))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(names, forKey: .names)
    }
}
