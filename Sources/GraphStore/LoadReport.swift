import Foundation
import LexgraphCore

/// What a load did (or, for a dry run, would do).
public struct LoadReport: Sendable {
    public var recipes: [String]
    public var dryRun: Bool
    public var recordsRead = 0
    /// What the store reported per upsert: new, changed, unchanged.
    public var counts = WriteCounts()
    /// Nodes and edges the recipes produced, per type.
    public var nodesByType: [String: Int] = [:]
    public var edgesByType: [String: Int] = [:]
    /// Records a mapping made nothing of (no key alternative resolved), or kept out
    /// as later duplicates under `duplicates: first`; keyed by mapping description.
    public var skipped: [String: Int] = [:]
    public var seconds: Double = 0
    /// The load's data-quality report (also for a dry run; stored only for a real load).
    public var quality: LoadQuality?

    /// The lines the CLI prints after a load. A dry run speaks of what the load would
    /// do, since it kept nothing.
    public var summary: String {
        var lines: [String] = []
        lines.append((dryRun ? "dry run (nothing written): " : "") + "\(recipes.joined(separator: ", ")): \(recordsRead) records read in \(String(format: "%.1f", seconds)) s")
        lines.append((dryRun ? "would write " : "") + counts.description)
        let per = dryRun ? "  would load " : "  "
        for (type, n) in nodesByType.sorted(by: { $0.key < $1.key }) { lines.append("\(per)node \(type): \(n)") }
        for (type, n) in edgesByType.sorted(by: { $0.key < $1.key }) { lines.append("\(per)edge \(type): \(n)") }
        for (what, n) in skipped.sorted(by: { $0.key < $1.key }) { lines.append("  \(dryRun ? "would skip" : "skipped") \(n): \(what)") }
        return lines.joined(separator: "\n")
    }
}

/// A load that found errors: nothing was written. Holds the first `LoadIssues.cap`
/// errors and how many there were in all.
public struct LoadFailure: LexgraphError {
    public var errors: [GraphStoreError]
    public var total: Int
    public var location: SourceLocation? { nil }
    public var message: String {
        var lines = ["load failed with \(total) error\(total == 1 ? "" : "s"); nothing was written"]
        lines += errors.map { "  " + $0.description }
        if total > errors.count { lines.append("  ... and \(total - errors.count) more") }
        return lines.joined(separator: "\n")
    }
}

/// Errors collected over a whole load, keeping the first few for display.
struct LoadIssues {
    static let cap = 20
    var shown: [GraphStoreError] = []
    var total = 0

    mutating func add(_ error: GraphStoreError) {
        total += 1
        if shown.count < LoadIssues.cap { shown.append(error) }
    }

    mutating func add(_ location: SourceLocation?, _ message: String) {
        add(GraphStoreError(location: location, message: message))
    }

    var failure: LoadFailure? {
        total == 0 ? nil : LoadFailure(errors: shown, total: total)
    }
}
