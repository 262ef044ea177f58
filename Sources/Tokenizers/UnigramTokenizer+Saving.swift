import Foundation
import LexgraphCore

extension UnigramTokenizer {
    /// The tokenizer `UnigramTrainer` trains: its pieces behind the pipeline the trainer
    /// counted words with (ALBERT's without the charsmap), `[CLS] A [SEP] (B [SEP])`, the
    /// special tokens matched whole.
    public static func trained(pieces: [(String, Double)], unkId: Int32, specialTokens: SpecialTokens,
                               modelMaxLength: Int = 512) throws -> UnigramTokenizer {
        let model = try UnigramModel(pieces: pieces, unkId: unkId)
        let added = try specialTokens.all.map { AddedToken(content: $0, id: try SpecialTokenIds.id($0, "special", model.vocabulary)) }
            .sorted { $0.id < $1.id }
        return try UnigramTokenizer(model: model, specialTokens: specialTokens, modelMaxLength: modelMaxLength,
                                    normalizer: UnigramTrainer.normalizer, whitespaceSplit: true, metaspace: Metaspace(),
                                    addedTokens: added)
    }

    /// Writes `tokenizer.json` and `tokenizer_config.json` into `directory` (created when
    /// missing) as Hugging Face `tokenizers` saves this pipeline, so `load(directory:)` and
    /// transformers' `AutoTokenizer` (a `PreTrainedTokenizerFast` over the file) read it.
    public func save(directory: String) throws {
        func pattern(_ scalars: [Unicode.Scalar]) -> String { String(String.UnicodeScalarView(scalars)) }
        let steps: [Value] = try normalizer.map { step in
            switch step {
            case .replace(let from, let to):
                return .map(["type": .string("Replace"), "pattern": .map(["String": .string(pattern(from))]), "content": .string(pattern(to))])
            case .collapseSpaces(let to):
                return .map(["type": .string("Replace"), "pattern": .map(["Regex": .string(" {2,}")]), "content": .string(pattern(to))])
            case .nfkd: return .map(["type": .string("NFKD")])
            case .stripAccents: return .map(["type": .string("StripAccents")])
            case .lowercase: return .map(["type": .string("Lowercase")])
            case .precompiled:
                throw TokenizerError("a tokenizer with a SentencePiece charsmap cannot be saved as tokenizer.json here")
            }
        }
        let replacement = String(metaspace.replacement)
        let metaspaceJSON: Value = .map(["type": .string("Metaspace"), "replacement": .string(replacement),
                                         "prepend_scheme": .string(metaspace.prependScheme), "split": .bool(metaspace.split)])
        let preTokenizer: Value = whitespaceSplit
            ? .map(["type": .string("Sequence"), "pretokenizers": .list([.map(["type": .string("WhitespaceSplit")]), metaspaceJSON])])
            : metaspaceJSON
        func special(_ token: String, _ type: Int) -> Value { .map(["SpecialToken": .map(["id": .string(token), "type_id": .int(Int64(type))])]) }
        func sequence(_ id: String, _ type: Int) -> Value { .map(["Sequence": .map(["id": .string(id), "type_id": .int(Int64(type))])]) }
        let (cls, sep) = (specialTokens.cls, specialTokens.sep)
        let post: Value = .map([
            "type": .string("TemplateProcessing"),
            "single": .list([special(cls, 0), sequence("A", 0), special(sep, 0)]),
            "pair": .list([special(cls, 0), sequence("A", 0), special(sep, 0), sequence("B", 1), special(sep, 1)]),
            "special_tokens": .map([
                cls: .map(["id": .string(cls), "ids": .list([.int(Int64(clsId))]), "tokens": .list([.string(cls)])]),
                sep: .map(["id": .string(sep), "ids": .list([.int(Int64(sepId))]), "tokens": .list([.string(sep)])]),
            ]),
        ])
        let added: [Value] = addedTokens.sorted { $0.value < $1.value }.map { content, id in
            .map(["id": .int(Int64(id)), "content": .string(content), "single_word": .bool(false), "lstrip": .bool(false),
                  "rstrip": .bool(false), "normalized": .bool(false), "special": .bool(specialIds.contains(id))])
        }
        let vocab: [Value] = vocabulary.tokens.enumerated().map { .list([.string($0.element), .float(model.scores[$0.offset])]) }
        let json = Value.map([
            "version": .string("1.0"), "truncation": .null, "padding": .null, "added_tokens": .list(added),
            "normalizer": .map(["type": .string("Sequence"), "normalizers": .list(steps)]),
            "pre_tokenizer": preTokenizer, "post_processor": post, "decoder": metaspaceJSON,
            "model": .map(["type": .string("Unigram"), "unk_id": .int(Int64(unkId)), "vocab": .list(vocab), "byte_fallback": .bool(false)]),
        ])
        let config = Value.map([
            "tokenizer_class": .string("PreTrainedTokenizerFast"), "model_max_length": .int(Int64(modelMaxLength)),
            "cls_token": .string(cls), "sep_token": .string(sep), "pad_token": .string(specialTokens.pad),
            "unk_token": .string(specialTokens.unk), "mask_token": .string(specialTokens.mask),
        ])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Atomic writes (a temporary file and a rename): a folder never holds half a file.
        try (json.jsonText + "\n").write(toFile: directory + "/tokenizer.json", atomically: true, encoding: .utf8)
        try (config.jsonText + "\n").write(toFile: directory + "/tokenizer_config.json", atomically: true, encoding: .utf8)
    }
}
