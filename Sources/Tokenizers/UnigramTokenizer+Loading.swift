import Foundation
import LexgraphCore

extension UnigramTokenizer {
    /// Loads a model folder's `tokenizer.json` (a Unigram one), or its SentencePiece
    /// `spiece.model` when there is no tokenizer.json (read as ALBERT's, see
    /// `load(sentencePieceModel:config:)`), adjusted by its `tokenizer_config.json` when
    /// present, as transformers' `AutoTokenizer` does.
    public static func load(directory: String) throws -> UnigramTokenizer {
        let folder = URL(fileURLWithPath: directory)
        let json = folder.appendingPathComponent("tokenizer.json").path
        let spiece = folder.appendingPathComponent("spiece.model").path
        let configPath = folder.appendingPathComponent("tokenizer_config.json").path
        let config = FileManager.default.fileExists(atPath: configPath) ? configPath : nil
        if FileManager.default.fileExists(atPath: json) { return try load(tokenizerJSON: json, config: config) }
        guard FileManager.default.fileExists(atPath: spiece) else {
            throw TokenizerError("no tokenizer.json or spiece.model in the folder (a Unigram tokenizer is read from one of them)", file: directory)
        }
        try requireALBERT(folder)
        return try load(sentencePieceModel: spiece, config: config)
    }

    /// A spiece.model alone is read as ALBERT's tokenizer: a folder whose config.json names
    /// another model type (T5, XLNet, ...) would need that model's pipeline, so it is refused.
    static func requireALBERT(_ folder: URL) throws {
        let path = folder.appendingPathComponent("config.json").path
        guard FileManager.default.fileExists(atPath: path) else { return }
        if let type = try readJSONObject(path).string("model_type", file: path), type != "albert" {
            throw TokenizerError("model_type '\(type)': a folder with spiece.model and no tokenizer.json is read as ALBERT's tokenizer only", file: path)
        }
    }

    /// A tokenizer from a Hugging Face `tokenizer.json` with a Unigram model, as transformers
    /// writes ALBERT's: the normalizers listed in `SentencePieceNormalizerStep`, Metaspace
    /// (optionally after WhitespaceSplit), TemplateProcessing `[CLS] $A [SEP]` /
    /// `[CLS] $A [SEP] $B:1 [SEP]:1`. What this implementation does not model (byte fallback,
    /// another normalizer, regex pattern or pre-tokenizer, another template such as XLNet's)
    /// is refused with the key that asks for it, never ignored.
    public static func load(tokenizerJSON path: String, config configPath: String? = nil) throws -> UnigramTokenizer {
        let root = try readJSONObject(path)
        let config = try configPath.map(TokenizerConfig.load) ?? TokenizerConfig()
        func refuse(_ what: String) -> TokenizerError { TokenizerError("\(what) is not supported by the Unigram tokenizer", file: path) }

        guard let model = try root.object("model", file: path) else { throw TokenizerError("no 'model' section", file: path) }
        let type = try model.string("type", file: path)
        guard type == "Unigram" else {
            throw TokenizerError("model type is \(type.map { "'\($0)'" } ?? "missing"); a Unigram tokenizer needs 'Unigram'", file: path)
        }
        if try model.bool("byte_fallback", file: path) == true { throw refuse("'model.byte_fallback' true") }
        guard case .list(let items)? = model["vocab"], !items.isEmpty else { throw TokenizerError("'model.vocab' must be a non-empty list of [piece, score]", file: path) }
        let pieces: [(String, Double)] = try items.enumerated().map { i, item in
            guard case .list(let pair) = item, pair.count == 2, let piece = pair[0].stringValue, let score = pair[1].doubleValue else {
                throw TokenizerError("model.vocab[\(i)] must be [piece, score], got \(item.jsonText.prefix(80))", file: path)
            }
            return (piece, score)
        }
        guard let unk = try model.int("unk_id", file: path) else { throw refuse("a Unigram model without 'model.unk_id'") }
        let unigram = try withFile(path) { try UnigramModel(pieces: pieces, unkId: Int32(unk)) }

        var steps: [SentencePieceNormalizerStep] = []
        if let normalizer = try root.object("normalizer", file: path) {
            let list: [[String: Value]]
            if try normalizer.string("type", file: path) == "Sequence" {
                guard case .list(let inner)? = normalizer["normalizers"] else { throw TokenizerError("'normalizer.normalizers' must be a list", file: path) }
                list = try inner.map {
                    guard case .map(let m) = $0 else { throw TokenizerError("normalizer.normalizers: \($0.jsonText.prefix(80)) is not an object", file: path) }
                    return m
                }
            } else {
                list = [normalizer]
            }
            steps = try list.map { try step($0, file: path, refuse: refuse) }
        }

        guard let pre = try root.object("pre_tokenizer", file: path) else { throw refuse("a missing 'pre_tokenizer'") }
        var metaspaceSpec = pre
        var whitespaceSplit = false
        if try pre.string("type", file: path) == "Sequence" {
            guard case .list(let inner)? = pre["pretokenizers"], inner.count == 2, case .map(let first) = inner[0], case .map(let second) = inner[1],
                  first["type"]?.stringValue == "WhitespaceSplit" else {
                throw refuse("'pre_tokenizer' \(pre["pretokenizers"]?.jsonText.prefix(120) ?? "") (only Metaspace or [WhitespaceSplit, Metaspace])")
            }
            whitespaceSplit = true
            metaspaceSpec = second
        }
        guard try metaspaceSpec.string("type", file: path) == "Metaspace" else {
            throw refuse("'pre_tokenizer' \(metaspaceSpec["type"]?.jsonText ?? "without a type") (only Metaspace or [WhitespaceSplit, Metaspace])")
        }
        var metaspace = Metaspace()
        if let replacement = try metaspaceSpec.string("replacement", file: path) {
            guard replacement.unicodeScalars.count == 1, let r = replacement.unicodeScalars.first else {
                throw refuse("'pre_tokenizer.replacement' \"\(replacement)\" (one character)")
            }
            metaspace.replacement = r
        }
        if let scheme = try metaspaceSpec.string("prepend_scheme", file: path) {
            guard ["always", "never"].contains(scheme) else { throw refuse("'pre_tokenizer.prepend_scheme' \"\(scheme)\"") }
            metaspace.prependScheme = scheme
        } else if try metaspaceSpec.bool("add_prefix_space", file: path) == false {
            metaspace.prependScheme = "never"
        }
        metaspace.split = try metaspaceSpec.bool("split", file: path) ?? true

        guard let post = try root.object("post_processor", file: path), try post.string("type", file: path) == "TemplateProcessing" else {
            throw refuse("'post_processor' \(root["post_processor"]?.jsonText.prefix(80) ?? "none") (only ALBERT's TemplateProcessing)")
        }
        let single = template(post["single"])
        let pair = template(post["pair"])
        guard single.count == 3, pair.count == 5, single[1] == "$A:0", pair[1] == "$A:0", pair[3] == "$B:1",
              single[0] == pair[0], single[2] == pair[2], pair[2].hasSuffix(":0"), pair[4] == pair[2].dropLast(2) + ":1" else {
            throw refuse("'post_processor' template \(single.joined(separator: " ")) / \(pair.joined(separator: " ")) (only [CLS] $A [SEP] / [CLS] $A [SEP] $B:1 [SEP]:1)")
        }
        var special = UnigramTokenizer.albertSpecialTokens
        special.cls = String(single[0].dropLast(2))
        special.sep = String(single[2].dropLast(2))
        special.unk = unigram.vocabulary.tokens[unk]
        if let decoder = try root.object("decoder", file: path), try decoder.string("type", file: path) != "Metaspace" {
            throw refuse("decoder \(decoder["type"]?.jsonText ?? "without a type")")
        }
        // transformers 5 rebuilds ALBERT's normalizer from do_lower_case: a config that
        // disagrees with the file would make the peer run another pipeline than the one read.
        let lowercases = steps.contains { if case .lowercase = $0 { return true } else { return false } }
        if let configPath, let doLowerCase = config.doLowerCase, doLowerCase != lowercases {
            throw TokenizerError("'do_lower_case' \(doLowerCase) disagrees with tokenizer.json's normalizer, which \(lowercases ? "lowercases" : "does not lowercase")", file: configPath)
        }
        let strips = steps.contains { if case .stripAccents = $0 { return true } else { return false } }
        if let configPath, let keepAccents = config.keepAccents, keepAccents == strips {
            throw TokenizerError("'keep_accents' \(keepAccents) disagrees with tokenizer.json's normalizer, which \(strips ? "strips" : "keeps") accents", file: configPath)
        }
        if let configPath, let addPrefixSpace = config.addPrefixSpace, addPrefixSpace != (metaspace.prependScheme == "always") {
            throw TokenizerError("'add_prefix_space' \(addPrefixSpace) disagrees with tokenizer.json's Metaspace prepend_scheme \"\(metaspace.prependScheme)\"", file: configPath)
        }
        let added = try readAddedTokens(root, vocabulary: unigram.vocabulary, file: path).map { try $0.supported(file: path) }
        let finalSpecial = config.specialTokens(over: special)
        return try withFile(path) {
            try UnigramTokenizer(model: unigram, specialTokens: finalSpecial, modelMaxLength: config.modelMaxLength ?? 512, normalizer: steps,
                                 whitespaceSplit: whitespaceSplit, metaspace: metaspace, addedTokens: added)
        }
    }

