import GraphStore

/// The family of each clause-corpus type, read from the contracts graph: edges
/// `(:ClauseType)-[:IN_FAMILY]->(:ClauseFamily)` from `clausetype:clause-corpus:{slug}` to
/// `clausefamily:{family}` (graphs/contracts.yaml, from the reviewable
/// graphs/contracts/clause_families.csv). Synonym types such as `amendment` and
/// `amendments` share a family; a type alone is its own family. Family accuracy scores a
/// predicted type as right when it is in the gold type's family.
public struct ClauseFamilies: Sendable, Equatable {
    public static let edgeType = "IN_FAMILY"
    public static let typeKeyPrefix = "clausetype:clause-corpus:"

    /// Family key (`clausefamily:amendment`) by type name (`amendments`, the label string
    /// of clause_types_395.csv and of the prepared files).
    public let familyByType: [String: String]
    /// Where the map came from (the graph database's path), for reports.
    public let source: String?

    public init(familyByType: [String: String], source: String? = nil) {
        self.familyByType = familyByType
        self.source = source
    }

    /// Reads every IN_FAMILY edge from a clause-corpus type. The type's name is its node's
    /// `name` property (the corpus label), else the key's last part. A type with two
    /// families is an error naming both.
    public init(store: GraphStore) throws {
        var map: [String: String] = [:]
        for edge in try store.edges(ofType: Self.edgeType) where edge.from.hasPrefix(Self.typeKeyPrefix) {
            let name = edge.fromName ?? String(edge.from.dropFirst(Self.typeKeyPrefix.count))
            if let other = map[name], other != edge.to {
                throw ContractReviewError("clause type \"\(name)\" (\(edge.from)) is IN_FAMILY of both \(other) and \(edge.to); a type has one family",
                                          file: store.path)
            }
            map[name] = edge.to
        }
        familyByType = map
        source = store.path
    }

    /// The family of each of `types`, in order. A type without a family is an error
    /// naming it (and how many more lack one), so family accuracy is never computed over
    /// a partial map.
    public func families(of types: [String]) throws -> [String] {
        let missing = types.filter { familyByType[$0] == nil }
        guard missing.isEmpty else {
            let shown = missing.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            let graph = familyByType.isEmpty ? "the graph has no \(Self.edgeType) edges from \(Self.typeKeyPrefix)* types (build the contracts graph: `lexgraph build contracts`)"
                : "the graph's \(Self.edgeType) edges cover \(familyByType.count) types"
            throw ContractReviewError("\(missing.count) clause type(s) have no family: \(shown)\(missing.count > 5 ? ", ..." : ""); \(graph)", file: self.source)
        }
        return types.map { familyByType[$0]! }
    }
}
