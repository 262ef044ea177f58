import Foundation
import LexgraphCore

/// Prints values and results: the openCypher TCK's value syntax (also used by the
/// table format), JSON and CSV.
public enum ResultFormatter {
    /// `(:L {k: 'v'})`, `[:T {k: 1}]`, `<(a)-[:T]->(b)>`, `[1, 2.0]`, `{k: null}`, `'s'`.
    public static func tckLiteral(_ v: CypherValue, graph: ResultElements?) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return Functions.formatFloat(d)
        case .temporal(let t): return "'" + t.text + "'"
        case .string(let s): return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .list(let items): return "[" + items.map { tckLiteral($0, graph: graph) }.joined(separator: ", ") + "]"
        case .map(let m): return mapLiteral(m, graph)
        case .node(let id):
            guard let n = graph?.nodes[id] else { return "(#\(id))" }
            return "(" + n.labels.map { ":" + $0 }.joined() + (n.properties.isEmpty ? "" : (n.labels.isEmpty ? "" : " ") + mapLiteral(n.properties, graph)) + ")"
        case .relationship(let id):
            guard let r = graph?.relationships[id] else { return "[#\(id)]" }
            return "[:" + r.type + (r.properties.isEmpty ? "" : " " + mapLiteral(r.properties, graph)) + "]"
        case .path(let nodes, let rels):
            var out = "<" + tckLiteral(.node(nodes[0]), graph: graph)
            for (i, r) in rels.enumerated() {
                let forward = graph?.relationships[r].map { $0.start == nodes[i] } ?? true
                out += (forward ? "-" : "<-") + tckLiteral(.relationship(r), graph: graph) + (forward ? "->" : "-")
                out += tckLiteral(.node(nodes[i + 1]), graph: graph)
            }
            return out + ">"
        }
    }

    static func mapLiteral(_ m: [String: CypherValue], _ graph: ResultElements?) -> String {
        "{" + m.keys.sorted().map { "\($0): \(tckLiteral(m[$0]!, graph: graph))" }.joined(separator: ", ") + "}"
    }

    /// A plain-text table with a header line and a row count. Control characters in
    /// cells and column names are escaped (`TerminalText`): a cell stays on its line and
    /// stored escape sequences cannot act on the terminal.
    public static func table(_ result: QueryResult) -> String {
        let cells = result.rows.map { row in row.map { TerminalText.escaped(tckLiteral($0, graph: result.elements)) } }
        let columns = result.columns.map { TerminalText.escaped($0) }
        var widths = columns.map(\.count)
        for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], min(c.count, 80)) } }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { v, w in
                let clipped = v.count > 80 ? String(v.prefix(77)) + "..." : v
                return clipped.padding(toLength: max(w, clipped.count), withPad: " ", startingAt: 0)
            }.joined(separator: " | ")
        }
        var out = line(columns) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
        for row in cells { out += line(row) + "\n" }
        out += "(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))"
        return out
    }

    /// One JSON object per row (JSON Lines); nodes as `{"_id", "_labels", ...props}`.
    public static func json(_ result: QueryResult) -> String {
        result.rows.map { row in
            Value.map(Dictionary(uniqueKeysWithValues: zip(result.columns, row.map { jsonValue($0, result.elements) }))).jsonText
        }.joined(separator: "\n")
    }

    static func jsonValue(_ v: CypherValue, _ graph: ResultElements) -> Value {
        switch v {
        case .node(let id):
            var m = (graph.nodes[id]?.properties ?? [:]).compactMapValues { $0.storable }
            m["_id"] = .int(id)
            m["_labels"] = .list((graph.nodes[id]?.labels ?? []).map(Value.string))
            return .map(m)
        case .relationship(let id):
            var m = (graph.relationships[id]?.properties ?? [:]).compactMapValues { $0.storable }
            m["_id"] = .int(id)
            m["_type"] = .string(graph.relationships[id]?.type ?? "")
            if let r = graph.relationships[id] { m["_start"] = .int(r.start); m["_end"] = .int(r.end) }
            return .map(m)
        case .path(let nodes, let rels):
            return .map(["nodes": .list(nodes.map { jsonValue(.node($0), graph) }), "relationships": .list(rels.map { jsonValue(.relationship($0), graph) })])
        case .list(let items): return .list(items.map { jsonValue($0, graph) })
        case .map(let m): return .map(m.mapValues { jsonValue($0, graph) })
        default: return v.storable ?? .null
        }
    }

    /// RFC 4180 CSV with a header; strings plain, other values in TCK syntax.
    public static func csv(_ result: QueryResult) -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [result.columns.map(cell).joined(separator: ",")]
        for row in result.rows {
            lines.append(row.map { v -> String in
                if case .string(let s) = v { return cell(s) }
                if case .temporal(let t) = v { return cell(t.text) }
                if v.isNull { return "" }
                return cell(tckLiteral(v, graph: result.elements))
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}
