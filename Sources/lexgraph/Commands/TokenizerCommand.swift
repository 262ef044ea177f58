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
        abstract: "Train a byte-level BPE tokenizer (RoBERTa's kind) on JSON Lines corpora.",
        discussion: """
            Each corpus file holds one {"text": ...} object a line (the corpus files `pretrain` builds qualify). \
            The vocabulary and merges are those Hugging Face tokenizers' ByteLevelBPETokenizer.train gives on the same \
            texts with the same settings. Written to --out: tokenizer.json and tokenizer_config.json.
            Example: lexgraph tokenizer train runs/pretrain/corpus/train.jsonl --vocab-size 30000 --out runs/legal-bpe
            """)

    @Argument(help: "Corpus files (JSON Lines, a \"text\" per line).")
    var corpus: [String]

    @Option(help: "Kind of tokenizer: byte-level-bpe (WordPiece and SentencePiece Unigram training are not written yet).")
    var kind: String = "byte-level-bpe"

    @Option(name: .long, help: "Tokens in the vocabulary, special tokens and the 256 bytes included.")
    var vocabSize: Int = 30_000

    @Option(name: .long, help: "A pair seen fewer times than this is never merged.")
    var minFrequency: Int = 2

    @Option(name: .long, help: "Special tokens, comma-separated: classifier, padding, separator, unknown, mask (ids 0 to 4).")
    var specialTokens: String = "<s>,<pad>,</s>,<unk>,<mask>"

    @Option(name: .long, help: "The tokenizer's max_length (tokenizer_config.json model_max_length).")
    var modelMaxLength: Int = 512

    @Option(help: "Folder to write (created; existing tokenizer files are replaced).")
    var out: String

    func validate() throws {
        guard kind == "byte-level-bpe" else {
            throw ValidationError("--kind \(kind) is not supported: only byte-level-bpe can be trained (WordPiece and SentencePiece Unigram training are not written yet)")
        }
        if corpus.isEmpty { throw ValidationError("give at least one corpus file") }
        if modelMaxLength < 1 { throw ValidationError("--model-max-length must be at least 1, got \(modelMaxLength)") }
    }

    func run() throws {
        let specials = specialTokens.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard specials.count == 5 else {
            throw CLIError("--special-tokens needs five comma-separated tokens (classifier, padding, separator, unknown, mask), got \(specials.count): \(specialTokens)")
        }
        let trainer = try ByteLevelBPETrainer(vocabularySize: vocabSize, minFrequency: minFrequency, specialTokens: specials)
        let started = Date()
        var counts: [[UInt8]: Int] = [:]
        var texts = 0
        for path in corpus {
            let documents = try PretrainingCorpus.read(path: path)
            texts += documents.count
            counts.merge(ByteLevelBPETrainer.countWords(documents.map(\.text)), uniquingKeysWith: +)
        }
        let (vocabulary, merges) = try trainer.train(wordCounts: counts)
        let special = SpecialTokens(cls: specials[0], sep: specials[2], pad: specials[1], unk: specials[3], mask: specials[4])
        let tokenizer = try ByteLevelBPETokenizer(model: BytePairEncoding(vocabulary: vocabulary, merges: merges), specialTokens: special,
                                                  modelMaxLength: modelMaxLength)
        try tokenizer.save(directory: out, merges: merges)
        Console.text("byte-level BPE: \(vocabulary.count) tokens (\(specials.count) special, 256 bytes, \(merges.count) merges) from "
                     + "\(texts) texts, \(counts.count) distinct words, in " + String(format: "%.1f s", Date().timeIntervalSince(started)))
        if vocabulary.count < vocabSize {
            Console.text("note: the corpus ran out of pairs seen \(minFrequency) times or more before \(vocabSize) tokens")
        }
        Console.text("written: \(out)/tokenizer.json, \(out)/tokenizer_config.json")
    }
}
