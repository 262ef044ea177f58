import Foundation
import LexgraphCore

/// The settings of a `tokenizer_config.json` that matter to a BERT tokenizer. Every field is
/// optional: absent means "keep what tokenizer.json or the BERT default says".
public struct TokenizerConfig: Sendable, Hashable {
    public var doLowerCase: Bool?
    /// Present-and-null in the file means "follow do_lower_case", stored as `.some(nil)`.
    public var stripAccents: Bool??
    public var tokenizeChineseChars: Bool?
    /// ALBERT's: keep accents (no NFKD + StripAccents) when true.
    public var keepAccents: Bool?
    /// SentencePiece tokenizers' Metaspace: prepend "▁" to each word unless false.
    public var addPrefixSpace: Bool?
    /// nil when absent or when the file holds transformers' "no limit" sentinel (1e30).
    public var modelMaxLength: Int?
    public var cls: String?
    public var sep: String?
    public var pad: String?
    public var unk: String?
    public var mask: String?

    public init() {}

    /// Reads `tokenizer_config.json`; a wrong type for a known key is an error naming it.
    public static func load(_ path: String) throws -> TokenizerConfig {
        let root = try readJSONObject(path)
        var config = TokenizerConfig()
        config.doLowerCase = try root.bool("do_lower_case", file: path)
        if let value = root["strip_accents"] {
            if value.isNull { config.stripAccents = .some(nil) } else {
                guard let b = value.boolValue else { throw TokenizerError("'strip_accents' must be true, false or null, got \(value.jsonText)", file: path) }
                config.stripAccents = .some(b)
            }
        }
        config.tokenizeChineseChars = try root.bool("tokenize_chinese_chars", file: path)
        config.keepAccents = try root.bool("keep_accents", file: path)
        config.addPrefixSpace = try root.bool("add_prefix_space", file: path)
        if let value = root["model_max_length"], !value.isNull {
            guard let d = value.doubleValue, d >= 1 else { throw TokenizerError("'model_max_length' must be a positive number, got \(value.jsonText)", file: path) }
            config.modelMaxLength = d < 1e15 ? Int(d) : nil
        }
        config.cls = try root.tokenText("cls_token", file: path)
        config.sep = try root.tokenText("sep_token", file: path)
        config.pad = try root.tokenText("pad_token", file: path)
        config.unk = try root.tokenText("unk_token", file: path)
        config.mask = try root.tokenText("mask_token", file: path)
        return config
    }

    /// `base` with this file's special-token texts put over it.
    func specialTokens(over base: SpecialTokens) -> SpecialTokens {
        SpecialTokens(cls: cls ?? base.cls, sep: sep ?? base.sep, pad: pad ?? base.pad, unk: unk ?? base.unk, mask: mask ?? base.mask)
    }

    /// `base` with this file's normalizer switches put over it (transformers builds the
    /// normalizer from these keyword arguments when they are given).
    func normalizer(over base: BertNormalizer) -> BertNormalizer {
        var n = base
        if let doLowerCase { n.lowercase = doLowerCase }
        if let stripAccents { n.stripAccents = stripAccents }
        if let tokenizeChineseChars { n.handleChineseChars = tokenizeChineseChars }
        return n
    }
}

/// Reads a JSON file whose top level must be an object; errors name the file (and the byte
/// column of a syntax error).
func readJSONObject(_ path: String) throws -> [String: Value] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw TokenizerError("cannot read file", file: path)
    }
    let value: Value
    do {
        value = try Value.parseJSON(bytes: Array(data))
    } catch let e as JSONError {
        throw TokenizerError(e.message, file: path, column: e.location?.column)
    }
    guard case .map(let object) = value else {
        throw TokenizerError("expected a JSON object at the top level", file: path)
    }
    return object
}

extension Dictionary where Key == String, Value == LexgraphCore.Value {
    func bool(_ key: String, file: String) throws -> Bool? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let b = value.boolValue else { throw TokenizerError("'\(key)' must be true or false, got \(value.jsonText)", file: file) }
        return b
    }

    func string(_ key: String, file: String) throws -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let s = value.stringValue else { throw TokenizerError("'\(key)' must be a string, got \(value.jsonText)", file: file) }
        return s
    }

    func int(_ key: String, file: String) throws -> Int? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let i = value.intValue else { throw TokenizerError("'\(key)' must be an integer, got \(value.jsonText)", file: file) }
        return Int(i)
    }

    func object(_ key: String, file: String) throws -> [String: LexgraphCore.Value]? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .map(let m) = value else { throw TokenizerError("'\(key)' must be an object, got \(value.jsonText.prefix(80))", file: file) }
        return m
    }

    /// A special token written as "[CLS]" or as {"content": "[CLS]", ...}.
    func tokenText(_ key: String, file: String) throws -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        if let s = value.stringValue { return s }
        if case .map(let m) = value, let s = m["content"]?.stringValue { return s }
        throw TokenizerError("'\(key)' must be a token text or {\"content\": ...}, got \(value.jsonText)", file: file)
    }
}
