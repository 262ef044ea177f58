import ArgumentParser
import Compliance

/// `--mask` / `--mask-policy FILE` on the commands that train on text (`finetune`,
/// `pretrain`, `label`, `train`, `clauses prepare`): personal data is replaced before any text reaches the
/// tokenizer, so no unmasked text reaches a batch, a checkpoint or a log line. `predict`
/// takes them too, only to check them against the run's recorded masking.
struct TrainingMaskOptions: ParsableArguments {
    @Flag(name: .long, help: "Mask personal data in the texts before tokenization (the default masking policy).")
    var mask = false
    @Option(name: .long, help: "Mask with this masking policy file (YAML or JSON; implies --mask).")
    var maskPolicy: String?

    /// The policy asked for (the file's, or the default with `--mask`); nil when masking is off.
    func policy() throws -> MaskingPolicy? {
        guard mask || maskPolicy != nil else { return nil }
        return try maskPolicy.map { try MaskingPolicy(path: $0) } ?? MaskingPolicy()
    }

    /// One text masked, with the types of what was replaced (for the run's log).
    typealias MaskText = (String) -> (text: String, replaced: [String])

    /// The policy, described for the run's record, and the function that masks one text
    /// (one masker throughout, so numbering and substitutes stay consistent across the
    /// corpus); nil when masking is off.
    func masker() throws -> (description: String, mask: MaskText)? {
        guard let policy = try policy() else { return nil }
        var masker = try Masker(policy: policy)
        let description = "\(policy.mode.rawValue) of " + policy.enabled.map(\.rawValue).sorted().joined(separator: ", ")
            + (policy.mode == .substitute ? ", seed \(policy.seed)" : "")
        return (description, { text in
            let masked = masker.maskReporting(text)
            return (masked.text, masked.entities.map(\.type.rawValue))
        })
    }

    /// The counts of a batch of replacements, sorted by type ("email 1, person 2").
    static func summary(_ replaced: [String: Int]) -> String {
        replaced.isEmpty ? "nothing found" : replaced.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
