/// Labels for texts from the two clause models, shared by the reviewer (per clause) and
/// `lexgraph tag` (per input line): the most probable clause types, and the unfair-terms
/// labels whose best sentence reaches the label's threshold, with those sentences.
public struct ClauseTagger {
    public let typesModel: ClauseModel
    public let unfairModel: ClauseModel?
    /// Clause-type label -> graph key (empty without a graph).
    public let typeKeys: [String: String]

    public init(typesModel: ClauseModel, unfairModel: ClauseModel?, typeKeys: [String: String] = [:]) throws {
        guard typesModel.kind == .singleLabel else {
            throw ContractReviewError("the clause-type model must be a single-label (classify) run; this one is \(typesModel.kind.rawValue)", file: typesModel.run)
        }
        if let unfairModel, unfairModel.kind != .multiLabel {
            throw ContractReviewError("the unfair-terms model must be a multi-label (multilabel) run; this one is \(unfairModel.kind.rawValue)", file: unfairModel.run)
        }
        self.typesModel = typesModel
        self.unfairModel = unfairModel
        self.typeKeys = typeKeys
    }

    /// The `top` most probable types of each text and the windows it took.
    public func types(_ texts: [String], top: Int) throws -> [(types: [ReviewReport.TypeScore], windows: Int)] {
        try typesModel.score(texts).map { scores in
            let p = scores.probabilities
            let best = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }.prefix(top).map { j in
                ReviewReport.TypeScore(label: typesModel.labels[j], key: typeKeys[typesModel.labels[j]], probability: Self.rounded(p[j]))
            }
            return (best, scores.windows)
        }
    }

    /// For each text, the unfair-terms labels some sentence of it reaches the threshold of,
    /// most probable first, each with up to `evidence` of its best sentences. Empty lists
    /// without an unfair-terms model.
    public func flags(_ texts: [String], evidence: Int) throws -> [[ReviewReport.Flag]] {
        guard let unfairModel else { return texts.map { _ in [] } }
        var sentences: [(text: Int, sentence: SentenceSplitter.Sentence)] = []
        for (i, text) in texts.enumerated() { for s in SentenceSplitter.split(text) { sentences.append((i, s)) } }
        let scores = try unfairModel.score(sentences.map(\.sentence.text))
        var byText = [[(SentenceSplitter.Sentence, [Float])]](repeating: [], count: texts.count)
        for (entry, score) in zip(sentences, scores) { byText[entry.text].append((entry.sentence, score.probabilities)) }
        return byText.map { scored in
            var flags: [ReviewReport.Flag] = []
            for (j, label) in unfairModel.labels.enumerated() {
                let threshold = unfairModel.thresholds[j]
                let ranked = scored.enumerated().sorted { $0.element.1[j] != $1.element.1[j] ? $0.element.1[j] > $1.element.1[j] : $0.offset < $1.offset }.map(\.element)
                guard let best = ranked.first, best.1[j] >= threshold else { continue }
                let quoted = ranked.prefix(max(evidence, 1)).filter { $0.1[j] >= threshold }.map {
                    ReviewReport.Evidence(sentence: $0.0.text, probability: Self.rounded($0.1[j]), characters: $0.0.range)
                }
                flags.append(ReviewReport.Flag(label: label, probability: Self.rounded(best.1[j]), threshold: Double(threshold), evidence: quoted))
            }
            return flags.sorted { $0.probability != $1.probability ? $0.probability > $1.probability : $0.label < $1.label }
        }
    }

    static func rounded(_ p: Float) -> Double { (Double(p) * 1e4).rounded() / 1e4 }
}
