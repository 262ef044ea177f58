import Prediction

/// A case-outcome input column drift is measured on: the values of `CaseInput` the models
/// read (the term, the SCDB codes of `CategoricalField`, the facts text). SCDB codes are
/// categories (their numbers are labels, not amounts), so they get chi-square, not KS.
public struct DriftColumn: Sendable {
    public enum Kind: String, Sendable { case numeric, categorical, text }

    public let name: String
    public let kind: Kind
    let number: @Sendable (CaseInput) -> Double?
    let text: @Sendable (CaseInput) -> String?

    init(numeric name: String, _ value: @escaping @Sendable (CaseInput) -> Double?) {
        self.name = name; kind = .numeric; number = value; text = { _ in nil }
    }

    init(categorical field: CategoricalField) {
        name = field.rawValue; kind = .categorical
        number = { field.value(in: $0).map(Double.init) }
        text = { _ in nil }
    }

    init(text name: String, _ value: @escaping @Sendable (CaseInput) -> String?) {
        self.name = name; kind = .text; number = { _ in nil }; text = value
    }

    /// Every column, in report order.
    public static let all: [DriftColumn] =
        [DriftColumn(numeric: "term") { Double($0.term) }]
        + CategoricalField.allCases.map(DriftColumn.init(categorical:))
        + [DriftColumn(text: "facts") { $0.facts.isEmpty ? nil : $0.facts }]

    /// The columns named in `names` (all when nil), in report order. An unknown name is an
    /// error that lists the known ones.
    public static func selected(_ names: [String]?) throws -> [DriftColumn] {
        guard let names else { return all }
        let known = Set(all.map(\.name))
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw MonitoringError("unknown column '\(unknown)' (columns: \(all.map(\.name).joined(separator: ", ")))")
        }
        if names.isEmpty { throw MonitoringError("no columns named") }
        return all.filter { names.contains($0.name) }
    }
}
