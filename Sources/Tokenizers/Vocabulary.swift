import Foundation
import LexgraphCore

/// The WordPiece vocabulary: token text by id and id by token text. Ids are dense
/// (0..<count), as in every BERT vocabulary; duplicates in vocab.txt resolve like the peer's
/// loader (the later line wins the text -> id lookup).
public struct Vocabulary: Sendable {
    /// Token text for each id.
    public let tokens: [String]
    /// Id for each token text.
    public let ids: [String: Int32]

    public var count: Int { tokens.count }

    public init(tokens: [String]) {
        self.tokens = tokens
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() { ids[token] = Int32(i) }
        self.ids = ids
    }

    public func id(for token: String) -> Int32? { ids[token] }

    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }

    /// Reads a vocab.txt: one token per line, the line number (from 0) is the id; LF or CRLF
    /// line ends, a final newline optional. Refused, with the line: invalid UTF-8, an empty
    /// line or a token with whitespace in it (both signs of a damaged file: such a token could
    /// never match, and an empty line silently shifts every later id).
    public static func load(vocabTxt path: String) throws -> Vocabulary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError("cannot read vocabulary file", file: path)
        }
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw TokenizerError("vocabulary file is empty", file: path) }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let bytes = line.last == 0x0D ? line.dropLast() : line[...]
            guard let token = String(validating: bytes, as: UTF8.self) else {
                throw TokenizerError("invalid UTF-8 in vocabulary file", file: path, line: i + 1)
            }
            if token.isEmpty {
                throw TokenizerError("empty line in vocabulary file (each line must hold one token; its line number is its id)", file: path, line: i + 1)
            }
            if token.unicodeScalars.contains(where: { BertCharacterClass.isWhitespace($0) }) {
                throw TokenizerError("vocabulary token contains whitespace: \(token.debugDescription)", file: path, line: i + 1)
            }
            tokens.append(token)
        }
        return Vocabulary(tokens: tokens)
    }

    /// The `model.vocab` map of a tokenizer.json (token -> id), whose ids must be exactly
    /// 0..<count with none repeated.
    init(tokenizerJSONModel model: [String: Value], file path: String) throws {
        guard let vocabMap = try model.object("vocab", file: path), !vocabMap.isEmpty else {
            throw TokenizerError("'model.vocab' is missing or empty", file: path)
        }
        var tokens = [String?](repeating: nil, count: vocabMap.count)
        for (token, value) in vocabMap {
            guard let id = value.intValue, id >= 0, id < vocabMap.count else {
                throw TokenizerError("vocabulary id of '\(token)' must be an integer in 0..<\(vocabMap.count), got \(value.jsonText)", file: path)
            }
            guard tokens[Int(id)] == nil else {
                throw TokenizerError("vocabulary id \(id) is given to both '\(tokens[Int(id)] ?? "")' and '\(token)'", file: path)
            }
            tokens[Int(id)] = token
        }
        // Every id in 0..<count was checked and none repeats, so no slot is empty.
        self.init(tokens: tokens.compactMap { $0 })
    }
}
