import ArgumentParser
import Foundation
import LexgraphCore
import Tokenizers

/// `lexgraph tokenize`: shows how the model's tokenizer (BERT's WordPiece, RoBERTa's
/// byte-level BPE or ALBERT's SentencePiece Unigram, whichever the folder holds) splits a text (or a pair): token, id, type id
/// and the offset back into the input (in Unicode scalars).
struct TokenizeCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize a text (or a text pair) with a model folder's tokenizer (WordPiece, byte-level BPE or Unigram)."
    )

    @Option(name: .long, help: "Model folder with tokenizer.json, spiece.model or vocab.txt (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?

    @Argument(help: "The text to tokenize.")
    var text: String

    @Option(name: .long, help: "A second text, encoded as a pair ([CLS] text [SEP] pair [SEP], or <s> text </s></s> pair </s>).")
    var pair: String?

    @Option(name: .long, help: "Truncate to this many tokens, special tokens included (longest_first).")
    var maxLength: Int?

    @Option(name: .long, help: TokenizeCommand.formatHelp())
    var format: OutputFormat = .table

    func validate() throws {
        try validateFormat()
        if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1, got \(maxLength)") }
    }

    func run() throws {
        let folder = try ModelPath.setting(model).require("tokenizer", folder: true)
        let tokenizer = try TokenizerFolder.load(directory: folder)
        let options = EncodeOptions(truncation: maxLength == nil ? .doNotTruncate : .longestFirst, maxLength: maxLength)
        let encoding = try tokenizer.encode(text, pair: pair, options: options)
        if format == .json { Console.data(json(encoding, tokenizer)) } else { Console.text(table(encoding, tokenizer)) }
    }

    /// The input text a token came from ("" for added tokens).
    private func source(_ encoding: Encoding, _ i: Int) -> String {
        guard encoding.specialTokensMask[i] == 0 else { return "" }
        let origin = encoding.sequenceIds[i] == 1 ? (pair ?? "") : text
        return origin.scalarRange(encoding.offsets[i]).map { String(origin[$0]) } ?? ""
    }

    private func table(_ encoding: Encoding, _ tokenizer: any TextTokenizer) -> String {
        let tokens = tokenizer.tokens(for: encoding.ids)
        let width = max(5, tokens.map(\.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var lines = ["\(pad("#", 5)) \(pad("token", width)) \(pad("id", 6)) type  offset       text"]
        for i in 0..<encoding.count {
            let offset = "\(encoding.offsets[i].start)..<\(encoding.offsets[i].end)"
            lines.append("\(pad(String(i), 5)) \(pad(tokens[i], width)) \(pad(String(encoding.ids[i]), 6)) \(pad(String(encoding.typeIds[i]), 5)) \(pad(offset, 12)) \(source(encoding, i).debugDescription)")
        }
        lines.append("\(encoding.count) tokens; offsets are Unicode scalar indices into the input text")
        return lines.joined(separator: "\n")
    }

    private func json(_ encoding: Encoding, _ tokenizer: any TextTokenizer) -> String {
        let tokens = tokenizer.tokens(for: encoding.ids)
        let value = Value.map([
            "tokens": .list(tokens.map { .string($0) }),
            "input_ids": .list(encoding.ids.map { .int(Int64($0)) }),
            "token_type_ids": .list(encoding.typeIds.map { .int(Int64($0)) }),
            "attention_mask": .list(encoding.attentionMask.map { .int(Int64($0)) }),
            "offsets": .list(encoding.offsets.map { .list([.int(Int64($0.start)), .int(Int64($0.end))]) }),
        ])
        return value.jsonText
    }
}
