import Foundation

/// One expanded openCypher TCK scenario (an outline contributes one per Examples row).
struct TCKScenario {
    enum Step {
        case emptyGraph
        case anyGraph
        case namedGraph(String)
        case setup(String)
        case parameters([[String]])
        case query(String)
        case controlQuery(String)
        case expectRows(header: [String], rows: [[String]], ordered: Bool, ignoreListOrder: Bool)
        case expectEmpty
        case noSideEffects
        case sideEffects([[String]])
        case expectError(kind: String, phase: String, detail: String)
        case unsupported(String)
    }
    var file: String
    var name: String
    /// 1-based Examples row for outlines, nil for plain scenarios.
    var example: Int?
    var steps: [Step]

    /// The id used in tiers.tsv lookups and the expected-failures list.
    var id: String { "\(file) \(name)" + (example.map { " #\($0)" } ?? "") }
}

/// A small Gherkin reader for the TCK's features: Scenario, Scenario Outline with
/// Examples, doc strings and tables, and the step phrases the TCK uses.
enum TCKFeatureParser {
    static func parse(_ text: String, file: String) -> [TCKScenario] {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var scenarios: [TCKScenario] = []
        var i = 0
        var current: (name: String, outline: Bool, raw: [(String, String?, [[String]]?)])?
        var examples: [[String]] = []
        // Steps of a `Background:` run before every scenario of the feature.
        var background: [(String, String?, [[String]]?)] = []
        var inBackground = false

        func flush() {
            guard let c = current else { return }
            if c.outline {
                guard examples.count > 1 else { return }
                let header = examples[0]
                for (k, row) in examples.dropFirst().enumerated() {
                    func sub(_ s: String) -> String {
                        var out = s
                        for (h, v) in zip(header, row) { out = out.replacingOccurrences(of: "<\(h)>", with: v) }
                        return out
                    }
                    let raw = (background + c.raw).map { (sub($0.0), $0.1.map(sub), $0.2.map { $0.map { $0.map(sub) } }) }
                    scenarios.append(TCKScenario(file: file, name: c.name, example: k + 1, steps: raw.map(step)))
                }
            } else {
                scenarios.append(TCKScenario(file: file, name: c.name, example: nil, steps: (background + c.raw).map(step)))
            }
            current = nil
            examples = []
        }

        func readTable() -> [[String]] {
            var rows: [[String]] = []
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                rows.append(splitRow(lines[i]))
                i += 1
            }
            return rows
        }

        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Scenario Outline:") || line.hasPrefix("Scenario:") {
                flush()
                inBackground = false
                let outline = line.hasPrefix("Scenario Outline:")
                let name = String(line.dropFirst(outline ? "Scenario Outline:".count : "Scenario:".count)).trimmingCharacters(in: .whitespaces)
                current = (name, outline, [])
                i += 1
                continue
            }
            if line.hasPrefix("Examples:") {
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).isEmpty { i += 1 }
                examples = readTable()
                continue
            }
            if current != nil || inBackground, let word = ["Given ", "When ", "Then ", "And ", "But "].first(where: { line.hasPrefix($0) }) {
                let phrase = String(line.dropFirst(word.count))
                i += 1
                var doc: String?
                var table: [[String]]?
                if i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) == "\"\"\"" {
                    let indent = lines[i].prefix { $0 == " " }.count
                    i += 1
                    var body: [String] = []
                    while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "\"\"\"" {
                        body.append(String(lines[i].dropFirst(min(indent, lines[i].prefix { $0 == " " }.count))))
                        i += 1
                    }
                    i += 1
                    doc = body.joined(separator: "\n")
                } else if i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    table = readTable()
                }
                if inBackground { background.append((phrase, doc, table)) } else { current?.raw.append((phrase, doc, table)) }
                continue
            }
            if line.hasPrefix("Feature:") { flush() }
            if line.hasPrefix("Background:") { flush(); inBackground = true }
            i += 1
        }
        flush()
        return scenarios
    }

    /// Splits `| a | b |` into cells, honouring `\|` escapes.
    static func splitRow(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var chars = Array(line.trimmingCharacters(in: .whitespaces))
        if chars.first == "|" { chars.removeFirst() }
        var k = 0
        while k < chars.count {
            let c = chars[k]
            if c == "\\", k + 1 < chars.count, chars[k + 1] == "|" { cell.append("|"); k += 2; continue }
            if c == "|" { cells.append(cell.trimmingCharacters(in: .whitespaces)); cell = "" } else { cell.append(c) }
            k += 1
        }
        return cells
    }

    static func step(_ raw: (String, String?, [[String]]?)) -> TCKScenario.Step {
        let (phrase, doc, table) = raw
        switch phrase {
        case "an empty graph": return .emptyGraph
        case "any graph": return .anyGraph
        case "having executed:": return .setup(doc ?? "")
        case "parameters are:": return .parameters(table ?? [])
        case "executing query:": return .query(doc ?? "")
        case "executing control query:": return .controlQuery(doc ?? "")
        case "the result should be empty": return .expectEmpty
        case "no side effects": return .noSideEffects
        case "the side effects should be:": return .sideEffects(table ?? [])
        default: break
        }
        if phrase.hasPrefix("the "), phrase.hasSuffix(" graph") {
            return .namedGraph(String(phrase.dropFirst(4).dropLast(6)))
        }
        if phrase.hasPrefix("the result should be") {
            let t = table ?? [[]]
            return .expectRows(header: t.first ?? [], rows: Array(t.dropFirst()), ordered: phrase.contains("in order"),
                               ignoreListOrder: phrase.contains("ignoring element order for lists"))
        }
        if phrase.hasPrefix("a "), let range = phrase.range(of: " should be raised at ") {
            let kind = String(phrase[phrase.index(phrase.startIndex, offsetBy: 2)..<range.lowerBound])
            let rest = phrase[range.upperBound...].split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return .expectError(kind: kind, phase: rest.first ?? "", detail: rest.count > 1 ? rest[1] : "")
        }
        return .unsupported(phrase)
    }
}
