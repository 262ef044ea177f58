import Foundation
import Grounding
import Tensor

extension FusedOutcomeModel {
    /// One case's occlusions: its input, then one variant per reason with that reason
    /// removed (the reasons' effects still 0).
    struct Occlusions {
        var base: PreparedCase
        var variants: [PreparedCase]
        var reasons: [Contribution]
    }

    /// Occlusion: the probability with every input minus the probability with one removed.
    /// Context facts (segment/kbert): the case re-encoded without that fact (the others
    /// stay where they were selected). Graph head: a feature group set to its training mean
    /// (standardized 0), or a seed's embedding replaced by the UNK row. Strongest first.
    public func explain(_ query: PredictionQuery, top: Int) throws -> [Contribution] {
        try explained(query, top: top).contributions
    }

    /// The probability of `query` and its `top` strongest reasons, from one encoder pass per
    /// distinct encoder input (`occlusionProbabilities`): the case itself and each context
    /// fact's variant; feature and seed occlusions leave the encoder input as it is and only
    /// rerun the head. Equal, up to float rounding, to `explainedByFullPasses`.
    public func explained(_ query: PredictionQuery, top: Int) throws -> (probability: Double, contributions: [Contribution]) {
        BLAS.threadCount = options.blasThreads
        let o = try occlusions(query)
        let p = try occlusionProbabilities(query, [o.base] + o.variants)
        return (p[0], Self.ranked(o.reasons, probabilities: p, top: top))
    }

    /// The reference computation: the probability from `predictProbabilities` and every
    /// occlusion variant through a whole encoder pass of its own (batched by length, as
    /// `probabilities` does), the way explanations were computed before the shared-pass
    /// path. Kept for the equality test and `lexgraph bench explain`.
    public func explainedByFullPasses(_ query: PredictionQuery, top: Int) throws -> (probability: Double, contributions: [Contribution]) {
        guard let probability = try predictProbabilities([query]).first else { throw PredictionError("no probability for the case") }
        let o = try occlusions(query)
        let p = try probabilities([o.base] + o.variants)
        return (probability, Self.ranked(o.reasons, probabilities: p, top: top))
    }

    /// The work behind explaining `query`: occlusion variants (context facts among them) and
    /// the encoder passes each path runs (the reference: the prediction, the case and every
    /// variant; `explained`: one per distinct encoder input). For `lexgraph bench explain`.
    public func explanationWork(_ query: PredictionQuery) throws -> (variants: Int, contextFacts: Int, fullPasses: Int, sharedPasses: Int) {
        let o = try occlusions(query)
        let distinct = Set(([o.base] + o.variants).map(\.encoded.encoderView)).count
        return (o.variants.count, o.base.context.count, 2 + o.variants.count, distinct)
    }

    /// `reasons` with effect p(case) − p(variant) (`probabilities[0]` is the case's), largest
    /// |effect| first, at most `top`.
    static func ranked(_ reasons: [Contribution], probabilities p: [Double], top: Int) -> [Contribution] {
        var reasons = reasons
        for i in reasons.indices { reasons[i].effect = p[0] - p[i + 1] }
        return Array(reasons.sorted { abs($0.effect) > abs($1.effect) }.prefix(max(0, top)))
    }

    func occlusions(_ query: PredictionQuery) throws -> Occlusions {
        let grounding = try grounder.grounding(for: query)
        let base = try prepare(query, grounding: grounding)
        var variants: [PreparedCase] = []
        var reasons: [Contribution] = []
        for (i, fact) in base.context.enumerated() {
            var rest = base.context
            rest.remove(at: i)
            variants.append(try prepare(query, grounding: grounding, context: rest))
            reasons.append(Contribution(source: .contextFact, text: fact.text, path: fact.pathDescription, effect: 0))
        }
        if options.graphHead {
            let names = GraphFeatures.names
            for group in Self.featureGroups(names) {
                var v = base
                for j in group.indices { v.features[j] = 0 }
                variants.append(v)
                // Long groups (the neighbourhood) show their first values only; the fact that
                // carries the group's evidence gives the text a lawyer reads and its path.
                var shown = group.indices.prefix(3).map { "\(names[$0]) = \(Self.format(grounding.features.values[$0]))" }.joined(separator: ", ")
                if group.indices.count > 3 { shown += ", … (\(group.indices.count) \(group.name) features)" }
                let evidence = GraphFeatureEvidence.fact(forFeature: names[group.indices[0]], in: grounding.facts)
                if let evidence { shown += " (\(evidence.text))" }
                reasons.append(Contribution(source: .graphFeature, text: shown, path: evidence?.pathDescription, effect: 0))
            }
            for (k, role) in embeddedSeedRoles.enumerated() where base.seeds[k] != 0 {
                var v = base
                v.seeds[k] = 0
                variants.append(v)
                let key = grounding.seeds.known.first { $0.role == role }?.key ?? ""
                let name = try grounder.displayName(of: key)
                reasons.append(Contribution(source: .graphFeature, text: "\(role.label) = \(name)", path: key, effect: 0))
            }
        }
        return Occlusions(base: base, variants: variants, reasons: reasons)
    }

    /// Feature indices grouped by what they describe: one group per history group
    /// (`win_rate.X` with `log_cases.X`), the neighbourhood, the cited precedents.
    static func featureGroups(_ names: [String]) -> [(name: String, indices: [Int])] {
        var order: [String] = [], members: [String: [Int]] = [:]
        for (i, name) in names.enumerated() {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            let group = parts[0] == "win_rate" || parts[0] == "log_cases" ? "history." + (parts.last ?? "") : parts[0]
            if members[group] == nil { order.append(group) }
            members[group, default: []].append(i)
        }
        return order.map { ($0, members[$0] ?? []) }
    }

    static func format(_ x: Double) -> String { String(format: "%.3g", x) }
}
