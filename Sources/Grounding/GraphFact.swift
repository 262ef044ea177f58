import GraphAlgorithms

/// What a fact is about: the seed (role and node) it attaches to, so a fused model can
/// place it next to the matching span, and an explanation can say why it is there.
public struct FactAnchor: Sendable, Hashable {
    public var role: SeedRole
    public var key: String

    public init(role: SeedRole, key: String) {
        self.role = role
        self.key = key
    }
}

/// Which part of grounding produced a fact.
public enum FactKind: String, Sendable, Hashable {
    /// A seed named: "Issue: search and seizure."
    case seed
    /// Outcomes of earlier cases sharing a seed: "Earlier cases on this issue ...".
    case history
    /// A cited precedent with its standing as of the date.
    case precedent
    /// An earlier case the as-of walk ranks close to the seeds.
    case relatedCase = "related_case"
}

/// One verbalized, time-safe fact about a case's place in the graph, with the graph
/// path that produced it (an explanation a lawyer can follow).
public struct GraphFact: Sendable, Hashable {
    public var text: String
    /// Ranking score in [0, 1]; facts are ordered by it, highest first.
    public var score: Double
    public var kind: FactKind
    /// Steps from the anchor's node to the node the fact is about (empty for a seed fact;
    /// for a count over earlier cases, through the most recent of them).
    public var path: [PathStep]
    public var anchor: FactAnchor
    /// Keys of the cases behind a count (most recent first, a few at most).
    public var evidence: [String]

    public init(text: String, score: Double, kind: FactKind, path: [PathStep], anchor: FactAnchor, evidence: [String] = []) {
        self.text = text
        self.score = score
        self.kind = kind
        self.path = path
        self.anchor = anchor
        self.evidence = evidence
    }

    /// `anchor -[EDGE]-> node ...`, as the walk command prints paths.
    public var pathDescription: String {
        ([anchor.key] + path.map(\.description)).joined(separator: " ")
    }
}

/// How much context a case may take: characters, or tokens counted by the caller's
/// tokenizer (the Prediction layer passes the real WordPiece count).
public enum FactBudget: Sendable {
    case characters(Int)
    /// Each fact's cost is `count(fact.text)`; the facts are joined by spaces, which a
    /// WordPiece tokenizer does not turn into tokens, so costs add up.
    case tokens(Int, count: @Sendable (String) -> Int)

    /// The highest-scoring facts that fit, in score order: a fact too long for what is
    /// left is skipped and shorter later ones may still fit.
    public func select(_ facts: [GraphFact]) -> [GraphFact] {
        var chosen: [GraphFact] = []
        switch self {
        case .characters(let limit):
            var used = 0
            for fact in facts {
                let cost = fact.text.count + (chosen.isEmpty ? 0 : 1)
                if used + cost <= limit { chosen.append(fact); used += cost }
            }
        case .tokens(let limit, let count):
            var used = 0
            for fact in facts {
                let cost = count(fact.text)
                if used + cost <= limit { chosen.append(fact); used += cost }
            }
        }
        return chosen
    }
}
