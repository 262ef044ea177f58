import Foundation
import LexgraphCore
import Reports

/// The three ways a review prints: one JSON object (for programs; control characters
/// escaped by JSON), a terminal table and a Markdown report (for people; the CLI passes
/// both through `TerminalText` on the way out).
extension ReviewReport {
    // MARK: - JSON

    public var json: Value {
        func range(_ r: Range<Int>) -> Value { .list([.int(Int64(r.lowerBound)), .int(Int64(r.upperBound))]) }
        func suggestion(_ s: ClauseSuggestion) -> Value {
            .map(["key": .string(s.key), "source": s.source.map(Value.string) ?? .null, "text": .string(s.text), "score": .float(s.score)])
        }
        func model(_ m: ClauseModel.Description) -> Value {
            .map(["run": .string(m.run), "kind": .string(m.kind.rawValue), "labels": .int(Int64(m.labels)), "max_length": .int(Int64(m.maxLength)),
                  "with_headings": .bool(m.withHeadings), "thresholds_file": m.thresholdsFile.map(Value.string) ?? .null])
        }
        let clauseValues: [Value] = clauses.map { c in
            let s = c.segment
            return .map([
                "path": .string(s.path), "marker": s.marker.map(Value.string) ?? .null, "heading": s.heading.map(Value.string) ?? .null,
                "depth": .int(Int64(s.depth)), "parent": s.parent.map(Value.string) ?? .null,
                "lines": .list([.int(Int64(s.lines.lowerBound)), .int(Int64(s.lines.upperBound))]), "characters": range(s.characters),
                "text": .string(s.text), "windows": .int(Int64(c.windows)),
                "types": .list(c.types.map { .map(["label": .string($0.label), "key": $0.key.map(Value.string) ?? .null, "probability": .float($0.probability)]) }),
                "flags": .list(c.flags.map { f in
                    .map(["label": .string(f.label), "probability": .float(f.probability), "threshold": .float(f.threshold),
                          "evidence": .list(f.evidence.map { .map(["sentence": .string($0.sentence), "probability": .float($0.probability), "characters": range($0.characters)]) })])
                }),
                "suggestions": .list(c.suggestions.map(suggestion)),
            ])
        }
        let expectationValues: [Value] = expectations.map { e in
            .map(["type": .string(e.expected.typeName), "key": .string(e.expected.typeKey), "basis": e.expected.basis.map(Value.string) ?? .null,
                  "family": e.expected.family.map(Value.string) ?? .null, "present": .bool(e.isPresent),
                  "found_in": .list(e.foundIn.map(Value.string)), "suggestions": .list(e.suggestions.map(suggestion))])
        }
        return .map([
            "document": .map(["name": .string(document.name), "format": .string(document.format.rawValue), "title": document.title.map(Value.string) ?? .null,
                              "characters": .int(Int64(document.characters)), "lines": .int(Int64(document.lines))]),
            "contract_type": contractType.map { .map(["slug": .string($0.slug), "name": .string($0.name), "chosen_by": .string($0.chosenBy)]) } ?? .null,
            "contract_type_note": contractTypeNote.map(Value.string) ?? .null,
            "models": .map(["types": model(typesModel), "unfair": unfairModel.map(model) ?? .null]),
            "clauses": .list(clauseValues),
            "expected": .list(expectationValues),
            "summary": .map(["clauses": .int(Int64(clauses.count)), "labelled": .int(Int64(clauses.filter { !$0.types.isEmpty }.count)),
                             "flagged": .int(Int64(flagged.count)), "expected": .int(Int64(expectations.count)), "missing": .int(Int64(missing.count))]),
            "timing_seconds": .map(["segmentation": .float(Self.seconds(timing.segmentation)), "types_model": .float(Self.seconds(timing.typesModel)),
                                    "unfair_model": .float(Self.seconds(timing.unfairModel)), "graph": .float(Self.seconds(timing.graph)),
                                    "total": .float(Self.seconds(timing.total))]),
        ])
    }

    static func seconds(_ s: Double) -> Double { (s * 1000).rounded() / 1000 }

    // MARK: - Terminal table

    /// A table of every clause, then the flagged clauses with evidence and suggestions,
    /// then the expected clauses, missing ones with suggestions.
    public var table: String {
        var out = header.map { $0 + "\n" }.joined()
        let rows: [[String]] = clauses.map { c in
            let s = c.segment
            let lines = s.lines.count == 1 ? "\(s.lines.lowerBound)" : "\(s.lines.lowerBound)-\(s.lines.upperBound)"
            let type = c.types.isEmpty ? "(heading only)" : c.types.map { "\($0.label) \(Self.format($0.probability))" }.joined(separator: ", ")
                + (c.windows > 1 ? " [\(c.windows) windows]" : "")
            let flags = c.flags.map { "\($0.label) \(Self.format($0.probability))" }.joined(separator: ", ")
            return [String(repeating: "  ", count: s.depth - 1) + s.path, lines, Self.clip(s.heading ?? "", 34), type, flags]
        }
        out += "\n" + Self.aligned(header: ["clause", "lines", "heading", "type (probability)", "unfair terms"], rows: rows)
        out += "\nflagged clauses: \(flagged.count)" + (unfairModel == nil ? " (no unfair-terms model given)" : "") + "\n"
        for c in flagged {
            out += "  \(c.segment.path)" + (c.segment.heading.map { " \($0)" } ?? "") + " (lines \(c.segment.lines.lowerBound)-\(c.segment.lines.upperBound))\n"
            for f in c.flags {
                out += "    \(f.label) \(Self.format(f.probability)) (threshold \(Self.format(f.threshold)))\n"
                for e in f.evidence { out += "      evidence \(Self.format(e.probability)): \"\(Self.clip(e.sentence, 160))\"\n" }
            }
            out += Self.suggestionLines(c.suggestions, of: c.types.first?.label)
        }
        if let contractType {
            out += "\nexpected clauses of a \(contractType.name.lowercased()): \(expectations.count - missing.count) of \(expectations.count) present\n"
            for e in expectations where e.isPresent {
                out += "  present  \(e.expected.typeName) in \(e.foundIn.joined(separator: ", "))\n"
            }
            for e in missing {
                out += "  MISSING  \(e.expected.typeName)" + (e.expected.basis.map { ": \(Self.clip($0, 150))" } ?? "") + "\n"
                out += Self.suggestionLines(e.suggestions, of: e.expected.typeName)
            }
        } else if let contractTypeNote {
            out += "\nexpected clauses: \(contractTypeNote)\n"
        }
        out += String(format: "\nreviewed in %.2f s (segmentation %.2f s, clause types %.2f s, unfair terms %.2f s, graph %.2f s)\n",
                      timing.total, timing.segmentation, timing.typesModel, timing.unfairModel, timing.graph)
        return out
    }

