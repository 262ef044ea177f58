import Foundation
import GraphStore
import LexgraphCore

/// A kind of contract the graph knows (`contracttype:{slug}`, graphs/contracts.yaml).
public struct ContractTypeInfo: Sendable, Equatable {
    public var slug: String
    public var key: String
    public var name: String
    /// Words that identify the type in a title or preamble (`title_words`, `;`-separated).
    public var titleWords: [String]
}

/// A clause type a contract of some type is expected to have (`EXPECTS`), with the types
/// that count as having it: the members of its family (`IN_FAMILY`), or the type alone
/// when the graph has no families.
public struct ExpectedClause: Sendable, Equatable {
    public var typeKey: String
    public var typeName: String
    public var basis: String?
    /// `clausefamily:...`, nil when the graph has no family for the type.
    public var family: String?
    /// Keys of every clause type that counts as present (the type itself included).
    public var acceptedTypeKeys: Set<String>
}

/// What the graph says a contract of one type should contain.
public struct ContractExpectations: Sendable, Equatable {
    public var contractType: ContractTypeInfo
    public var expected: [ExpectedClause]

    /// Every contract type in the graph, by slug. An empty graph (built without the
    /// contracts recipe's contract types) is an error saying how to get them.
    public static func contractTypes(in store: GraphStore) throws -> [ContractTypeInfo] {
        let types = try knownTypes(in: store)
        guard !types.isEmpty else {
            throw ContractReviewError("the graph has no contract types (ContractType nodes): build it with `lexgraph build contracts`, whose recipe adds them from graphs/contracts/contract_types.csv",
                                      file: store.path)
        }
        return types
    }

    /// Every contract type in the graph, possibly none (a graph built before they existed).
    public static func knownTypes(in store: GraphStore) throws -> [ContractTypeInfo] {
        try store.nodes(ofType: "ContractType").map { node -> ContractTypeInfo in
            let slug = node.key.hasPrefix("contracttype:") ? String(node.key.dropFirst("contracttype:".count)) : node.key
            let words = (node.properties["title_words"]?.stringValue ?? "").split(separator: ";")
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            return ContractTypeInfo(slug: slug, key: node.key, name: node.properties["name"]?.stringValue ?? slug, titleWords: words)
        }
    }

    /// The expectations of the contract type `slug`; an unknown slug is an error listing
    /// the known ones.
    public static func load(_ slug: String, from store: GraphStore) throws -> ContractExpectations {
        let types = try contractTypes(in: store)
        guard let type = types.first(where: { $0.slug == slug }) else {
            throw ContractReviewError("unknown contract type \"\(slug)\"; the graph knows: \(types.map(\.slug).joined(separator: ", "))")
        }
        return try load(type, from: store)
    }

    public static func load(_ type: ContractTypeInfo, from store: GraphStore) throws -> ContractExpectations {
        let expected = try store.edges(ofType: "EXPECTS", from: type.key).map { expects -> ExpectedClause in
            let clauseType = expects.node
            // A type in several families (which ClauseFamilies refuses) takes the first by key.
            let family = try store.edges(ofType: "IN_FAMILY", from: clauseType.key).first?.node.key
            var accepted: Set<String> = [clauseType.key]
            if let family { accepted.formUnion(try store.edges(ofType: "IN_FAMILY", to: family).map(\.node.key)) }
            return ExpectedClause(typeKey: clauseType.key, typeName: clauseType.properties["name"]?.stringValue ?? clauseType.key,
                                  basis: expects.edgeProperties["basis"]?.stringValue, family: family, acceptedTypeKeys: accepted)
        }
        return ContractExpectations(contractType: type, expected: expected)
    }
}

/// Which contract type a document is, by a rule a reader can check: the first of the
/// types' title words (whole words, any case) found in the document's title, else the
/// one found earliest in its first 2,000 characters of clause text. No match: unknown
/// (the caller says so and suggests `--contract-type`).
public enum ContractTypeDetection {
    public struct Match: Sendable, Equatable {
        public var type: ContractTypeInfo
        /// The title word that matched and where: "title" or "opening text".
        public var word: String
        public var place: String
    }

    public static let openingLength = 2000

    public static func detect(_ contract: SegmentedContract, among types: [ContractTypeInfo]) -> Match? {
        if let title = contract.title, let m = earliest(in: title, among: types) {
            return Match(type: m.0, word: m.1, place: "title")
        }
        var opening = ""
        for s in contract.segments where opening.count < openingLength {
            opening += [s.heading, s.text].compactMap { $0 }.joined(separator: " ") + " "
        }
        if let m = earliest(in: String(opening.prefix(openingLength)), among: types) {
            return Match(type: m.0, word: m.1, place: "opening text")
        }
        return nil
    }

    /// The type whose word starts earliest in `text` (longer words first on a tie).
    static func earliest(in text: String, among types: [ContractTypeInfo]) -> (ContractTypeInfo, String)? {
        let lowered = text.lowercased()
        var best: (position: Int, length: Int, type: ContractTypeInfo, word: String)?
        for type in types {
            for word in type.titleWords {
                guard let p = wholeWordPosition(of: word, in: lowered) else { continue }
                if best.map({ p < $0.position || (p == $0.position && word.count > $0.length) }) ?? true {
                    best = (p, word.count, type, word)
                }
            }
        }
        return best.map { ($0.type, $0.word) }
    }

    static func wholeWordPosition(of word: String, in text: String) -> Int? {
        var searchStart = text.startIndex
        while let r = text.range(of: word, range: searchStart..<text.endIndex) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            if !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && !(after?.isLetter ?? false) && !(after?.isNumber ?? false) {
                return text.distance(from: text.startIndex, to: r.lowerBound)
            }
            searchStart = text.index(after: r.lowerBound)
        }
        return nil
    }
}
