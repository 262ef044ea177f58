import GraphStore
import LexgraphCore

/// Which way a walk follows edges: along them (`out`: from a case to what it cites),
/// against them (`in`: to what cites it), or both.
public enum WalkDirection: String, Sendable, CaseIterable {
    case out, `in`, both
}

/// A start node of a walk. Weights set the PageRank restart distribution (normalised;
/// a seed named twice gets the sum).
public struct WalkSeed: Sendable, Hashable {
    public var key: String
    public var weight: Double

    public init(key: String, weight: Double = 1) {
        self.key = key
        self.weight = weight
    }
}

/// Over which nodes personalized PageRank runs.
public enum PageRankScope: String, Sendable, CaseIterable {
    /// The as-of subgraph induced by the nodes the walk reached within `depth` (fast;
    /// the default). Scores are PageRank of that subgraph, not of the whole graph.
    case reached
    /// Every node valid as of the date (and not skipped); slower, global scores. The
    /// result still lists only nodes within `depth`.
    case graph
}

/// Personalized PageRank settings. Random walker: with probability
/// `restartProbability` it jumps back to a seed (by seed weight), otherwise it follows
/// a uniformly chosen traversable edge; a node with none jumps back to the seeds.
/// Parallel edges count once each. (networkx's `alpha` is `1 - restartProbability`.)
public struct PageRankOptions: Sendable {
    public var restartProbability: Double
    public var maxIterations: Int
    /// Stop when the L1 change of the score vector (which sums to 1) falls below this.
    public var tolerance: Double
    public var scope: PageRankScope

    public init(restartProbability: Double = 0.15, maxIterations: Int = 100, tolerance: Double = 1e-6,
                scope: PageRankScope = .reached) {
        self.restartProbability = restartProbability
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.scope = scope
    }
}

/// What a walk may follow and what it returns.
public struct WalkOptions: Sendable {
    /// Only nodes and edges valid on this date (`valid_from <= D < valid_to`) exist for
    /// the walk, so nothing decided after it is reached or used. Nil: the whole
    /// history, ended validity included (exploration only; prediction must pass a date).
    public var asOf: LegalDate?
    /// Maximum number of hops from the nearest seed.
    public var depth: Int
    /// Edge types to follow (nil: all).
    public var edgeTypes: Set<String>?
    public var direction: WalkDirection
    /// Node types to return, subtypes included (nil: all). Filters results only: the
    /// walk still passes through other nodes (case -> provision -> case).
    public var resultNodeTypes: Set<String>?
    /// Neither return nor pass through authority overruled as of `asOf` (seeds stay).
    /// Without it, overruled nodes are returned and marked.
    public var skipOverruled: Bool
    /// Personalized PageRank ranking; nil ranks by hop distance.
    public var pageRank: PageRankOptions?
    /// Return the seeds too (distance 0).
    public var includeSeeds: Bool
    /// At most this many results (nil: all).
    public var limit: Int?

    public init(asOf: LegalDate? = nil, depth: Int = 2, edgeTypes: Set<String>? = nil, direction: WalkDirection = .out,
                resultNodeTypes: Set<String>? = nil, skipOverruled: Bool = false, pageRank: PageRankOptions? = nil,
                includeSeeds: Bool = false, limit: Int? = nil) {
        self.asOf = asOf
        self.depth = depth
        self.edgeTypes = edgeTypes
        self.direction = direction
        self.resultNodeTypes = resultNodeTypes
        self.skipOverruled = skipOverruled
        self.pageRank = pageRank
        self.includeSeeds = includeSeeds
        self.limit = limit
    }
}

/// One hop of an explaining path: the edge followed, which way, and the node reached.
public struct PathStep: Sendable, Hashable, CustomStringConvertible {
    public var edgeType: String
    /// `.out`: followed the edge from its source to its target; `.in`: the reverse.
    public var direction: WalkDirection
    public var nodeKey: String
    public var treatment: String?
    /// The edge's validity start (for a citation: the citing case's decision date).
    public var edgeValidFrom: LegalDate?

    public init(edgeType: String, direction: WalkDirection, nodeKey: String, treatment: String? = nil, edgeValidFrom: LegalDate? = nil) {
        self.edgeType = edgeType
        self.direction = direction
        self.nodeKey = nodeKey
        self.treatment = treatment
        self.edgeValidFrom = edgeValidFrom
    }

    /// `-[CITES]-> key` or `<-[CITES]- key`, with the treatment when there is one.
    public var description: String {
        let label = treatment.map { "\(edgeType) \($0)" } ?? edgeType
        return direction == .in ? "<-[\(label)]- \(nodeKey)" : "-[\(label)]-> \(nodeKey)"
    }
}

/// One node a walk reached.
public struct WalkHit: Sendable {
    public var key: String
    public var type: String
    /// Hops from the nearest seed.
    public var distance: Int
    /// Personalized PageRank score (nil when the walk did not rank by PageRank).
    public var score: Double?
    /// Overruled as of the walk's date.
    public var overruled: Bool
    /// The seed the explaining path starts from.
    public var seed: String
    /// One shortest path from `seed` (first step leaves the seed, last reaches `key`).
    public var path: [PathStep]

    /// `seed -[CITES]-> a <-[APPLIES]- key`.
    public var pathDescription: String {
        ([seed] + path.map(\.description)).joined(separator: " ")
    }
}

/// The ranked outcome of a walk.
public struct WalkResult: Sendable {
    public var hits: [WalkHit]
    /// Nodes reached within depth (seeds included), before type filter and limit.
    public var reachedCount: Int
    /// PageRank iterations run (nil without PageRank).
    public var pageRankIterations: Int?
    /// How far the data of the edge types the walk may follow reaches (nil until looked
    /// up with `GraphSnapshot.dataHorizon(ofWalkFrom:options:store:)`).
    public var horizon: DataHorizon?
}
