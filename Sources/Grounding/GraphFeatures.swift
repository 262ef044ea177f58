import Foundation
import GraphAlgorithms
import LexgraphCore

/// A fixed-length, named, time-safe feature vector for one case: smoothed past win
/// rates of the groups it belongs to, the shape of its as-of neighbourhood, and the
/// as-of standing of the precedents it cites (zeros, rates at the prior, when
/// citations are not included). The same names in the same order for every case.
public struct GraphFeatures: Sendable, Hashable {
    public var values: [Double]
    public var names: [String] { GraphFeatures.names }

    /// The feature names, in vector order.
    public static let names: [String] = {
        var names: [String] = []
        for group in HistoryGroup.allCases { names += ["win_rate.\(group.rawValue)", "log_cases.\(group.rawValue)"] }
        names += ["nbhd.log_reached"] + GroundingOptions.walkEdgeTypes.map { "nbhd.log_reached_by.\($0)" }
        names += ["nbhd.related_win_rate", "nbhd.top_case_pagerank", "nbhd.top10_case_pagerank", "nbhd.overruled_share",
                  "nbhd.top10_mean_log_in_citations"]
        names += ["cites.log_count", "cites.mean_log_in_citations", "cites.max_log_in_citations", "cites.overruled_share",
                  "cites.win_rate", "cites.log_known_outcomes", "cites.mean_age_decades"]
        return names
    }()

    public subscript(name: String) -> Double? {
        GraphFeatures.names.firstIndex(of: name).map { values[$0] }
    }

    init(history: HistoryTallies, walk: WalkResult?, seeds: CaseSeeds, graph: GroundingGraph, options: GroundingOptions) {
        let prior = history.prior, k = options.smoothing, asOf = seeds.asOf
        var v: [Double] = []
        for group in HistoryGroup.allCases {
            let t = history.tally(group)
            v += [group == .all ? prior : t.smoothedRate(prior: prior, strength: k), log1p(Double(t.cases))]
        }

        // Neighbourhood of the as-of walk (one hop from the specific seeds).
        let hits = walk?.hits ?? []
        v.append(log1p(Double(walk?.reachedCount ?? 0)))
        for type in GroundingOptions.walkEdgeTypes {
            v.append(log1p(Double(hits.filter { $0.path.last?.edgeType == type }.count)))
        }
        let cases = hits.filter { $0.type == "SupremeCourtCase" }
        var weighted = 0.0, weight = 0.0
        for hit in cases {
            guard let i = graph.snapshot.index(ofKey: hit.key), let won = graph.petitionerWon(node: i, decidedBefore: asOf) else { continue }
            weighted += (hit.score ?? 0) * (won ? 1 : 0)
            weight += hit.score ?? 0
        }
        // Smoothed like the rates, with the PageRank mass of the top case as one pseudo-case.
        let pseudo = cases.first?.score ?? 0
        v.append(weight + pseudo > 0 ? (weighted + pseudo * prior) / (weight + pseudo) : prior)
        let top10 = cases.prefix(10)
        v.append(cases.first?.score ?? 0)
        v.append(top10.reduce(0) { $0 + ($1.score ?? 0) })
        v.append(cases.isEmpty ? 0 : Double(cases.filter(\.overruled).count) / Double(cases.count))
        v.append(top10.isEmpty ? 0 : top10.reduce(0) { $0 + log1p(Double(graph.inCitations(of: $1.key, before: asOf))) } / Double(top10.count))

        // Cited precedents: as-of authority (in-citations before the date) and outcomes.
        let cited = seeds.citations.compactMap { graph.snapshot.index(ofKey: $0.key) }
        let logIn = cited.map { log1p(Double(graph.inCitations(of: graph.snapshot.keys[$0], before: asOf))) }
        let overruled = cited.filter { (try? graph.snapshot.isOverruled(key: graph.snapshot.keys[$0], asOf: asOf.dayBefore)) == true }.count
        var citedTally = Tally()
        for i in cited {
            if let won = graph.petitionerWon(node: i, decidedBefore: asOf) { citedTally = citedTally + Tally(cases: 1, petitionerWins: won ? 1 : 0) }
        }
        let ages = cited.compactMap { graph.year(ofNode: $0).map { Double(asOf.year - $0) / 10 } }
        v.append(log1p(Double(cited.count)))
        v.append(logIn.isEmpty ? 0 : logIn.reduce(0, +) / Double(logIn.count))
        v.append(logIn.max() ?? 0)
        v.append(cited.isEmpty ? 0 : Double(overruled) / Double(cited.count))
        v.append(citedTally.smoothedRate(prior: prior, strength: k))
        v.append(log1p(Double(citedTally.cases)))
        v.append(ages.isEmpty ? 0 : ages.reduce(0, +) / Double(ages.count))
        values = v
    }
}
