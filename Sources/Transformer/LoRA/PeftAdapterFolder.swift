import Foundation
import LexgraphCore
import Tensor

/// LoRA adapters in peft's folder layout: `adapter_config.json` (a `LoraConfig`) and
/// `adapter_model.safetensors` with peft's keys,
/// `base_model.model.bert.encoder.layer.N.<module>.lora_A.weight` / `lora_B.weight`, and the
/// classifier copy (peft's `modules_to_save`) as `base_model.model.classifier.weight` / `.bias`
/// (peft 0.21 naming, checked by tools/make_lora_fixtures.py). `PeftModel.from_pretrained`
/// loads such a folder onto the same base; `BertModel.loadLoRA` reads one peft wrote.
public enum PeftAdapterFolder {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"
    /// The prefix peft puts before the wrapped model's own module names.
    static let keyPrefix = "base_model.model."

    /// peft's key for an adapter parameter named as in `LoRAAdapters.parameters`; `bertPrefix`
    /// when the base is `BertForSequenceClassification` (its encoder lives under `bert.`).
    static func key(forParameter name: String, bertPrefix: Bool) -> String {
        if name.hasPrefix("classifier.") { return keyPrefix + name }
        return keyPrefix + (bertPrefix ? "bert." : "") + name
    }

    /// The `target_modules` value peft resolves to exactly `targets` on every layer: module
    /// suffixes (matched as peft does, `name == t || name.hasSuffix("." + t)`) where they
    /// are unambiguous, else one regular expression (peft full-matches a string).
    static func targetModules(_ targets: [LoRATarget]) -> Value {
        // "output.dense" also matches "attention.output.dense": a list can name the
        // feed-forward output only together with the attention output.
        if !targets.contains(.output) || targets.contains(.attentionOutput) {
            return .list(targets.map { .string($0.rawValue) })
        }
        let alternatives = targets.map { NSRegularExpression.escapedPattern(for: $0.modulePath) }.joined(separator: "|")
        return .string("(.*\\.)?encoder\\.layer\\.\\d+\\.(\(alternatives))")
    }

    /// The peft release whose `adapter_config.json` keys and state-dict names this layout
    /// reproduces (recorded as `peft_version`; peft only warns when it is newer than its own).
    static let peftVersion = "0.21.2"

    /// The adapter folder's `adapter_config.json`: exactly the keys peft 0.21.2 writes for a
    /// `LoraConfig`, defaults for everything lexgraph's adapters do not use.
    static func configJSON(_ c: LoRAConfig, baseModel: String, hasHead: Bool) -> Value {
        let alpha: Value = c.alpha == c.alpha.rounded() && abs(c.alpha) < 1e15 ? .int(Int64(c.alpha)) : .float(c.alpha)
        var f: [String: Value] = [
            "peft_type": .string("LORA"),
            "peft_version": .string(peftVersion),
            "task_type": hasHead ? .string("SEQ_CLS") : .string("FEATURE_EXTRACTION"),
            "base_model_name_or_path": .string(baseModel),
            "r": .int(Int64(c.rank)),
            "lora_alpha": alpha,
            "lora_dropout": .float(c.dropout),
            "target_modules": targetModules(c.targets),
            "use_rslora": .bool(c.rankStabilized),
            "modules_to_save": hasHead ? .list([.string("classifier"), .string("score")]) : .null,
            "bias": .string("none"),
            "fan_in_fan_out": .bool(false),
            "init_lora_weights": .bool(true),
            "inference_mode": .bool(true),
            "rank_pattern": .map([:]),
            "alpha_pattern": .map([:]),
            "loftq_config": .map([:]),
            "use_dora": .bool(false),
            "lora_bias": .bool(false),
            "use_qalora": .bool(false),
            "qalora_group_size": .int(16),
            "ensure_weight_tying": .bool(false),
            "megatron_core": .string("megatron.core"),
        ]
        for key in ["alora_invocation_tokens", "arrow_config", "auto_mapping", "corda_config", "eva_config", "exclude_modules", "kasa_config",
                    "layer_replication", "layers_pattern", "layers_to_transform", "lora_ga_config", "megatron_config", "monteclora_config",
                    "revision", "target_parameters", "trainable_token_indices", "use_bdlora", "velora_config"] {
            f[key] = .null
        }
        return .map(f)
    }

