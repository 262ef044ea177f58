import Foundation
import LexgraphCore

/// The shapes of input `lexgraph mask` reads: a plain text document, JSON Lines with the
/// text in one field (each line a document), or TSV with a header and the text in one
/// column (each row a document; fields hold no tabs or line breaks, no quoting).
public enum CorpusFormat: Sendable {
    case text
    /// `partyFields`: fields holding names known to be in the document (a case's
    /// parties): strings or lists of strings. They help find the names in the text,
    /// and are masked themselves, as persons' names.
    case jsonLines(field: String, partyFields: [String])
    case tsv(column: String)
}

/// Masking and unmasking a whole input, document by document, with one masker (one
/// corpus). Nothing is returned until every document is done, so a bad line means no
/// output at all; errors name `file:line` and the field, never the text.
public enum CorpusMasking {
    /// The masked input and how many documents it held. `report` receives each
    /// document's number (from 1) and what was found in it.
    public static func mask(_ input: String, file: String, format: CorpusFormat, masker: inout Masker,
                            report: ((Int, [DetectedEntity]) -> Void)? = nil) throws -> (output: String, documents: Int) {
        try transform(input, file: file, format: format) { text, names, n, isParty in
            if isParty { return masker.maskName(text) }
            let (masked, entities) = masker.maskReporting(text, knownNames: names)
            report?(n, entities)
            return masked
        }
    }

    /// The input with every masked form in `vault` put back.
    public static func unmask(_ input: String, file: String, format: CorpusFormat, vault: VaultContents) throws -> (output: String, documents: Int) {
        try transform(input, file: file, format: format) { text, _, _, _ in vault.unmask(text) }
    }

    static func transform(_ input: String, file: String, format: CorpusFormat,
                          _ body: (String, [String], Int, Bool) throws -> String) throws -> (output: String, documents: Int) {
        switch format {
        case .text:
            return (try body(input, [], 1, false), 1)
        case .jsonLines(let field, let partyFields):
            var out = ""
            var documents = 0
            var lines = input.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            for (i, line) in lines.enumerated() {
                let where_ = SourceLocation(file: file, line: i + 1)
                if line.allSatisfy(\.isWhitespace) {
                    out += line + "\n"
                    continue
                }
                let value: Value
                do { value = try Value.parseJSON(String(line)) } catch let error as JSONError {
                    throw ComplianceError("not a JSON object: \(error.message)", at: where_)
                }
                guard case .map(var object) = value else { throw ComplianceError("not a JSON object", at: where_) }
                documents += 1
                switch object[field] {
                case .string(let text):
                    var names: [String] = []
                    for p in partyFields {
                        switch object[p] {
                        case .string(let s): names.append(s)
                        case .list(let items): names += items.compactMap(\.stringValue)
                        default: break
                        }
                    }
                    object[field] = .string(try body(text, names, documents, false))
                    for p in partyFields {
                        switch object[p] {
                        case .string(let s): object[p] = .string(try body(s, [], documents, true))
                        case .list(let items): object[p] = .list(try items.map { try $0.stringValue.map { .string(try body($0, [], documents, true)) } ?? $0 })
                        default: break
                        }
                    }
                case .null, nil:
                    break
                default:
                    throw ComplianceError("field '\(field)' is not a string", at: where_)
                }
                out += Value.map(object).jsonText + "\n"
            }
            return (out, documents)
        case .tsv(let column):
            var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            guard let header = lines.first else { throw ComplianceError("empty TSV file: expected a header line", at: SourceLocation(file: file, line: 1)) }
            let names = header.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
            guard let index = names.firstIndex(of: column) else {
                throw ComplianceError("no column '\(column)' in the header (columns: \(names.prefix(20).joined(separator: ", ")))", at: SourceLocation(file: file, line: 1))
            }
            var out = header + "\n"
            for (i, line) in lines.enumerated().dropFirst() {
                var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == names.count else {
                    throw ComplianceError("\(fields.count) fields, the header has \(names.count)", at: SourceLocation(file: file, line: i + 1))
                }
                fields[index] = try body(fields[index], [], i, false)
                out += fields.joined(separator: "\t") + "\n"
            }
            return (out, lines.count - 1)
        }
    }
}
