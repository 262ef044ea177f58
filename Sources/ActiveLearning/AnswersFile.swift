import Foundation
import LexgraphCore

/// The file round trip of a curator session: `DIR/queue.jsonl` lists the batch to label,
/// one object a line `{"id", "text", "label": null, "suggested", "probability"}`; the
/// curator fills in `label` (a class name; null or "" skips the example) and hands the file
/// back with `--answers`. A TSV answers file needs `id` and `label` columns.
public enum AnswersFile {
    public struct Answer: Sendable, Equatable {
        public var id: String
        /// nil: skipped.
        public var label: String?
        public var line: Int

        public init(id: String, label: String?, line: Int) { self.id = id; self.label = label; self.line = line }
    }

    /// The queue file's text for `ids`.
    public static func queueText(ids: [String], pool: LabelPool, suggest: (String) -> (label: String, probability: Float)?) -> String {
        var out = ""
        for id in ids {
            guard let p = pool.position(of: id) else { continue }
            var object: [String: Value] = ["id": .string(id), "text": .string(pool.items[p].text), "label": .null]
            if let s = suggest(id) {
                object["suggested"] = .string(s.label)
                object["probability"] = .float((Double(s.probability) * 1000).rounded() / 1000)
            }
            out += Value.map(object).jsonText + "\n"
        }
        return out
    }

    /// Reads and checks every answer before any is used: an unknown id, a class not in the
    /// list, or an id answered twice is an error naming file, line and value.
    public static func read(path: String, classes: ClassList, pool: LabelPool) throws -> [Answer] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ActiveLearningError("cannot read the answers file", file: path) }
        guard let content = String(data: data, encoding: .utf8) else { throw ActiveLearningError("the answers file is not valid UTF-8", file: path) }
        let lines = content.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        var answers: [Answer] = []
        if path.lowercased().hasSuffix(".tsv") {
            guard let header = lines.first else { throw ActiveLearningError("the answers file is empty", file: path) }
            let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let idColumn = columns.firstIndex(of: "id"), let labelColumn = columns.firstIndex(of: "label") else {
                throw ActiveLearningError("a TSV answers file needs \"id\" and \"label\" columns (found: \(columns.joined(separator: ", ")))", file: path, line: 1)
            }
            for (i, raw) in lines.enumerated().dropFirst() where !raw.allSatisfy(\.isWhitespace) {
                let cells = raw.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard cells.count == columns.count else {
                    throw ActiveLearningError("row has \(cells.count) tab-separated cells, the header has \(columns.count)", file: path, line: i + 1)
                }
                let label = cells[labelColumn].trimmingCharacters(in: .whitespaces)
                answers.append(Answer(id: cells[idColumn], label: label.isEmpty ? nil : label, line: i + 1))
            }
        } else {
            for (i, raw) in lines.enumerated() where !raw.allSatisfy(\.isWhitespace) {
                let line = i + 1
                guard case .map(let object)? = try? Value.parseJSON(String(raw)) else {
                    throw ActiveLearningError("line is not a JSON object", file: path, line: line)
                }
                let id: String
                switch object["id"] {
                case .string(let s)?: id = s
                case .int(let n)?: id = String(n)
                default: throw ActiveLearningError("missing \"id\" (a string)", file: path, line: line)
                }
                let label: String?
                switch object["label"] {
                case nil, .null?: label = nil
                case .string(let s)?: label = s.isEmpty ? nil : s
                case .int(let n)?: label = String(n)
                case let other?: throw ActiveLearningError("\"label\" must be a class name or null, found \(other.jsonText)", file: path, line: line)
                }
                answers.append(Answer(id: id, label: label, line: line))
            }
        }
        try check(answers, classes: classes, pool: pool, file: path)
        return answers
    }

    /// Checks answers given another way (a request's list): `file` names the list, each
    /// answer's `line` its place in it (`answers[line]` when `file` is nil).
    public static func check(_ answers: [Answer], classes: ClassList, pool: LabelPool, file: String?) throws {
        func refusal(_ message: String, _ answer: Answer) -> ActiveLearningError {
            file.map { ActiveLearningError(message, file: $0, line: answer.line) } ?? ActiveLearningError(message, file: "answers[\(answer.line)]")
        }
        var seen: [String: Int] = [:]
        for answer in answers {
            guard pool.position(of: answer.id) != nil else { throw refusal("id \"\(answer.id)\" is not in the pool", answer) }
            if let first = seen[answer.id] {
                throw refusal("id \"\(answer.id)\" is answered twice (first \(file == nil ? "at answers[\(first)]" : "on line \(first)"))", answer)
            }
            seen[answer.id] = answer.line
            if let label = answer.label, classes.index(of: label) == nil {
                let known = classes.names.prefix(10).joined(separator: ", ") + (classes.names.count > 10 ? ", ..." : "")
                throw refusal("unknown class \"\(label)\" (classes: \(known))", answer)
            }
        }
    }
}
