import Compliance
import Grounding
import LexgraphCore

/// Personal data masked out of a case-outcome run's text (`lexgraph train --mask`): the
/// case's facts, its name and parties, and the verbalized graph context (whose case names
/// name persons too). The policy is stored in the run's config (`configKey`), and
/// `Predictor` masks every pending case with it, so a masked run never sees unmasked text,
/// in training, `lexgraph predict` or the service.
///
/// Each case is masked with its own fresh `Masker`, so a case masks the same way whether it
/// comes in a training corpus or alone in a request (numbering starts again per case:
/// `[PERSON_1]` is the case's first person, not the corpus's). The case's own text (facts,
/// then name and parties, the parties given as known names, as `lexgraph mask --field facts
/// --party-field first_party --party-field second_party` does) and its graph context are
/// masked by two maskers, so the context masks alike whether the case came in raw or
/// masked beforehand. The docket and `usid` identify the case, not a person: they stay.
public struct CaseMasking: Sendable, Equatable {
    /// The run config option holding the policy.
    public static let configKey = "masking"

    public let policy: MaskingPolicy

    public init(policy: MaskingPolicy) {
        self.policy = policy
    }

    /// `input` with its facts, name and parties masked.
    public func mask(_ input: CaseInput) throws -> CaseInput {
        var masker = try Masker(policy: policy)
        var out = input
        let parties = [input.firstParty, input.secondParty].compactMap { $0 }
        out.facts = masker.mask(input.facts, knownNames: parties)
        out.firstParty = input.firstParty.map { masker.maskName($0) }
        out.secondParty = input.secondParty.map { masker.maskName($0) }
        out.name = input.name.map { masker.mask($0, knownNames: parties) }
        return out
    }

    /// The context facts with their texts masked (paths name graph keys, not persons).
    public func mask(_ facts: [GraphFact]) throws -> [GraphFact] {
        var masker = try Masker(policy: policy)
        return facts.map { fact in
            var f = fact
            f.text = masker.mask(fact.text)
            return f
        }
    }

    /// One display text out of the graph (a seed's name in an explanation).
    public func mask(graphText text: String) throws -> String {
        var masker = try Masker(policy: policy)
        return masker.mask(text)
    }

    /// Every case of `dataset` masked (the past outcomes and the SCDB-only cases hold codes
    /// and dates, no text).
    public func mask(_ dataset: CaseDataset) throws -> CaseDataset {
        CaseDataset(cases: try dataset.cases.map { c in
            LabelledCase(input: try mask(c.input), label: c.label, decisionDate: c.decisionDate, splits: c.splits, line: c.line)
        }, pastOutcomes: dataset.pastOutcomes, scdbOnlyCases: dataset.scdbOnlyCases)
    }

    // MARK: The run config's record

    /// The policy as the config stores it: mode, seed and the sorted entity types.
    public var configValue: Value {
        .map(["mode": .string(policy.mode.rawValue), "seed": .string(policy.seed),
              "entities": .list(policy.enabled.map(\.rawValue).sorted().map(Value.string))])
    }

    /// The masking a run's config records; nil when the run was trained unmasked.
    public init?(config: RunConfig) throws {
        guard let value = config.options[Self.configKey], !value.isNull else { return nil }
        let bad = { (what: String) in PredictionError("run config option '\(Self.configKey)' \(what), found \(value.jsonText)") }
        guard case .map(let map) = value else { throw bad("should be an object with mode, seed and entities") }
        guard let modeName = map["mode"]?.stringValue, let mode = MaskingPolicy.Mode(rawValue: modeName) else {
            throw bad("has no valid mode (known: \(MaskingPolicy.Mode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let seed = map["seed"]?.stringValue else { throw bad("has no seed") }
        guard case .list(let items)? = map["entities"] else { throw bad("has no entities list") }
        var enabled: Set<EntityType> = []
        for item in items {
            guard let name = item.stringValue, let type = EntityType(rawValue: name) else {
                throw bad("names an unknown entity type \(item.jsonText) (known: \(EntityType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            enabled.insert(type)
        }
        self.init(policy: MaskingPolicy(mode: mode, enabled: enabled, seed: seed))
    }

    /// "placeholder of address, email, ..." (with the seed in substitute mode): how logs
    /// and errors name the policy.
    public var description: String {
        "\(policy.mode.rawValue) of " + policy.enabled.map(\.rawValue).sorted().joined(separator: ", ")
            + (policy.mode == .substitute ? ", seed \(policy.seed)" : "")
    }
}
