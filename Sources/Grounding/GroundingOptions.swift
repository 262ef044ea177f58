import GraphAlgorithms

/// How one case is grounded.
public struct GroundingOptions: Sendable {
    /// Add the precedents the case's own opinion cites as a seed group (reported
    /// separately: they are written at decision time).
    public var includeOwnCitations: Bool
    /// How many related earlier cases the walk turns into facts.
    public var relatedCases: Int
    /// Strength of the Beta prior for win rates (pseudo-cases at the overall past rate).
    public var smoothing: Double
    public var pageRank: PageRankOptions

    public init(includeOwnCitations: Bool = false, relatedCases: Int = 5, smoothing: Double = 10,
                pageRank: PageRankOptions = PageRankOptions(restartProbability: 0.15, maxIterations: 50, tolerance: 1e-6)) {
        self.includeOwnCitations = includeOwnCitations
        self.relatedCases = relatedCases
        self.smoothing = smoothing
        self.pageRank = pageRank
    }

    /// Edges the context walk follows. Not DECIDED_ON_AUTHORITY or AUTHORED_BY: the legal
    /// basis and author of a decision are outcome fields, and the walk has no use for
    /// them on earlier cases either.
    public static let walkEdgeTypes = ["HAS_ISSUE", "APPLIES", "PETITIONER", "RESPONDENT", "APPEALED_FROM", "ORIGINATED_IN", "CITES", "OVERRULES"]

    /// Seed roles the walk starts from, with their PageRank restart weights. Hubs (issue
    /// area, law type, natural court) are left to the counts: they join thousands of
    /// cases and would drown the specific seeds.
    static let walkWeights: [SeedRole: Double] = [
        .issue: 3, .provision: 3, .sourceCourt: 1, .originCourt: 0.5, .petitioner: 1, .respondent: 1,
    ]
    /// Total restart weight shared by the cited precedents.
    static let citationWeight = 3.0
}
