import Foundation
import Grounding

extension FusedOutcomeModel {
    /// Occlusion: the probability with every input minus the probability with one removed.
    /// Context facts (segment/kbert): the case re-encoded without that fact (the others
    /// stay where they were selected). Graph head: a feature group set to its training mean
    /// (standardized 0), or a seed's embedding replaced by the UNK row. Strongest first.
    public func explain(_ query: PredictionQuery, top: Int) throws -> [Contribution] {
        let grounding = try grounder.grounding(for: query)
        let base = try prepare(query, grounding: grounding)
        var variants: [PreparedCase] = [base]
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
        let p = try probabilities(variants)
        for i in reasons.indices { reasons[i].effect = p[0] - p[i + 1] }
        return Array(reasons.sorted { abs($0.effect) > abs($1.effect) }.prefix(max(0, top)))
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
