import LexgraphCore

/// One pretraining text with where it came from (`id`: the source and its record, e.g.
/// `scotus-facts:17`, `contracts:commonpaper-DPA.txt:12`).
public struct CorpusDocument: Sendable, Equatable {
    public var id: String
    public var source: String
    public var text: String

    public init(id: String, source: String, text: String) {
        self.id = id; self.source = source; self.text = text
    }

    /// The JSON Lines record `{"id", "source", "text"}`.
    public var jsonLine: String {
        Value.map(["id": .string(id), "source": .string(source), "text": .string(text)]).jsonText
    }

    /// The key two texts are duplicates under: letters and digits only, lowercased, so a
    /// re-tokenized copy ("academia , inc ." beside "Academia, Inc.") is the same text.
    public static func duplicateKey(_ text: String) -> String {
        var key = ""
        key.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.lowercased().unicodeScalars where s.properties.isAlphabetic || s.properties.numericType != nil {
            key.unicodeScalars.append(s)
        }
        return key
    }

    /// Text that is not prose: a NUL or another C0/C1 control character other than tab,
    /// newline and carriage return (binary junk pasted into a file). Returns the first one.
    public static func firstControlCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { s in
            (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || (0x7F...0x9F).contains(s.value)
        }
    }
}
