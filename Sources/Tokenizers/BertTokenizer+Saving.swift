import Foundation
import LexgraphCore

extension BertTokenizer {
    /// Writes `vocab.txt` (one token a line, the line number its id) and
    /// `tokenizer_config.json` into `directory` (created when missing), as transformers'
    /// `BertTokenizer.save_pretrained` does, so `AutoTokenizer.from_pretrained(directory)` and
    /// `load(directory:)` read the same tokenizer.
    public func save(directory: String) throws {
        if let bad = vocabulary.tokens.firstIndex(where: { $0.isEmpty || $0.contains(where: \.isNewline) }) {
            throw TokenizerError("token \(bad) (\(vocabulary.tokens[bad].debugDescription)) cannot be written to vocab.txt: empty or with a line break")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = Value.map([
            "tokenizer_class": .string("BertTokenizer"), "model_max_length": .int(Int64(modelMaxLength)),
            "do_lower_case": .bool(normalizer.lowercase), "tokenize_chinese_chars": .bool(normalizer.handleChineseChars),
            "strip_accents": normalizer.stripAccents.map { .bool($0) } ?? .null, "clean_up_tokenization_spaces": .bool(decoderCleanup),
            "cls_token": .string(specialTokens.cls), "sep_token": .string(specialTokens.sep), "pad_token": .string(specialTokens.pad),
            "unk_token": .string(specialTokens.unk), "mask_token": .string(specialTokens.mask),
        ])
        // Atomic writes (a temporary file and a rename): a folder never holds half a file.
        try (vocabulary.tokens.joined(separator: "\n") + "\n").write(toFile: directory + "/vocab.txt", atomically: true, encoding: .utf8)
        try (config.jsonText + "\n").write(toFile: directory + "/tokenizer_config.json", atomically: true, encoding: .utf8)
    }
}
