import GraphStore
import LexgraphCore

/// What the contracts graph says about each clause-corpus type, as text an encoder can
/// embed (a label embedding) and as extra prototype clauses:
/// - the type's name, its family's name (`IN_FAMILY`), the types it is `BROADER` than or
///   narrower than, its `RELATED` types, and the contract types that `EXPECTS` it (with
///   the basis given there);
/// - the LEDGAR clause whose category has the same key slug
///   (`clausetype:ledgar:{slug}` beside `clausetype:clause-corpus:{slug}`, 65 of the 100
///   LEDGAR categories), through its `INSTANCE_OF` edge.
public struct ClauseTypeNeighbourhood: Sendable {
    public static let typePrefix = ClauseFamilies.typeKeyPrefix
    public static let ledgarPrefix = "clausetype:ledgar:"

    /// Label text per type name.
    public let text: [String: String]
    /// Prototype clauses per type name: (graph key of the clause, its text).
    public let prototypes: [String: [(key: String, text: String)]]
    /// Family key per type name (`IN_FAMILY`), for the two-level score.
    public let families: ClauseFamilies
    public let source: String?

    public init(text: [String: String], prototypes: [String: [(key: String, text: String)]], families: ClauseFamilies, source: String? = nil) {
        self.text = text; self.prototypes = prototypes; self.families = families; self.source = source
    }

    /// "governing-laws" → "governing laws".
    static func spoken(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).joined(separator: " ")
    }

    static func name(_ key: String, _ fallback: String?) -> String {
        spoken(fallback ?? String(key.split(separator: ":").last ?? Substring(key)))
    }

    public init(store: GraphStore, types: [String]) throws {
        let families = try ClauseFamilies(store: store)
        var familyName: [String: String] = [:]
        for node in try store.nodes(ofType: "ClauseFamily") { familyName[node.key] = node.properties["name"]?.stringValue }
        var broader: [String: [String]] = [:], narrower: [String: [String]] = [:], related: [String: [String]] = [:]
        for edge in try store.edges(ofType: "BROADER") {
            broader[edge.from, default: []].append(Self.name(edge.to, edge.toName))
            narrower[edge.to, default: []].append(Self.name(edge.from, edge.fromName))
        }
        for edge in try store.edges(ofType: "RELATED") {
            related[edge.from, default: []].append(Self.name(edge.to, edge.toName))
            related[edge.to, default: []].append(Self.name(edge.from, edge.fromName))
        }
        var expectedIn: [String: [String]] = [:]
        for contract in try store.nodes(ofType: "ContractType") {
            let contractName = contract.properties["name"]?.stringValue ?? Self.name(contract.key, nil)
            for linked in try store.edges(ofType: "EXPECTS", from: contract.key) {
                let basis = linked.edgeProperties["basis"]?.stringValue.map { ": " + $0 } ?? ""
                expectedIn[linked.node.key, default: []].append(contractName.lowercased() + basis)
            }
        }
        let ledgar = Set(try store.nodes(ofType: "ClauseType").map(\.key).filter { $0.hasPrefix(Self.ledgarPrefix) })
        var text: [String: String] = [:], prototypes: [String: [(key: String, text: String)]] = [:]
        for type in types {
            let key = Self.typePrefix + type
            var parts = [Self.spoken(type)]
            if let f = families.familyByType[type], f != "clausefamily:" + type {
                parts.append("family: " + Self.name(f, familyName[f]))
            }
            if let b = broader[key], !b.isEmpty { parts.append("a kind of: " + b.joined(separator: ", ")) }
            if let n = narrower[key], !n.isEmpty { parts.append("kinds: " + n.joined(separator: ", ")) }
            if let r = related[key], !r.isEmpty { parts.append("related: " + r.joined(separator: ", ")) }
            if let e = expectedIn[key], !e.isEmpty { parts.append("expected in " + e.joined(separator: "; ")) }
            text[type] = parts.joined(separator: ". ")
            let ledgarKey = Self.ledgarPrefix + type
            if ledgar.contains(ledgarKey) {
                prototypes[type] = try store.edges(ofType: "INSTANCE_OF", to: ledgarKey).compactMap { linked in
                    linked.node.properties["text"]?.stringValue.map { (linked.node.key, $0) }
                }
            }
        }
        self.init(text: text, prototypes: prototypes, families: families, source: store.path)
    }
}
