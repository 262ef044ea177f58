import Foundation
import LexgraphCore

extension BertTokenizer {
    /// Loads a model folder the way transformers does: `tokenizer.json` when present, else
    /// `vocab.txt`; `tokenizer_config.json`, when present, overrides lowercasing, accent
    /// stripping, CJK handling, special-token texts and `model_max_length`.
    public static func load(directory: String) throws -> BertTokenizer {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TokenizerError("tokenizer folder does not exist", file: directory)
        }
        let folder = URL(fileURLWithPath: directory)
        let configPath = folder.appendingPathComponent("tokenizer_config.json").path
        let config = fm.fileExists(atPath: configPath) ? configPath : nil
        let json = folder.appendingPathComponent("tokenizer.json").path
        if fm.fileExists(atPath: json) { return try load(tokenizerJSON: json, config: config) }
        let vocab = folder.appendingPathComponent("vocab.txt").path
        if fm.fileExists(atPath: vocab) { return try load(vocabTxt: vocab, config: config) }
        throw TokenizerError("no tokenizer.json or vocab.txt in the folder", file: directory)
    }

    /// A BERT tokenizer from a `vocab.txt` (BERT defaults: lowercase, strip accents, split CJK,
    /// the usual special tokens, 512 tokens), adjusted by an optional `tokenizer_config.json`.
    public static func load(vocabTxt path: String, config configPath: String? = nil) throws -> BertTokenizer {
        let vocabulary = try Vocabulary.load(vocabTxt: path)
        let config = try configPath.map(TokenizerConfig.load) ?? TokenizerConfig()
        return try withFile(path) {
            try BertTokenizer(vocabulary: vocabulary, normalizer: config.normalizer(over: BertNormalizer()),
                              specialTokens: config.specialTokens(over: SpecialTokens()), modelMaxLength: config.modelMaxLength ?? 512)
        }
    }

    /// A BERT tokenizer from a Hugging Face `tokenizer.json` (WordPiece model, BertNormalizer,
    /// BertPreTokenizer), adjusted by an optional `tokenizer_config.json`. The file's own
    /// `truncation` and `padding` sections are ignored, as transformers ignores them: each
    /// `encode` call says how to truncate and pad (`EncodeOptions`).
    public static func load(tokenizerJSON path: String, config configPath: String? = nil) throws -> BertTokenizer {
        let root = try readJSONObject(path)
        let config = try configPath.map(TokenizerConfig.load) ?? TokenizerConfig()

        guard let model = try root.object("model", file: path) else { throw TokenizerError("no 'model' section", file: path) }
        let type = try model.string("type", file: path)
        guard type == "WordPiece" else {
            throw TokenizerError("model type is \(type.map { "'\($0)'" } ?? "missing"); only WordPiece (BERT) is supported", file: path)
        }
        let vocabulary = try Vocabulary(tokenizerJSONModel: model, file: path)
        let unk = try model.string("unk_token", file: path) ?? "[UNK]"
        let prefix = try model.string("continuing_subword_prefix", file: path) ?? "##"
        let maxChars = try model.int("max_input_chars_per_word", file: path) ?? 100

        var normalizer = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        if let n = try root.object("normalizer", file: path) {
            guard try n.string("type", file: path) == "BertNormalizer" else {
                throw TokenizerError("normalizer type \(n["type"]?.jsonText ?? "missing") is not supported (only BertNormalizer)", file: path)
            }
            normalizer = BertNormalizer(cleanText: try n.bool("clean_text", file: path) ?? true,
                                        handleChineseChars: try n.bool("handle_chinese_chars", file: path) ?? true,
                                        stripAccents: try n.bool("strip_accents", file: path),
                                        lowercase: try n.bool("lowercase", file: path) ?? true)
        }
        if let p = try root.object("pre_tokenizer", file: path), try p.string("type", file: path) != "BertPreTokenizer" {
            throw TokenizerError("pre_tokenizer type \(p["type"]?.jsonText ?? "missing") is not supported (only BertPreTokenizer)", file: path)
        }

        var special = SpecialTokens(unk: unk)
        if let post = try root.object("post_processor", file: path) {
            try readClsSep(post, into: &special, file: path)
        }
        if let padding = try root.object("padding", file: path), let pad = try padding.string("pad_token", file: path) {
            special.pad = pad
        }
        var decoderCleanup = true
        if let decoder = try root.object("decoder", file: path) {
            decoderCleanup = try decoder.bool("cleanup", file: path) ?? true
        }

        let added = try readAddedTokens(root, vocabulary: vocabulary, file: path).map { token in
            try token.supported(file: path)
        }
        let finalSpecial = config.specialTokens(over: special)
        let finalNormalizer = config.normalizer(over: normalizer)
        return try withFile(path) {
            try BertTokenizer(vocabulary: vocabulary, normalizer: finalNormalizer, specialTokens: finalSpecial,
                              continuingSubwordPrefix: prefix, maxInputCharsPerWord: maxChars,
                              modelMaxLength: config.modelMaxLength ?? 512,
                              addedTokens: added.isEmpty ? nil : added, decoderCleanup: decoderCleanup)
        }
    }

    /// [CLS]/[SEP] texts from a BertProcessing or TemplateProcessing post-processor.
    private static func readClsSep(_ post: [String: Value], into special: inout SpecialTokens, file: String) throws {
        let type = try post.string("type", file: file)
        switch type ?? "" {
        case "BertProcessing":
            if case .list(let cls)? = post["cls"], let text = cls.first?.stringValue { special.cls = text }
            if case .list(let sep)? = post["sep"], let text = sep.first?.stringValue { special.sep = text }
        case "TemplateProcessing":
            guard case .list(let single)? = post["single"], single.count >= 2 else {
                throw TokenizerError("TemplateProcessing needs a 'single' template", file: file)
            }
            func specialToken(_ item: Value) -> String? {
                guard case .map(let m) = item, case .map(let s)? = m["SpecialToken"] else { return nil }
                return s["id"]?.stringValue
            }
            guard let cls = specialToken(single[0]), let sep = specialToken(single[single.count - 1]) else {
                throw TokenizerError("TemplateProcessing 'single' must be [CLS] $A [SEP]-shaped", file: file)
            }
            special.cls = cls
            special.sep = sep
        default:
            throw TokenizerError("post_processor type \(type.map { "'\($0)'" } ?? "missing") is not supported (BertProcessing, TemplateProcessing)", file: file)
        }
    }

}