    /// Reads `adapter_config.json`: the LoRA hyperparameters and, from `target_modules`
    /// resolved against `model`'s module names as peft resolves them, the adapted layers.
    /// Settings lexgraph does not implement (DoRA, biases, per-layer ranks, a subset of
    /// layers) are errors naming the key and its value.
    static func readConfig(directory: String, model: BertModel) throws -> LoRAConfig {
        let path = (directory as NSString).appendingPathComponent(configFile)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw TransformerError("no \(configFile) in the adapter folder \(directory)", file: path)
        }
        let json: Value
        do { json = try Value.parseJSON(bytes: [UInt8](bytes)) } catch {
            throw TransformerError("adapter config is not valid JSON: \(error)", file: path)
        }
        guard case .map(let f) = json else { throw TransformerError("adapter config is not a JSON object", file: path) }
        func fail(_ key: String, _ message: String) -> TransformerError {
            TransformerError("adapter config \"\(key)\" \(f[key]?.jsonText ?? "(missing)"): \(message)", file: path)
        }
        guard f["peft_type"]?.stringValue == "LORA" else { throw fail("peft_type", "only LoRA adapters (\"LORA\") are supported") }
        guard let r = f["r"]?.intValue, r >= 1, r <= Int64(Int32.max) else { throw fail("r", "the rank must be a positive integer") }
        guard let alpha = (f["lora_alpha"] ?? .int(8)).doubleValue else { throw fail("lora_alpha", "must be a number") }
        guard let dropout = (f["lora_dropout"] ?? .float(0)).doubleValue else { throw fail("lora_dropout", "must be a number") }
        func flag(_ key: String) throws -> Bool {
            guard let v = f[key], !v.isNull else { return false }
            guard let b = v.boolValue else { throw fail(key, "must be true or false") }
            return b
        }
        for key in ["use_dora", "fan_in_fan_out", "lora_bias", "use_qalora", "use_bdlora"] where try flag(key) {
            throw fail(key, "is not supported by lexgraph's LoRA (plain low-rank adapters only)")
        }
        // Variants that change the forward pass (initialization-only settings are ignored).
        for key in ["alora_invocation_tokens", "arrow_config", "kasa_config", "monteclora_config", "velora_config"] {
            if let v = f[key], !v.isNull { throw fail(key, "is not supported by lexgraph's LoRA (plain low-rank adapters only)") }
        }
        if let b = f["bias"], !b.isNull, b.stringValue != "none" { throw fail("bias", "only \"none\" is supported (biases stay frozen)") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let v = f[key], !v.isNull, v != .map([:]) { throw fail(key, "per-module ranks and alphas are not supported") }
        }
        for key in ["layers_to_transform", "layer_replication", "exclude_modules", "trainable_token_indices", "target_parameters"] {
            if let v = f[key], !v.isNull, v != .list([]) { throw fail(key, "is not supported: lexgraph adapts the same modules in every layer") }
        }
        if let v = f["modules_to_save"], !v.isNull {
            guard case .list(let items) = v, items.allSatisfy({ ["classifier", "score"].contains($0.stringValue ?? "") }) else {
                throw fail("modules_to_save", "only the classification head (\"classifier\") can be saved next to the adapters")
            }
        }
        let targets = try resolveTargets(f["target_modules"], model: model, fail: { fail("target_modules", $0) })
        let config = LoRAConfig(rank: Int(r), alpha: alpha, dropout: dropout, targets: targets, rankStabilized: try flag("use_rslora"))
        try config.validate(for: model.config, path: path)
        return config
    }

    /// The targets `target_modules` selects, matched against the model's dense layers as
    /// peft matches them: a string full-matches a module name as a regular expression; a
    /// list entry matches a name equal to it or ending in "." + it. Every encoder layer must
    /// end up with the same targets, and no other dense layer (pooler, classifier) may match.
    static func resolveTargets(_ value: Value?, model: BertModel, fail: (String) -> TransformerError) throws -> [LoRATarget] {
        let prefix = model.head == nil ? "" : "bert."
        let matches: (String) -> Bool
        switch value {
        case .string(let pattern)?:
            let regex: NSRegularExpression
            do { regex = try NSRegularExpression(pattern: pattern) } catch { throw fail("is not a valid regular expression") }
            matches = { name in
                let range = NSRange(name.startIndex..., in: name)
                return regex.firstMatch(in: name, options: [.anchored], range: range).map { $0.range == range } ?? false
            }
        case .list(let items)?:
            let names = items.compactMap(\.stringValue)
            guard names.count == items.count, !names.isEmpty else { throw fail("must be a non-empty list of module names or a regular expression") }
            matches = { name in names.contains { name == $0 || name.hasSuffix("." + $0) } }
        default:
            throw fail("must be a list of module names or a regular expression")
        }
        for other in ["\(prefix)pooler.dense", "classifier"] where matches(other) {
            throw fail("also selects \(other), which lexgraph cannot adapt (only the encoder layers' dense layers)")
        }
        var perLayer: [[LoRATarget]] = []
        for l in 0..<model.config.numHiddenLayers {
            perLayer.append(LoRATarget.allCases.filter { matches("\(prefix)encoder.layer.\(l).\($0.modulePath)") })
        }
        guard let first = perLayer.first, !first.isEmpty else { throw fail("selects no dense layer of the encoder") }
        if let l = perLayer.firstIndex(where: { $0 != first }) {
            throw fail("selects \(first.map(\.modulePath)) in layer 0 but \(perLayer[l].map(\.modulePath)) in layer \(l); "
                       + "lexgraph adapts the same modules in every layer")
        }
        return first
    }
}

