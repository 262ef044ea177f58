import ArgumentParser
import Foundation
import GraphAlgorithms
import GraphStore
import Grounding
import LexgraphCore

/// `lexgraph context`: the graph-walk context and graph features of a case as of a
/// date, as the prediction layer sees them, each fact with the path that produced it.
struct ContextCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Time-safe graph context (facts with their paths) and graph features of a case as of a date.",
        discussion: """
            Seeds are the case's pre-decision SCDB codes (issue, issue area, provision, law type, parties, courts, \
            natural court; issue, issueArea, lawType and lawSupp are assigned from the opinion). Only what is dated \
            strictly before --as-of (default: 1 October of the case's term) is used; --with-citations adds the \
            precedents the case's own opinion cites as a separate seed group.
            The answer says how far the graph's data reaches ("with data to" its latest edge date, per edge type in \
            JSON) and flags a date past the data of any edge type grounding reads.
            \(NodeArgument.forms)
            Example: lexgraph context "367 U.S. 643" --with-citations --budget 600
            """)

    @Argument(help: "The case: key, identifier (367 U.S. 643, 1960-133) or name.")
    var identifier: String

    @Option(name: .customLong("as-of"), help: "Ground as of this date (YYYY-MM-DD; default 1 October of the case's term).")
    var asOf: String?

    @Flag(name: .customLong("with-citations"), help: "Add the precedents the case's own opinion cites (written at decision time).")
    var withCitations = false

    @Option(help: "Character budget for the context facts (default: all facts).")
    var budget: Int?

    @Option(help: ContextCommand.formatHelp())
    var format: OutputFormat = .table

    @OptionGroup var database: DatabaseOptions

    func validate() throws { try validateFormat() }

    func run() throws {
        if let budget, budget < 0 { throw CLIError("--budget must be 0 or more, not \(budget)") }
        let store = try database.openReadOnly()
        let key = try store.resolveNode(identifier).key
        let attributes = try CaseAttributes(caseKey: key, in: store)
        let date: LegalDate
        if let asOf { date = try DateArgument.parse(asOf, option: "--as-of") } else {
            guard let start = attributes.termStart else { throw CLIError("\(key) has no term: pass --as-of YYYY-MM-DD") }
            date = start
        }
        let graph = try GroundingGraph(store: store)
        let start = Date()
        let grounding = try graph.ground(attributes, asOf: date, options: GroundingOptions(includeOwnCitations: withCitations))
        let millis = Date().timeIntervalSince(start) * 1000
        let facts = budget.map { grounding.context(budget: .characters($0)) } ?? grounding.facts
        if format == .json { Console.data(json(key, grounding, facts)) } else { Console.text(table(key, grounding, facts, millis: millis)) }
    }

    func table(_ key: String, _ grounding: CaseGrounding, _ facts: [GraphFact], millis: Double) -> String {
        var lines = ["\(key) as of \(grounding.asOf)\(grounding.horizon.phrase) (only what is dated before it)\(withCitations ? ", with its own citations" : "")"]
        if let warning = grounding.horizon.warning(asOf: grounding.asOf) { lines.append(warning) }
        if !grounding.seeds.missing.isEmpty { lines.append("codes without a node: " + grounding.seeds.missing.joined(separator: ", ")) }
        lines.append("")
        for (i, fact) in facts.enumerated() {
            lines.append(String(format: "%2d. [%.3f] ", i + 1, fact.score) + fact.text)
            if !fact.path.isEmpty { lines.append("      path: \(fact.pathDescription)") }
            if !fact.evidence.isEmpty { lines.append("      e.g. \(fact.evidence.joined(separator: ", "))") }
        }
        lines.append("")
        lines.append("features:")
        for (name, value) in zip(GraphFeatures.names, grounding.features.values) {
            lines.append("  " + name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%.4f", value))
        }
        lines.append(String(format: "%d facts of %d; %d nodes reached; grounded in %.2f ms", facts.count, grounding.facts.count,
                            grounding.reachedCount, millis))
        return lines.joined(separator: "\n")
    }

    func json(_ key: String, _ grounding: CaseGrounding, _ facts: [GraphFact]) -> String {
        let factValues: [Value] = facts.map { fact in
            .map([
                "text": .string(fact.text), "score": .float(fact.score), "kind": .string(fact.kind.rawValue),
                "anchor": .map(["role": .string(fact.anchor.role.rawValue), "key": .string(fact.anchor.key)]),
                "path": .list(fact.path.map { step in
                    .map(["edge_type": .string(step.edgeType), "direction": .string(step.direction.rawValue),
                          "node": .string(step.nodeKey), "treatment": step.treatment.map(Value.string) ?? .null,
                          "valid_from": step.edgeValidFrom.map { .string($0.iso) } ?? .null])
                }),
                "evidence": .list(fact.evidence.map(Value.string)),
            ])
        }
        let seeds: [Value] = grounding.seeds.all.map { .map(["role": .string($0.role.rawValue), "key": .string($0.key)]) }
        return Value.map([
            "key": .string(key), "as_of": .string(grounding.asOf.iso), "with_citations": .bool(withCitations),
            "data_to": grounding.horizon.latest.map { .string($0.iso) } ?? .null, "data_horizon": grounding.horizon.json,
            "caveats": .list([grounding.horizon.warning(asOf: grounding.asOf)].compactMap { $0 }.map(Value.string)),
            "seeds": .list(seeds), "missing": .list(grounding.seeds.missing.map(Value.string)),
            "facts": .list(factValues),
            "features": .map(Dictionary(uniqueKeysWithValues: zip(GraphFeatures.names, grounding.features.values.map(Value.float)))),
            "feature_names": .list(GraphFeatures.names.map(Value.string)),
        ]).jsonText
    }
}