/// Re-throws a construction error with the file it came from.
func withFile<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as TokenizerError where e.location == nil {
        e.location = SourceLocation(file: path)
        throw e
    }
}

/// One entry of tokenizer.json's `added_tokens`, with the peer's flags.
struct AddedTokenSpec {
    var content: String
    var id: Int32
    var special: Bool
    var lstrip: Bool
    var rstrip: Bool
    var singleWord: Bool

    /// The token as matched here; `rstrip` and `single_word` are refused rather than ignored.
    func supported(file path: String) throws -> AddedToken {
        if rstrip || singleWord {
            throw TokenizerError("added token '\(content)' sets \(rstrip ? "rstrip" : "single_word"), which is not supported", file: path)
        }
        return AddedToken(content: content, id: id, special: special, lstrip: lstrip)
    }
}

/// tokenizer.json's `added_tokens`, each already in the vocabulary under its id.
func readAddedTokens(_ root: [String: Value], vocabulary: Vocabulary, file path: String) throws -> [AddedTokenSpec] {
    guard let list = root["added_tokens"], !list.isNull else { return [] }
    guard case .list(let items) = list else { throw TokenizerError("'added_tokens' must be a list", file: path) }
    return try items.enumerated().map { i, item in
        guard case .map(let token) = item, let content = token["content"]?.stringValue, !content.isEmpty,
              let id = token["id"]?.intValue else {
            throw TokenizerError("added_tokens[\(i)] needs a non-empty 'content' and an integer 'id'", file: path)
        }
        guard id >= 0, id < vocabulary.count, vocabulary.tokens[Int(id)] == content else {
            throw TokenizerError("added_tokens[\(i)] '\(content)' has id \(id), which the vocabulary gives to another token (only tokens already in the vocabulary are supported)", file: path)
        }
        return AddedTokenSpec(content: content, id: Int32(id), special: token["special"]?.boolValue ?? false,
                              lstrip: token["lstrip"]?.boolValue ?? false, rstrip: token["rstrip"]?.boolValue ?? false,
                              singleWord: token["single_word"]?.boolValue ?? false)
    }
}