extension LoRAAdapters {
    /// Writes `directory/adapter_config.json` and `directory/adapter_model.safetensors` in
    /// peft's layout; `baseModel` is recorded as `base_model_name_or_path` (the folder or hub
    /// name peft loads the base from).
    public func save(directory: String, baseModel: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TransformerError("cannot create adapter folder: \(error.localizedDescription)", file: directory)
        }
        let hasHead = classifier != nil
        let tensors = parameters.parameters.map { p in
            (name: PeftAdapterFolder.key(forParameter: p.name, bertPrefix: hasHead), tensor: p.value)
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: (directory as NSString).appendingPathComponent(PeftAdapterFolder.weightsFile))
        let json = PeftAdapterFolder.configJSON(config, baseModel: baseModel, hasHead: hasHead)
        let path = (directory as NSString).appendingPathComponent(PeftAdapterFolder.configFile)
        do { try Data(json.jsonText.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TransformerError("cannot write adapter config: \(error.localizedDescription)", file: path)
        }
    }
}

extension BertModel {
    /// Reads a peft LoRA folder (ours or peft's) and attaches its adapters, checked before
    /// anything is attached: the config against this model, every tensor's presence and
    /// shape; a missing or extra tensor is an error naming it. A folder saved without the
    /// classifier (no `modules_to_save`) keeps the model's own classifier as the copy.
    @discardableResult
    public func loadLoRA(directory: String) throws -> LoRAAdapters {
        guard adapters == nil else { throw TransformerError("the model already has LoRA adapters attached; detach or merge them first") }
        let config = try PeftAdapterFolder.readConfig(directory: directory, model: self)
        let file = try SafetensorsFile(path: (directory as NSString).appendingPathComponent(PeftAdapterFolder.weightsFile))
        let lora = try LoRAAdapters(config: config, model: self)
        var used = Set<String>(), missing: [String] = []
        for p in lora.parameters.parameters {
            let isHead = p.name.hasPrefix("classifier.")
            let candidates = isHead ? [PeftAdapterFolder.key(forParameter: p.name, bertPrefix: false)]
                : [PeftAdapterFolder.key(forParameter: p.name, bertPrefix: true), PeftAdapterFolder.key(forParameter: p.name, bertPrefix: false)]
            guard let name = candidates.first(where: { file.entry($0) != nil }), let entry = file.entry(name) else {
                if !isHead { missing.append(candidates[0]) }
                continue
            }
            guard entry.shape == p.shape else {
                let needs = isHead ? "this model's \(head?.numLabels ?? 0)-label head needs" : "rank \(config.rank) on this model needs"
                throw TransformerError("tensor \"\(name)\" has shape \(entry.shape) in the file but \(needs) \(p.shape)", file: file.path)
            }
            try file.readFloats(name, into: p.value.data)
            used.insert(name)
        }
        if !missing.isEmpty {
            throw TransformerError("missing \(missing.count) adapter tensor(s): " + missing.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")
                                   + (missing.count > 4 ? ", ..." : ""), file: file.path)
        }
        let extra = file.entries.map(\.name).filter { !used.contains($0) }
        if !extra.isEmpty {
            throw TransformerError("unexpected tensor(s) the adapters have no place for: " + extra.prefix(4).map { "\"\($0)\" \(file.entry($0)?.shape ?? [])" }.joined(separator: ", ")
                                   + (extra.count > 4 ? ", ..." : ""), file: file.path)
        }
        adapters = lora
        saved = nil
        return lora
    }
}
