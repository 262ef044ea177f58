import LexgraphCore

/// One case's prediction with its strongest reasons: a report's sample of test cases and
/// each line of `lexgraph predict`.
public struct ExplainedPrediction: Sendable {
    public var name: String
    public var usid: String?
    public var term: Int
    public var asOf: LegalDate
    /// The true outcome where known (test cases), nil for a pending case.
    public var label: Bool?
    public var probability: Double
    /// The model's `chosenThreshold`: the first party is predicted to win at or above it.
    public var threshold: Double
    public var contributions: [Contribution]

    public init(name: String, usid: String?, term: Int, asOf: LegalDate, label: Bool?, probability: Double,
                threshold: Double = decisionThreshold, contributions: [Contribution]) {
        self.name = name; self.usid = usid; self.term = term; self.asOf = asOf
        self.label = label; self.probability = probability; self.threshold = threshold; self.contributions = contributions
    }

    /// Predicts and explains `query` with `model`.
    public static func make(_ model: any RunnableOutcomeModel, query: PredictionQuery, label: Bool?, top: Int) throws -> ExplainedPrediction {
        let input = query.input
        let (p, contributions) = try model.explained(query, top: top)
        return ExplainedPrediction(name: input.name ?? input.docket ?? input.usid ?? "(unnamed case)", usid: input.usid, term: input.term,
                                   asOf: query.asOf, label: label, probability: p, threshold: model.chosenThreshold,
                                   contributions: contributions)
    }

    /// The side the probability favours at the model's threshold.
    public var predictedWinner: String { Self.winner(probability, threshold: threshold) }

    /// "first party" or "second party": the side P(first party wins) = `p` favours at `threshold`.
    public static func winner(_ p: Double, threshold: Double = decisionThreshold) -> String {
        p >= threshold ? "first party" : "second party"
    }

    public var json: Value {
        .map([
            "name": .string(name), "usid": usid.map(Value.string) ?? .null, "term": .int(Int64(term)), "as_of": .string(asOf.iso),
            "label_first_party_winner": label.map(Value.bool) ?? .null, "p_first_party_wins": .float(probability), "threshold": .float(threshold),
            "contributions": .list(contributions.map { c in
                .map(["source": .string(c.source.rawValue), "text": .string(c.text), "path": c.path.map(Value.string) ?? .null,
                      "effect": .float(c.effect)])
            }),
        ])
    }
}
