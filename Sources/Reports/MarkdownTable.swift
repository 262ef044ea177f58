import Foundation

/// A GitHub-flavoured Markdown table: a header row, an alignment row, then the rows.
/// Cells are escaped (`|` and newlines) so a value cannot break the table.
public struct MarkdownTable: Sendable {
    public enum Alignment: Sendable { case left, right, center }

    public var header: [String]
    public var alignments: [Alignment]
    public var rows: [[String]]

    /// `alignments` defaults to left for every column; short rows are padded with empty cells.
    public init(header: [String], alignments: [Alignment]? = nil, rows: [[String]] = []) {
        self.header = header
        self.alignments = alignments ?? header.map { _ in .left }
        self.rows = rows
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    public var text: String {
        let columns = header.count
        func line(_ cells: [String]) -> String {
            let padded = (0..<columns).map { $0 < cells.count ? MarkdownTable.escape(cells[$0]) : "" }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = (0..<columns).map { i -> String in
            switch i < alignments.count ? alignments[i] : .left {
            case .left: return "---"
            case .right: return "---:"
            case .center: return ":---:"
            }
        }
        return ([line(header), "| " + rule.joined(separator: " | ") + " |"] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func escape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }
}
