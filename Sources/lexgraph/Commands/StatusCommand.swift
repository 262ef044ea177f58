import ArgumentParser
import Foundation
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// `lexgraph status`: the good-law status of a case on a date, derived from the graph,
/// with the edges and citation paths that explain it.
struct StatusCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Citator status of a case: overruled, negative treatment, relies on overruled authority, or good law.",
        discussion: """
            Uses the edges valid on --as-of (default: today): OVERRULES edges and CITES treatments into the case, \
            and the case's own citations up to --hops away that reach an overruled authority. \
            The answer says how far the graph's CITES and OVERRULES data reaches ("as of D, with data to H") and \
            flags a date past it: nothing after H is known.
            \(NodeArgument.forms)
            """)

    @Argument(help: "The case: key, identifier (410 U.S. 113, 1972-048) or name.")
    var identifier: String

    @Option(name: .customLong("as-of"), help: "Status as of this date (YYYY-MM-DD; default today).")
    var asOf: String?

    @Option(help: "How many citation hops to search for overruled authority the case relies on.")
    var hops: Int = 1

    @Option(help: StatusCommand.formatHelp())
    var format: OutputFormat = .table

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        let date = try asOf.map { try DateArgument.parse($0, option: "--as-of") } ?? DateArgument.today()
        let store = try database.openReadOnly()
        let status = try store.citatorStatus(of: try store.resolveNode(identifier).key, asOf: date, hops: hops)
        if format == .json { Console.data(json(status)) } else { Console.text(text(status)) }
    }

    func text(_ status: CitatorStatus) -> String {
        var lines = ["\(status.key) as of \(status.asOf)\(status.horizon?.phrase ?? ""): \(status.level.rawValue)"]
        lines += status.explanation.map { "  \($0)" }
        lines += status.caveats
        let counts = status.treatmentCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("cited by \(status.citingCount) case\(status.citingCount == 1 ? "" : "s")\(counts.isEmpty ? "" : " (\(counts))")")
        if status.level != .negativeTreatment, !status.negativeTreatments.isEmpty {
            lines.append("negative treatment: " + status.negativeTreatments.map(\.description).joined(separator: "; "))
        }
        if status.level != .reliesOnOverruledAuthority, !status.reliances.isEmpty {
            lines.append("also relies on overruled authority: " + status.reliances.map(\.authority).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    func json(_ status: CitatorStatus) -> String {
        func treatment(_ t: CitingTreatment) -> Value {
            .map(["citing": .string(t.citingKey), "edge_type": .string(t.edgeType),
                  "treatment": t.treatment.map(Value.string) ?? .null, "date": t.date.map { .string($0.iso) } ?? .null])
        }
        return Value.map([
            "key": .string(status.key), "as_of": .string(status.asOf.iso), "hops": .int(Int64(status.hops)),
            "data_to": status.horizon?.latest.map { .string($0.iso) } ?? .null, "data_horizon": status.horizon?.json ?? .null,
            "caveats": .list(status.caveats.map(Value.string)),
            "level": .string(status.level.rawValue),
            "explanation": .list(status.explanation.map(Value.string)),
            "overruled_by": .list(status.overruledBy.map(treatment)),
            "negative_treatments": .list(status.negativeTreatments.map(treatment)),
            "treatment_counts": .map(status.treatmentCounts.mapValues { .int(Int64($0)) }),
            "citing_count": .int(Int64(status.citingCount)),
            "relies_on_overruled": .list(status.reliances.map { r in
                .map(["authority": .string(r.authority), "distance": .int(Int64(r.distance)),
                      "path": .list(r.path.map { .string($0.description) }),
                      "overruled_by": .list(r.overruledBy.map(treatment))])
            }),
        ]).jsonText
    }
}
