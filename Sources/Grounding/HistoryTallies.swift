import GraphAlgorithms
import LexgraphCore

/// The groups of earlier cases a case's outcome history is counted over.
public enum HistoryGroup: String, Sendable, CaseIterable {
    case all
    case issueSourceCourt = "issue_source_court"
    case issue, issueArea = "issue_area", provision, lawType = "law_type"
    case sourceCourt = "source_court", originCourt = "origin_court"
    case petitioner, respondent, naturalCourt = "natural_court"
    case lcDisposition = "lc_disposition"

    /// The seed role whose node defines the group (nil: not one seed).
    var role: SeedRole? {
        switch self {
        case .issue: return .issue
        case .issueArea: return .issueArea
        case .provision: return .provision
        case .lawType: return .lawType
        case .sourceCourt: return .sourceCourt
        case .originCourt: return .originCourt
        case .petitioner: return .petitioner
        case .respondent: return .respondent
        case .naturalCourt: return .naturalCourt
        case .all, .issueSourceCourt, .lcDisposition: return nil
        }
    }
}

/// Outcome counts of the earlier cases (decided strictly before the as-of date) in
/// each group the case belongs to. Past outcomes were known then; the case's own
/// outcome is never among them, being dated on or after the as-of date.
struct HistoryTallies {
    var asOf: LegalDate
    var tallies: [HistoryGroup: Tally] = [:]
    /// Index-group names per history group (several for several provisions).
    var groupNames: [HistoryGroup: [String]] = [:]
    var anchors: [HistoryGroup: CaseSeed] = [:]
    var sourceCourt: CaseSeed?

    init(attributes: CaseAttributes, seeds: CaseSeeds, graph: GroundingGraph) {
        asOf = seeds.asOf
        for group in HistoryGroup.allCases {
            var names: [String] = []
            switch group {
            case .all:
                names = [OutcomeIndex.all]
            case .lcDisposition:
                names = attributes.lcDisposition.map { [OutcomeIndex.lcDispositionGroup($0)] } ?? []
            case .issueSourceCourt:
                if let issue = seeds.known.first(where: { $0.role == .issue }), let court = seeds.known.first(where: { $0.role == .sourceCourt }) {
                    names = [OutcomeIndex.pairGroup(issue: issue.key, court: court.key)]
                    anchors[group] = issue
                    sourceCourt = court
                }
            default:
                guard let role = group.role, let edgeType = GroundingGraph.groupEdgeTypes[role] else { continue }
                let members = seeds.known.filter { $0.role == role }
                names = members.map { OutcomeIndex.edgeGroup(edgeType, $0.key) }
                anchors[group] = members.first
            }
            groupNames[group] = names
            tallies[group] = names.reduce(Tally()) { $0 + graph.outcomes.tally($1, before: asOf) }
        }
    }

    func tally(_ group: HistoryGroup) -> Tally { tallies[group] ?? Tally() }

    /// Overall past petitioner win rate (Beta(1,1)-smoothed): the prior of every group.
    var prior: Double { tally(.all).smoothedRate(prior: 0.5, strength: 2) }

    /// Facts in the form "Earlier cases on this issue from the Ninth Circuit: 14 won by
    /// the petitioner, 3 by the respondent.", each with a path through the most recent
    /// such case.
    func facts(graph: GroundingGraph) -> [GraphFact] {
        let order: [(HistoryGroup, Double)] = [
            (.issueSourceCourt, 0.9), (.issue, 0.85), (.provision, 0.8), (.sourceCourt, 0.75), (.petitioner, 0.7),
            (.respondent, 0.68), (.issueArea, 0.6), (.lawType, 0.55), (.naturalCourt, 0.5),
        ]
        var facts: [GraphFact] = []
        for (group, weight) in order {
            let t = tally(group)
            guard t.cases > 0, let anchor = anchors[group], let index = groupNames[group]?.first else { continue }
            let subject: String
            switch group {
            case .issueSourceCourt: subject = "on this issue from \(graph.name(of: sourceCourt?.key ?? ""))"
            case .issue: subject = "on this issue (\(graph.name(of: anchor.key)))"
            case .petitioner: subject = "with this type of petitioner (\(graph.name(of: anchor.key)))"
            case .respondent: subject = "with this type of respondent (\(graph.name(of: anchor.key)))"
            case .sourceCourt: subject = "from \(graph.name(of: anchor.key))"
            case .originCourt: subject = "originating in \(graph.name(of: anchor.key))"
            case .naturalCourt: subject = "before this natural court"
            default: subject = "under \(group.role?.label.lowercased() ?? group.rawValue) \(graph.name(of: anchor.key))"
            }
            let text = "Earlier cases \(subject): \(t.petitionerWins) won by the petitioner, \(t.respondentWins) by the respondent."
            let examples = graph.outcomes.latest(index, before: asOf, limit: 3)
            var path: [PathStep] = []
            if let newest = examples.first, let edgeType = GroundingGraph.groupEdgeTypes[anchor.role] {
                let key = graph.snapshot.keys[Int(newest)]
                path.append(PathStep(edgeType: edgeType, direction: .in, nodeKey: key, edgeValidFrom: graph.snapshot.validFrom(ofNode: Int(newest))))
                if group == .issueSourceCourt, let court = sourceCourt {
                    path.append(PathStep(edgeType: "APPEALED_FROM", direction: .out, nodeKey: court.key, edgeValidFrom: graph.snapshot.validFrom(ofNode: Int(newest))))
                }
            }
            let evidence = Double(t.cases) / Double(t.cases + 5)
            facts.append(GraphFact(text: text, score: weight * (0.5 + 0.5 * evidence), kind: .history, path: path,
                                   anchor: FactAnchor(role: anchor.role, key: anchor.key),
                                   evidence: examples.map { graph.snapshot.keys[Int($0)] }))
        }
        return facts
    }
}