    var header: [String] {
        var lines = ["contract: \(document.name) (\(document.format.rawValue), \(document.characters) characters, \(document.lines) lines)"
                     + (document.title.map { ", title \"\($0)\"" } ?? "")]
        if let contractType { lines.append("contract type: \(contractType.slug) (\(contractType.name)), chosen by \(contractType.chosenBy)") }
        lines.append("clause types: \(typesModel.run) (\(typesModel.labels) labels, \(typesModel.maxLength) tokens)")
        if let u = unfairModel {
            lines.append("unfair terms: \(u.run) (\(u.labels) labels, thresholds " + (u.thresholdsFile.map { "from \($0)" } ?? "0.5") + ")")
        }
        return lines
    }

    static func suggestionLines(_ list: [ClauseSuggestion], of type: String?) -> String {
        guard !list.isEmpty else { return "" }
        var out = "    standard \(type ?? "") clauses to compare:\n"
        for s in list { out += "      \(s.key): \"\(clip(s.text, 140))\"\n" }
        return out
    }

    static func format(_ p: Double) -> String { String(format: "%.2f", p) }

    /// At most `n` characters, ending in `…` when cut; line breaks as spaces.
    static func clip(_ s: String, _ n: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= n ? flat : String(flat.prefix(n - 1)) + "…"
    }

    /// Columns padded to their widest cell (the last left ragged).
    static func aligned(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { i in i == row.count - 1 ? row[i] : row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    // MARK: - Markdown

    public var markdown: String {
        var md = "# Contract review: \(document.name)\n\n"
        md += header.dropFirst().map { "- \($0)\n" }.joined()
        md += "- \(document.characters) characters, \(document.lines) lines, \(clauses.count) clauses, \(flagged.count) flagged"
            + (contractType == nil ? "" : ", \(missing.count) of \(expectations.count) expected clauses missing") + "\n"
        if let contractTypeNote { md += "- \(contractTypeNote)\n" }
        md += "\n## Clauses\n\n"
        var table = MarkdownTable(header: ["clause", "lines", "heading", "type", "probability", "unfair terms"],
                                  alignments: [.left, .left, .left, .left, .right, .left])
        for c in clauses {
            let s = c.segment
            table.append([s.path, s.lines.count == 1 ? "\(s.lines.lowerBound)" : "\(s.lines.lowerBound)-\(s.lines.upperBound)", s.heading ?? "",
                          c.types.first?.label ?? "", c.types.first.map { Self.format($0.probability) } ?? "",
                          c.flags.map { "\($0.label) (\(Self.format($0.probability)))" }.joined(separator: ", ")])
        }
        md += table.text
        md += "\n## Flagged clauses\n\n"
        if flagged.isEmpty { md += unfairModel == nil ? "No unfair-terms model was given.\n" : "None.\n" }
        for c in flagged {
            md += "### \(c.segment.path)" + (c.segment.heading.map { " \($0)" } ?? "") + "\n\n"
            for f in c.flags {
                md += "- **\(f.label)** \(Self.format(f.probability)) (threshold \(Self.format(f.threshold)))\n"
                for e in f.evidence { md += "  > \(e.sentence.replacingOccurrences(of: "\n", with: " ")) (\(Self.format(e.probability)))\n" }
            }
            md += Self.markdownSuggestions(c.suggestions, of: c.types.first?.label)
        }
        if contractType != nil {
            md += "\n## Expected clauses\n\n"
            for e in expectations {
                md += "- \(e.isPresent ? "present" : "**missing**"): `\(e.expected.typeName)`"
                    + (e.isPresent ? " in \(e.foundIn.joined(separator: ", "))" : "") + (e.expected.basis.map { ". \($0)" } ?? "") + "\n"
            }
            for e in missing where !e.suggestions.isEmpty {
                md += "\n### Missing: \(e.expected.typeName)\n\n" + Self.markdownSuggestions(e.suggestions, of: e.expected.typeName)
            }
        }
        return md
    }

    static func markdownSuggestions(_ list: [ClauseSuggestion], of type: String?) -> String {
        guard !list.isEmpty else { return "" }
        return "\nStandard \(type ?? "") clauses to compare:\n\n" + list.map { "- `\($0.key)`: \(clip($0.text, 400))\n" }.joined() + "\n"
    }
}
