import Foundation
import LexgraphCore

extension ByteLevelBPETokenizer {
    /// Writes `tokenizer.json` and `tokenizer_config.json` into `directory` (created when
    /// missing) in the shape transformers' `save_pretrained` writes for a RoBERTa tokenizer,
    /// so `AutoTokenizer.from_pretrained(directory)` and `load(directory:)` read the same
    /// tokenizer. `merges` are the model's merges in rank order.
    public func save(directory: String, merges: [(String, String)]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var vocab: [String: Value] = [:]
        for (id, token) in vocabulary.tokens.enumerated() { vocab[token] = .int(Int64(id)) }
        let added: [Value] = addedTokens.sorted { $0.value < $1.value }.map { content, id in
            .map(["id": .int(Int64(id)), "content": .string(content), "single_word": .bool(false),
                  "lstrip": .bool(content == specialTokens.mask), "rstrip": .bool(false), "normalized": .bool(false),
                  "special": .bool(specialIds.contains(id))])
        }
        let byteLevel: [String: Value] = ["type": .string("ByteLevel"), "add_prefix_space": .bool(false), "trim_offsets": .bool(true),
                                          "use_regex": .bool(true)]
        let json = Value.map([
            "version": .string("1.0"), "truncation": .null, "padding": .null, "added_tokens": .list(added),
            "normalizer": .null, "pre_tokenizer": .map(byteLevel),
            "post_processor": .map(["type": .string("RobertaProcessing"),
                                    "sep": .list([.string(specialTokens.sep), .int(Int64(sepId))]),
                                    "cls": .list([.string(specialTokens.cls), .int(Int64(clsId))]),
                                    "trim_offsets": .bool(trimOffsets), "add_prefix_space": .bool(false)]),
            "decoder": .map(byteLevel),
            "model": .map(["type": .string("BPE"), "dropout": .null, "unk_token": .null, "continuing_subword_prefix": .null,
                           "end_of_word_suffix": .null, "fuse_unk": .bool(false), "byte_fallback": .bool(false),
                           "ignore_merges": .bool(model.ignoreMerges), "vocab": .map(vocab),
                           "merges": .list(merges.map { .list([.string($0.0), .string($0.1)]) })]),
        ])
        let config = Value.map([
            "tokenizer_class": .string("RobertaTokenizer"), "model_max_length": .int(Int64(modelMaxLength)),
            "add_prefix_space": .bool(false), "trim_offsets": .bool(trimOffsets), "errors": .string("replace"),
            "bos_token": .string(specialTokens.cls), "cls_token": .string(specialTokens.cls), "eos_token": .string(specialTokens.sep),
            "sep_token": .string(specialTokens.sep), "pad_token": .string(specialTokens.pad), "unk_token": .string(specialTokens.unk),
            "mask_token": .string(specialTokens.mask),
        ])
        // Foundation's atomic write goes through a temporary file and a rename, so a
        // folder never holds half a tokenizer.json.
        try (json.jsonText + "\n").write(toFile: directory + "/tokenizer.json", atomically: true, encoding: .utf8)
        try (config.jsonText + "\n").write(toFile: directory + "/tokenizer_config.json", atomically: true, encoding: .utf8)
    }
}