    private static func step(_ spec: [String: Value], file path: String, refuse: (String) -> TokenizerError) throws -> SentencePieceNormalizerStep {
        switch try spec.string("type", file: path) {
        case "NFKD": return .nfkd
        case "StripAccents": return .stripAccents
        case "Lowercase": return .lowercase
        case "Precompiled":
            guard let blob = try spec.string("precompiled_charsmap", file: path) else { throw refuse("a Precompiled normalizer without 'precompiled_charsmap'") }
            return .precompiled(try withFile(path) { try PrecompiledCharsmap(base64: blob) })
        case "Replace":
            guard case .map(let pattern)? = spec["pattern"], let content = try spec.string("content", file: path) else {
                throw TokenizerError("a Replace normalizer needs 'pattern' and 'content'", file: path)
            }
            if let literal = pattern["String"]?.stringValue, !literal.isEmpty {
                return .replace(Array(literal.unicodeScalars), Array(content.unicodeScalars))
            }
            if pattern["Regex"]?.stringValue == " {2,}" { return .collapseSpaces(Array(content.unicodeScalars)) }
            throw refuse("Replace pattern \(Value.map(pattern).jsonText.prefix(80)) (a string, or the regex \" {2,}\")")
        case let other:
            throw refuse("normalizer \(other.map { "'\($0)'" } ?? "without a type")")
        }
    }

    /// A template as "[CLS]:0", "$A:0", ... ("" for a piece it cannot read).
    private static func template(_ value: Value?) -> [String] {
        guard case .list(let items)? = value else { return [] }
        return items.map { item in
            guard case .map(let entry) = item else { return "" }
            for (key, prefix) in [("SpecialToken", ""), ("Sequence", "$")] {
                if case .map(let s)? = entry[key], let id = s["id"]?.stringValue, let t = s["type_id"]?.intValue { return "\(prefix)\(id):\(t)" }
            }
            return ""
        }
    }
}
