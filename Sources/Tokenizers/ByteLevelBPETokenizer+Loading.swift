import Foundation
import LexgraphCore

extension ByteLevelBPETokenizer {
    /// Loads a model folder's `tokenizer.json` (a byte-level BPE one), adjusted by its
    /// `tokenizer_config.json` when present, as transformers' `AutoTokenizer` does.
    public static func load(directory: String) throws -> ByteLevelBPETokenizer {
        let folder = URL(fileURLWithPath: directory)
        let json = folder.appendingPathComponent("tokenizer.json").path
        guard FileManager.default.fileExists(atPath: json) else {
            throw TokenizerError("no tokenizer.json in the folder (byte-level BPE tokenizers are read from tokenizer.json; vocab.json + merges.txt alone are not supported)", file: directory)
        }
        let configPath = folder.appendingPathComponent("tokenizer_config.json").path
        return try load(tokenizerJSON: json, config: FileManager.default.fileExists(atPath: configPath) ? configPath : nil)
    }

    /// A tokenizer from a Hugging Face `tokenizer.json` with a BPE model, no normalizer, the
    /// ByteLevel pre-tokenizer (regex on, no prefix space) and RobertaProcessing. What this
    /// implementation does not model (a normalizer, a prefix space, BPE dropout, subword
    /// prefixes or suffixes, byte fallback, another post-processor) is refused with the key
    /// that asks for it, never ignored. The file's `truncation` and `padding` sections are
    /// ignored, as transformers ignores them.
    public static func load(tokenizerJSON path: String, config configPath: String? = nil) throws -> ByteLevelBPETokenizer {
        let root = try readJSONObject(path)
        let config = try configPath.map(TokenizerConfig.load) ?? TokenizerConfig()
        func refuse(_ what: String) -> TokenizerError { TokenizerError("\(what) is not supported by the byte-level BPE tokenizer", file: path) }

        guard let model = try root.object("model", file: path) else { throw TokenizerError("no 'model' section", file: path) }
        let type = try model.string("type", file: path)
        guard type == "BPE" else {
            throw TokenizerError("model type is \(type.map { "'\($0)'" } ?? "missing"); a byte-level BPE tokenizer needs 'BPE'", file: path)
        }
        let vocabulary = try Vocabulary(tokenizerJSONModel: model, file: path)
        if let dropout = model["dropout"], !dropout.isNull, dropout.doubleValue != 0 { throw refuse("'model.dropout' \(dropout.jsonText)") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = try model.string(key, file: path), !value.isEmpty { throw refuse("'model.\(key)' \"\(value)\"") }
        }
        if try model.bool("byte_fallback", file: path) == true { throw refuse("'model.byte_fallback' true") }
        let merges = try readMerges(model["merges"], file: path)

        if let normalizer = try root.object("normalizer", file: path) {
            throw refuse("normalizer \(normalizer["type"]?.jsonText ?? "without a type")")
        }
        guard let pre = try root.object("pre_tokenizer", file: path), try pre.string("type", file: path) == "ByteLevel" else {
            throw TokenizerError("'pre_tokenizer' must be ByteLevel for a byte-level BPE tokenizer, got \(root["pre_tokenizer"]?.jsonText.prefix(80) ?? "none")", file: path)
        }
        if try pre.bool("add_prefix_space", file: path) == true { throw refuse("'pre_tokenizer.add_prefix_space' true") }
        if try pre.bool("use_regex", file: path) == false { throw refuse("'pre_tokenizer.use_regex' false") }

        var special = ByteLevelBPETokenizer.robertaSpecialTokens
        var trimOffsets = true
        guard let post = try root.object("post_processor", file: path), try post.string("type", file: path) == "RobertaProcessing" else {
            throw TokenizerError("'post_processor' must be RobertaProcessing, got \(root["post_processor"]?.jsonText.prefix(80) ?? "none")", file: path)
        }
        if case .list(let cls)? = post["cls"], let text = cls.first?.stringValue { special.cls = text }
        if case .list(let sep)? = post["sep"], let text = sep.first?.stringValue { special.sep = text }
        trimOffsets = try post.bool("trim_offsets", file: path) ?? true
        if try post.bool("add_prefix_space", file: path) == true { throw refuse("'post_processor.add_prefix_space' true") }
        if let decoder = try root.object("decoder", file: path), try decoder.string("type", file: path) != "ByteLevel" {
            throw refuse("decoder \(decoder["type"]?.jsonText ?? "without a type")")
        }
        if let unk = try model.string("unk_token", file: path) { special.unk = unk }
        let added = try readAddedTokens(root, vocabulary: vocabulary, file: path).map { try $0.supported(file: path) }
        let finalSpecial = config.specialTokens(over: special)
        return try withFile(path) {
            try ByteLevelBPETokenizer(model: BytePairEncoding(vocabulary: vocabulary, merges: merges,
                                                              ignoreMerges: try model.bool("ignore_merges", file: path) ?? false),
                                      specialTokens: finalSpecial, modelMaxLength: config.modelMaxLength ?? 512,
                                      trimOffsets: trimOffsets, addedTokens: added.isEmpty ? nil : added)
        }
    }

    /// `model.merges`: "left right" strings (older files) or [left, right] pairs.
    private static func readMerges(_ value: Value?, file path: String) throws -> [(String, String)] {
        guard let value, case .list(let items) = value else { throw TokenizerError("'model.merges' must be a list", file: path) }
        return try items.enumerated().map { i, item in
            if let text = item.stringValue {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TokenizerError("model.merges[\(i)] must be two tokens separated by one space, got \"\(text)\"", file: path)
                }
                return (String(parts[0]), String(parts[1]))
            }
            guard case .list(let pair) = item, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue, !a.isEmpty, !b.isEmpty else {
                throw TokenizerError("model.merges[\(i)] must be a pair of token texts, got \(item.jsonText.prefix(80))", file: path)
            }
            return (a, b)
        }
    }
}
