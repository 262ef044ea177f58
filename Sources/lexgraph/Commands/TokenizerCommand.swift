import ArgumentParser
import Foundation
import PretrainingCorpus
import Tokenizers

/// `lexgraph tokenizer train`: a legal-domain tokenizer trained on a corpus, written as a
/// folder that `tokenize`, `finetune --model` (with a matching model) and transformers'
/// `AutoTokenizer` read.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train a tokenizer on a legal corpus.",
        subcommands: [TokenizerTrainCommand.self])
}

struct TokenizerTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a byte-level BPE, WordPiece or SentencePiece Unigram tokenizer on JSON Lines corpora.",
        discussion: """
            Each corpus file holds one {"text": ...} object a line (the corpus files `pretrain` builds qualify). \
            The result is what Hugging Face tokenizers trains on the same texts with the same settings: \
            byte-level-bpe as ByteLevelBPETokenizer.train (RoBERTa's kind; tokenizer.json), wordpiece as \
            BertWordPieceTokenizer.train (BERT's; vocab.txt), unigram as UnigramTrainer behind ALBERT's normalizer \
            and pre-tokenizer without the SentencePiece charsmap (tokenizer.json). tokenizer_config.json is written too.
            Example: lexgraph tokenizer train runs/pretrain/corpus/train.jsonl --kind wordpiece --vocab-size 30000 --out runs/legal-wordpiece
            """)

    @Argument(help: "Corpus files (JSON Lines, a \"text\" per line).")
    var corpus: [String]

    @Option(help: "Kind of tokenizer: byte-level-bpe, wordpiece or unigram.")
    var kind: String = "byte-level-bpe"

    @Option(name: .long, help: "Tokens in the vocabulary, special tokens included (and for byte-level-bpe the 256 bytes).")
    var vocabSize: Int = 30_000

    @Option(name: .long, help: "byte-level-bpe and wordpiece: a pair seen fewer times than this is never merged (default 2).")
    var minFrequency: Int?

    @Option(name: .long, help: "wordpiece: keep at most this many characters in the alphabet, the most frequent (default 1000).")
    var limitAlphabet: Int?

    @Option(name: .long, help: """
        Special tokens in id order, comma-separated. byte-level-bpe: classifier, padding, separator, unknown, mask \
        (default <s>,<pad>,</s>,<unk>,<mask>); wordpiece: padding, unknown, classifier, separator, mask \
        (default [PAD],[UNK],[CLS],[SEP],[MASK]); unigram: the same roles (default <pad>,<unk>,[CLS],[SEP],[MASK]).
        """)
    var specialTokens: String?

    @Option(name: .long, help: "The tokenizer's max_length (tokenizer_config.json model_max_length).")
    var modelMaxLength: Int = 512

    @Option(help: "Folder to write (created; existing tokenizer files are replaced).")
    var out: String

    static let kinds = ["byte-level-bpe", "wordpiece", "unigram"]

    func validate() throws {
        guard Self.kinds.contains(kind) else {
            throw ValidationError("--kind \(kind) is not supported: give byte-level-bpe, wordpiece or unigram")
        }
        if corpus.isEmpty { throw ValidationError("give at least one corpus file") }
        if modelMaxLength < 1 { throw ValidationError("--model-max-length must be at least 1, got \(modelMaxLength)") }
        if kind == "unigram", minFrequency != nil { throw ValidationError("--min-frequency applies to byte-level-bpe and wordpiece, not unigram") }
        if kind != "wordpiece", limitAlphabet != nil { throw ValidationError("--limit-alphabet applies to wordpiece only") }
    }

    func run() throws {
        let defaults = ["byte-level-bpe": "<s>,<pad>,</s>,<unk>,<mask>", "wordpiece": "[PAD],[UNK],[CLS],[SEP],[MASK]",
                        "unigram": "<pad>,<unk>,[CLS],[SEP],[MASK]"]
        let list = specialTokens ?? defaults[kind]!
        let specials = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard specials.count == 5 else {
            throw CLIError("--special-tokens needs five comma-separated tokens, got \(specials.count): \(list)")
        }
        let started = Date()
        var texts: [String] = []
        for path in corpus { texts.append(contentsOf: try PretrainingCorpus.read(path: path).map(\.text)) }
        func elapsed() -> String { String(format: "%.1f s", Date().timeIntervalSince(started)) }
        switch kind {
        case "wordpiece":
            let trainer = try WordPieceTrainer(vocabularySize: vocabSize, minFrequency: minFrequency ?? 2, specialTokens: specials,
                                               limitAlphabet: limitAlphabet ?? 1000)
            let counts = WordPieceTrainer.countWords(texts)
            let vocabulary = try trainer.train(wordCounts: counts)
            let special = SpecialTokens(cls: specials[2], sep: specials[3], pad: specials[0], unk: specials[1], mask: specials[4])
            let tokenizer = try BertTokenizer(vocabulary: vocabulary, specialTokens: special, modelMaxLength: modelMaxLength)
            try tokenizer.save(directory: out)
            Console.text("WordPiece: \(vocabulary.count) tokens (\(specials.count) special) from \(texts.count) texts, "
                         + "\(counts.count) distinct words, in " + elapsed())
            if vocabulary.count < vocabSize {
                Console.text("note: the corpus ran out of pairs seen \(minFrequency ?? 2) times or more before \(vocabSize) tokens")
            }
            Console.text("written: \(out)/vocab.txt, \(out)/tokenizer_config.json")
        case "unigram":
            let trainer = try UnigramTrainer(vocabularySize: vocabSize, specialTokens: specials, unknownToken: specials[1])
            let counts = UnigramTrainer.countWords(texts)
            let (pieces, unkId) = try trainer.train(wordCounts: counts)
            let special = SpecialTokens(cls: specials[2], sep: specials[3], pad: specials[0], unk: specials[1], mask: specials[4])
            let tokenizer = try UnigramTokenizer.trained(pieces: pieces, unkId: unkId, specialTokens: special, modelMaxLength: modelMaxLength)
            try tokenizer.save(directory: out)
            Console.text("Unigram: \(pieces.count) pieces (\(specials.count) special) from \(texts.count) texts, "
                         + "\(counts.count) distinct words, in " + elapsed())
            if pieces.count < vocabSize { Console.text("note: the corpus gave fewer pieces than \(vocabSize)") }
            Console.text("written: \(out)/tokenizer.json, \(out)/tokenizer_config.json")
        default:
            let trainer = try ByteLevelBPETrainer(vocabularySize: vocabSize, minFrequency: minFrequency ?? 2, specialTokens: specials)
            let counts = ByteLevelBPETrainer.countWords(texts)
            let (vocabulary, merges) = try trainer.train(wordCounts: counts)
            let special = SpecialTokens(cls: specials[0], sep: specials[2], pad: specials[1], unk: specials[3], mask: specials[4])
            let tokenizer = try ByteLevelBPETokenizer(model: BytePairEncoding(vocabulary: vocabulary, merges: merges), specialTokens: special,
                                                      modelMaxLength: modelMaxLength)
            try tokenizer.save(directory: out, merges: merges)
            Console.text("byte-level BPE: \(vocabulary.count) tokens (\(specials.count) special, 256 bytes, \(merges.count) merges) from "
                         + "\(texts.count) texts, \(counts.count) distinct words, in " + elapsed())
            if vocabulary.count < vocabSize {
                Console.text("note: the corpus ran out of pairs seen \(minFrequency ?? 2) times or more before \(vocabSize) tokens")
            }
            Console.text("written: \(out)/tokenizer.json, \(out)/tokenizer_config.json")
        }
    }
}
