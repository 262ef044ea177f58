import GraphAlgorithms
import LexgraphCore

/// What a seed node stands for in the case. The raw values name features and anchors.
public enum SeedRole: String, Sendable, CaseIterable, Hashable {
    case issue, issueArea = "issue_area", provision, lawType = "law_type", petitioner, respondent
    case sourceCourt = "source_court", originCourt = "origin_court", naturalCourt = "natural_court"
    /// A precedent the case's own opinion cites (its out-CITES): written at decision
    /// time, so kept apart and used only when asked for.
    case citedPrecedent = "cited_precedent"

    /// How the verbalized fact introduces the seed.
    public var label: String {
        switch self {
        case .issue: return "Issue"
        case .issueArea: return "Issue area"
        case .provision: return "Provision"
        case .lawType: return "Law type"
        case .petitioner: return "Petitioner"
        case .respondent: return "Respondent"
        case .sourceCourt: return "Lower court"
        case .originCourt: return "Court of origin"
        case .naturalCourt: return "Natural court"
        case .citedPrecedent: return "Cited precedent"
        }
    }
}

/// One seed node of a case, resolved in the graph.
public struct CaseSeed: Sendable, Hashable {
    public var role: SeedRole
    public var key: String

    public init(role: SeedRole, key: String) {
        self.role = role
        self.key = key
    }
}

/// The seed nodes of a case as of a date, in two groups: what is known up front (SCDB
/// codes mapped to their graph nodes by the `graphs/scotus.yaml` key templates) and,
/// separately, the precedents the case's own opinion cites.
public struct CaseSeeds: Sendable {
    public var asOf: LegalDate
    public var known: [CaseSeed]
    /// Empty unless `includeOwnCitations` was asked for.
    public var citations: [CaseSeed]
    /// Keys the codes map to that the graph lacks (or has only after the date); said,
    /// not silently dropped.
    public var missing: [String]

    public var all: [CaseSeed] { known + citations }

    /// The node key each code maps to, by the recipe's templates (`scdb:issue:{code}`,
    /// `scdb:court:{code}`, ...).
    public static func keys(for attributes: CaseAttributes) -> [CaseSeed] {
        var seeds: [CaseSeed] = []
        func add(_ role: SeedRole, _ key: String?) { if let key { seeds.append(CaseSeed(role: role, key: key)) } }
        add(.issue, attributes.issue.map { "scdb:issue:\($0)" })
        add(.issueArea, attributes.issueArea.map { "scdb:issueArea:\($0)" })
        for code in attributes.lawSupp { add(.provision, "scdb:lawSupp:\(code)") }
        add(.lawType, attributes.lawType.map { "scdb:lawType:\($0)" })
        add(.petitioner, attributes.petitioner.map { "scdb:party:\($0)" })
        add(.respondent, attributes.respondent.map { "scdb:party:\($0)" })
        add(.sourceCourt, attributes.caseSource.map { "scdb:court:\($0)" })
        add(.originCourt, attributes.caseOrigin.map { "scdb:court:\($0)" })
        add(.naturalCourt, attributes.naturalCourt.map { "scdb:naturalCourt:\($0)" })
        return seeds
    }

    /// Resolves the seeds of `attributes` in `graph` as of `asOf`: a code node must
    /// exist and be valid the day before `asOf`; a cited precedent must have been
    /// decided strictly before `asOf`.
    public init(_ attributes: CaseAttributes, asOf: LegalDate, in graph: GroundingGraph, includeOwnCitations: Bool) {
        self.asOf = asOf
        var known: [CaseSeed] = [], missing: [String] = []
        for seed in CaseSeeds.keys(for: attributes) {
            if graph.isVisible(key: seed.key, before: asOf) { known.append(seed) } else { missing.append(seed.key) }
        }
        var citations: [CaseSeed] = []
        if includeOwnCitations, let caseKey = attributes.caseKey {
            for cited in graph.ownCitations(of: caseKey) where graph.isVisible(key: cited, before: asOf) {
                citations.append(CaseSeed(role: .citedPrecedent, key: cited))
            }
        }
        self.known = known
        self.citations = citations
        self.missing = missing
    }
}
