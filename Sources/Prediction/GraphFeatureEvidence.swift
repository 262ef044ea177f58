import GraphAlgorithms
import Grounding

/// Which verbalized fact carries the evidence behind a graph feature, so an explanation
/// can show the graph path next to the feature:
/// - `win_rate.G` / `log_cases.G` of a history group G: the history fact anchored at the
///   seed of G's role (the group names are the seed roles' raw values); the
///   issue-and-lower-court pair (`issue_source_court`) is the issue-anchored history fact
///   whose path continues to the lower court (APPEALED_FROM). Without a history fact
///   (no earlier case), the seed fact of that role. `all` and `lc_disposition` have no
///   seed node, hence no path.
/// - `nbhd.log_reached_by.E`: the best related-case fact reached over an E edge; the other
///   `nbhd.*` features: the best related-case fact.
/// - `cites.*`: the most cited precedent's fact.
public enum GraphFeatureEvidence {
    public static func fact(forFeature name: String, in facts: [GraphFact]) -> GraphFact? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let (prefix, rest) = (parts[0], parts[1])
        switch prefix {
        case "win_rate", "log_cases":
            if rest == "issue_source_court" {
                return facts.first { $0.kind == .history && $0.anchor.role == .issue && isIssueCourtPair($0) }
            }
            guard let role = SeedRole(rawValue: rest) else { return nil }
            return facts.first { $0.kind == .history && $0.anchor.role == role && !isIssueCourtPair($0) }
                ?? facts.first { $0.kind == .seed && $0.anchor.role == role }
        case "nbhd":
            let related = facts.filter { $0.kind == .relatedCase }
            if rest.hasPrefix("log_reached_by.") {
                let edgeType = String(rest.dropFirst("log_reached_by.".count))
                return related.first { $0.path.last?.edgeType == edgeType }
            }
            return related.first
        case "cites":
            return facts.first { $0.kind == .precedent }
        default:
            return nil
        }
    }

    /// The "earlier cases on this issue from this lower court" fact: its path goes on
    /// from the earlier case to the lower court.
    static func isIssueCourtPair(_ fact: GraphFact) -> Bool {
        fact.path.contains { $0.edgeType == "APPEALED_FROM" && $0.direction == .out }
    }
}
