import Foundation
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// A case's graph context as of a date: its seeds, every fact (best first) and the
/// feature vector. Built by `GroundingGraph.ground(_:asOf:options:)`.
public struct CaseGrounding: Sendable {
    public var asOf: LegalDate
    public var seeds: CaseSeeds
    public var facts: [GraphFact]
    public var features: GraphFeatures
    /// Nodes the walk reached (seeds included).
    public var reachedCount: Int
    /// How far the graph's data reaches (`GroundingGraph.horizon`): a context as of a
    /// date past it knows nothing of what came between.
    public var horizon: DataHorizon

    /// The facts that fit `budget`, best first.
    public func context(budget: FactBudget) -> [GraphFact] { budget.select(facts) }

    /// Those facts as one text (segment B of a fused input).
    public func text(budget: FactBudget) -> String { context(budget: budget).map(\.text).joined(separator: " ") }
}

extension GroundingGraph {
    /// Grounds one case as of `asOf` (its argument date, else 1 October of its term):
    /// only nodes, edges and outcomes dated strictly before `asOf` are used, and of the
    /// case itself only `attributes` (and, when asked, its own out-citations).
    public func ground(_ attributes: CaseAttributes, asOf: LegalDate, options: GroundingOptions = GroundingOptions()) throws -> CaseGrounding {
        let seeds = CaseSeeds(attributes, asOf: asOf, in: self, includeOwnCitations: options.includeOwnCitations)
        let walk = try contextWalk(seeds, options: options)
        let history = HistoryTallies(attributes: attributes, seeds: seeds, graph: self)
        var facts = seedFacts(seeds) + history.facts(graph: self) + precedentFacts(seeds)
        facts += relatedCaseFacts(walk, seeds: seeds, limit: options.relatedCases)
        facts.sort { ($0.score, $1.text) > ($1.score, $0.text) }
        let features = GraphFeatures(history: history, walk: walk, seeds: seeds, graph: self, options: options)
        return CaseGrounding(asOf: asOf, seeds: seeds, facts: facts, features: features, reachedCount: walk?.reachedCount ?? 0,
                             horizon: horizon)
    }

    /// Typed BFS (one hop, both directions) with personalized PageRank from the
    /// specific seeds, over the graph as of the day before `asOf`; overruled authority
    /// is kept and marked. Nil when the case has no walkable seed.
    func contextWalk(_ seeds: CaseSeeds, options: GroundingOptions) throws -> WalkResult? {
        var walkSeeds: [WalkSeed] = []
        for seed in seeds.known {
            if let weight = GroundingOptions.walkWeights[seed.role] { walkSeeds.append(WalkSeed(key: seed.key, weight: weight)) }
        }
        let provisions = seeds.known.filter { $0.role == .provision }.count
        if provisions > 1 {  // the provision weight is shared, not multiplied
            walkSeeds = walkSeeds.map { s in seeds.known.contains { $0.key == s.key && $0.role == .provision } ? WalkSeed(key: s.key, weight: s.weight / Double(provisions)) : s }
        }
        for seed in seeds.citations {
            walkSeeds.append(WalkSeed(key: seed.key, weight: GroundingOptions.citationWeight / Double(seeds.citations.count)))
        }
        guard !walkSeeds.isEmpty else { return nil }
        // Weights on a 2^-20 grid: the walk sums them in hash order of node indices, and
        // sums of grid values are exact, so the restart vector (and every score) does not
        // depend on how the snapshot happens to number its nodes.
        walkSeeds = walkSeeds.map { WalkSeed(key: $0.key, weight: max(($0.weight * 1_048_576).rounded(), 1) / 1_048_576) }
        let walkOptions = WalkOptions(asOf: seeds.asOf.dayBefore, depth: 1, edgeTypes: Set(GroundingOptions.walkEdgeTypes),
                                      direction: .both, skipOverruled: false, pageRank: options.pageRank)
        return try snapshot.walk(from: walkSeeds, options: walkOptions)
    }

    private func seedFacts(_ seeds: CaseSeeds) -> [GraphFact] {
        seeds.known.enumerated().map { i, seed in
            GraphFact(text: "\(seed.role.label): \(name(of: seed.key)).", score: 1 - 0.01 * Double(i), kind: .seed,
                      path: [], anchor: FactAnchor(role: seed.role, key: seed.key))
        }
    }

    /// One fact per cited precedent: name, year, as-of citation count and standing,
    /// ranked by that citation count (authority as of the date, not the precomputed
    /// hub/authority scores, which include later citations).
    private func precedentFacts(_ seeds: CaseSeeds) -> [GraphFact] {
        let counts = seeds.citations.map { inCitations(of: $0.key, before: seeds.asOf) }
        let top = Double(counts.max() ?? 0)
        return zip(seeds.citations, counts).compactMap { seed, count -> GraphFact? in
            guard let i = snapshot.index(ofKey: seed.key) else { return nil }
            var text = "Cited precedent \(caseLabel(i)): cited \(count) time\(count == 1 ? "" : "s") before \(seeds.asOf)"
            if let won = petitionerWon(node: i, decidedBefore: seeds.asOf) { text += ", petitioner \(won ? "won" : "lost")" }
            if (try? snapshot.isOverruled(key: seed.key, asOf: seeds.asOf.dayBefore)) == true { text += ", overruled by then" }
            let score = 0.45 + 0.25 * (top > 0 ? log1p(Double(count)) / log1p(top) : 0)
            return GraphFact(text: text + ".", score: score, kind: .precedent, path: [], anchor: FactAnchor(role: .citedPrecedent, key: seed.key))
        }
    }

    /// The earlier cases the walk ranks highest, with their outcome and standing.
    private func relatedCaseFacts(_ walk: WalkResult?, seeds: CaseSeeds, limit: Int) -> [GraphFact] {
        guard let walk else { return [] }
        let roleOf = Dictionary(seeds.all.map { ($0.key, $0.role) }, uniquingKeysWith: { a, _ in a })
        let cases = walk.hits.filter { $0.type == "SupremeCourtCase" }.prefix(limit)
        let top = cases.first?.score ?? 0
        return cases.compactMap { hit -> GraphFact? in
            guard let i = snapshot.index(ofKey: hit.key), let role = roleOf[hit.seed] else { return nil }
            var text = "Related earlier case \(caseLabel(i))"
            if let won = petitionerWon(node: i, decidedBefore: seeds.asOf) { text += ": petitioner \(won ? "won" : "lost")" }
            if hit.overruled { text += "; overruled by then" }
            let score = 0.2 + 0.2 * (top > 0 ? (hit.score ?? 0) / top : 0)
            return GraphFact(text: text + ".", score: score, kind: .relatedCase, path: hit.path, anchor: FactAnchor(role: role, key: hit.seed))
        }
    }

    /// `Mapp v. Ohio (1961)`.
    func caseLabel(_ i: Int) -> String {
        year(ofNode: i).map { "\(name(ofNode: i)) (\($0))" } ?? name(ofNode: i)
    }
}
