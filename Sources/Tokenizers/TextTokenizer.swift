import Foundation

/// What a model needs from its tokenizer, whichever kind the model folder holds (BERT's
/// WordPiece, RoBERTa's byte-level BPE): encode texts and pairs with Hugging Face's
/// truncation and padding, decode ids, and the ids of the special tokens.
public protocol TextTokenizer: Sendable {
    var vocabulary: Vocabulary { get }
    var modelMaxLength: Int { get }
    var clsId: Int32 { get }
    var sepId: Int32 { get }
    var padId: Int32 { get }
    var unkId: Int32 { get }
    var maskId: Int32 { get }
    /// Ids `decode(_:skipSpecialTokens: true)` leaves out.
    var specialIds: Set<Int32> { get }
    func encode(_ text: String, pair: String?, options: EncodeOptions) throws -> Encoding
    func encodeBatch(_ texts: [String], pairs: [String]?, options: EncodeOptions) throws -> [Encoding]
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String
    /// The tokens of a text, without special tokens, as the vocabulary spells them.
    func tokenize(_ text: String) -> [String]
    func pad(_ encoding: inout Encoding, to length: Int)
}

extension TextTokenizer {
    /// Token texts for ids (an id outside the vocabulary becomes the unknown token's text).
    public func tokens(for ids: [Int32]) -> [String] {
        ids.map { vocabulary.token(for: $0) ?? vocabulary.tokens[Int(unkId)] }
    }
}

extension BertTokenizer: TextTokenizer {}
extension ByteLevelBPETokenizer: TextTokenizer {}
extension UnigramTokenizer: TextTokenizer {}

/// Loads the tokenizer of a model folder by what its `tokenizer.json` holds: a WordPiece
/// model gives a `BertTokenizer`, a BPE model a `ByteLevelBPETokenizer`, a Unigram model a
/// `UnigramTokenizer`. Without tokenizer.json, a SentencePiece `spiece.model` gives ALBERT's
/// `UnigramTokenizer`, and a `vocab.txt` BERT's tokenizer.
public enum TokenizerFolder {
    public static func load(directory: String) throws -> any TextTokenizer {
        let folder = URL(fileURLWithPath: directory)
        let json = folder.appendingPathComponent("tokenizer.json").path
        guard FileManager.default.fileExists(atPath: json) else {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("spiece.model").path) {
                return try UnigramTokenizer.load(directory: directory)
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TokenizerError("tokenizer folder does not exist", file: directory)
            }
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path) else {
                throw TokenizerError("no tokenizer found: the folder has none of tokenizer.json, spiece.model, vocab.txt", file: directory)
            }
            return try BertTokenizer.load(directory: directory)
        }
        let root = try readJSONObject(json)
        switch try root.object("model", file: json)?.string("type", file: json) {
        case "BPE": return try ByteLevelBPETokenizer.load(directory: directory)
        case "WordPiece": return try BertTokenizer.load(directory: directory)
        case "Unigram": return try UnigramTokenizer.load(directory: directory)
        case let other:
            throw TokenizerError("model type \(other.map { "'\($0)'" } ?? "missing") is not supported (WordPiece, BPE, Unigram)", file: json)
        }
    }
}
