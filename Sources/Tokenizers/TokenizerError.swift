import LexgraphCore

/// Everything the Tokenizers module refuses: a missing or corrupt vocabulary/config file
/// (with the file and, for vocab.txt, the line), an unknown setting, or an input the requested
/// truncation cannot satisfy (the same cases Hugging Face `tokenizers` rejects).
public struct TokenizerError: LexgraphError, Equatable {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        if file != nil || line != nil || column != nil {
            location = SourceLocation(file: file, line: line, column: column)
        }
    }
}
