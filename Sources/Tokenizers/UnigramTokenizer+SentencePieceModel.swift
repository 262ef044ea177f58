import Foundation
import LexgraphCore

extension UnigramTokenizer {
    /// ALBERT's tokenizer from a SentencePiece model (`spiece.model`), built as transformers 5
    /// builds `AlbertTokenizer` for a folder with no tokenizer.json: its SentencePieceExtractor
    /// takes the pieces with their scores as stored, and the tokenizer adds the normalizer
    /// `Replace` ``/'' -> ", NFKD + StripAccents unless `keep_accents`, Lowercase when
    /// `do_lower_case` (both from tokenizer_config.json, defaults false/true), the model's
    /// precompiled charsmap; WhitespaceSplit then Metaspace (no "▁" prepended when
    /// `add_prefix_space` is false); `[CLS] A [SEP] (B [SEP])`; the special tokens and the
    /// model's CONTROL pieces matched whole in the raw text.
    ///
    /// The model's own whitespace settings (dummy prefix, extra-whitespace removal) play no
    /// part there, so none here either. Unlike transformers' `AlbertConverter` (used when
    /// converting a slow tokenizer object), the folder load neither lowers the score of pieces
    /// ending in a digit and "," by 100 nor collapses runs of spaces; this follows the folder
    /// load, which is what `AutoTokenizer` gives for the folder. Refused, naming the file: a
    /// model that is not Unigram (named by its type), byte fallback (the peer would silently
    /// drop it), an unknown piece other than id 1 (the peer's ALBERT always takes id 1), and
    /// special tokens missing from the pieces (the peer would append them as new ids).
    public static func load(sentencePieceModel path: String, config configPath: String? = nil) throws -> UnigramTokenizer {
        let file = try SentencePieceModelFile(contentsOf: path)
        let config = try configPath.map(TokenizerConfig.load) ?? TokenizerConfig()
        guard file.modelType == .unigram else {
            throw TokenizerError("the SentencePiece model is of type \(file.modelType.name); ALBERT's Unigram tokenizer needs UNIGRAM", file: path)
        }
        if file.byteFallback {
            throw TokenizerError("trainer_spec.byte_fallback is true: byte fallback is not supported (transformers' ALBERT tokenizer drops it too)", file: path)
        }
        guard file.unkId == 1, file.pieces.count > 1, file.pieces[1].type == .unknown else {
            throw TokenizerError("the unknown piece is id \(file.unkId) (\(file.pieces.indices.contains(Int(file.unkId)) ? "'\(file.pieces[Int(file.unkId)].text)'" : "outside the pieces")); ALBERT's tokenizer takes id 1 as unknown", file: path)
        }
        let unigram = try withFile(path) { try UnigramModel(pieces: file.pieces.map { ($0.text, Double($0.score)) }, unkId: 1) }

        var steps: [SentencePieceNormalizerStep] = [.replace(["`", "`"], ["\""]), .replace(["'", "'"], ["\""])]
        if config.keepAccents != true { steps += [.nfkd, .stripAccents] }
        if config.doLowerCase ?? true { steps.append(.lowercase) }
        if !file.precompiledCharsmap.isEmpty {
            steps.append(.precompiled(try withFile(path) { try PrecompiledCharsmap(bytes: file.precompiledCharsmap) }))
        }
        var metaspace = Metaspace()
        if config.addPrefixSpace == false { metaspace.prependScheme = "never" }

        let special = config.specialTokens(over: UnigramTokenizer.albertSpecialTokens)
        // The special tokens, then the CONTROL pieces, each matched as a whole in the raw text.
        var added: [AddedToken] = []
        var seen: Set<String> = []
        let controls = file.pieces.filter { $0.type == .control }.map(\.text)
        for text in [special.pad, special.unk, special.cls, special.sep, special.mask] + controls where seen.insert(text).inserted {
            guard let id = unigram.vocabulary.id(for: text) else {
                throw TokenizerError("special token '\(text)' is not a piece of the model", file: configPath ?? path)
            }
            added.append(AddedToken(content: text, id: id))
        }
        return try withFile(path) {
            try UnigramTokenizer(model: unigram, specialTokens: special, modelMaxLength: config.modelMaxLength ?? 512, normalizer: steps,
                                 whitespaceSplit: true, metaspace: metaspace, addedTokens: added)
        }
    }
}
