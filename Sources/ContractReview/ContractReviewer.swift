import Foundation
import GraphStore
import LexgraphCore

/// How much a review shows.
public struct ReviewOptions: Sendable {
    /// A contract type slug (`mutual-nda`) instead of detecting it.
    public var contractType: String?
    /// Types listed per clause.
    public var topTypes = 3
    /// Standard clauses suggested per flagged or missing clause.
    public var suggestions = 3
    /// Sentences quoted per flag.
    public var evidence = 2

    public init(contractType: String? = nil) { self.contractType = contractType }
}

/// The contract review, one call for the CLI and a server alike:
/// 1. segment the document (`ClauseSegmenter`);
/// 2. label each clause with text with its types (one encoder pass per clause, windows
///    past the token limit);
/// 3. score each sentence with the unfair-terms model; a label whose best sentence
///    reaches the label's threshold flags the clause, quoting its best sentences;
/// 4. find the contract type (`--contract-type` or `ContractTypeDetection`) and, from the
///    graph, the clause types it EXPECTS; an expected type is present when some clause's
///    top type is it or in its family;
/// 5. suggest standard clauses of the type for every flagged and missing clause
///    (`ClauseSuggestions`): for a flagged clause those nearest to its text, for a
///    missing one those nearest to the whole contract's text (an NDA's missing
///    confidentiality clause is best replaced by an NDA-like one, not by the type's most
///    common wording, which in the corpus is a credit agreement's).
///
/// Not thread-safe: the models own their workspaces, so a server runs one review at a
/// time per reviewer (or one reviewer per worker).
public final class ContractReviewer {
    public let tagger: ClauseTagger
    public let store: GraphStore
    let suggestions: ClauseSuggestions

    public init(typesModel: ClauseModel, unfairModel: ClauseModel?, store: GraphStore) throws {
        // Clause-corpus type name -> graph key, read once.
        var typeKeys: [String: String] = [:]
        for type in try store.nodes(ofType: "ClauseType") where type.key.hasPrefix("clausetype:clause-corpus:") {
            if let name = type.properties["name"]?.stringValue { typeKeys[name] = type.key }
        }
        guard !typeKeys.isEmpty else {
            throw ContractReviewError("the graph has no clause-corpus clause types: review needs the contracts graph (`lexgraph build contracts --db \(store.path ?? "PATH")`)",
                                      file: store.path)
        }
        tagger = try ClauseTagger(typesModel: typesModel, unfairModel: unfairModel, typeKeys: typeKeys)
        self.store = store
        self.suggestions = ClauseSuggestions(store: store)
    }

    public func review(_ document: ContractDocument, options: ReviewOptions = ReviewOptions()) throws -> ReviewReport {
        let started = Date()
        var timing = ReviewReport.Timing()
        var mark = Date()
        func lap() -> Double { let now = Date(); defer { mark = now }; return now.timeIntervalSince(mark) }

        let contract = ClauseSegmenter.segment(document)
        let withText = contract.segments.indices.filter { contract.segments[$0].hasText }
        guard !withText.isEmpty else {
            throw ContractReviewError("no clause text found: the document has only headings", file: document.name)
        }
        timing.segmentation = lap()

        // Types, one pass per clause; unfair terms, sentence by sentence.
        var clauses = contract.segments.map { ReviewReport.Clause(segment: $0, types: [], windows: 0, flags: [], suggestions: []) }
        let typed = try tagger.types(withText.map { contract.segments[$0].modelText(withHeading: tagger.typesModel.withHeadings) }, top: options.topTypes)
        for (i, t) in zip(withText, typed) { (clauses[i].types, clauses[i].windows) = t }
        timing.typesModel = lap()
        let flags = try tagger.flags(withText.map { contract.segments[$0].text }, evidence: options.evidence)
        for (i, f) in zip(withText, flags) { clauses[i].flags = f }
        timing.unfairModel = lap()

        // The graph: contract type, expectations, suggestions.
        var contractType: ReviewReport.ContractTypeSummary?
        var note: String?
        var expectations: [ReviewReport.Expectation] = []
        let known = try ContractExpectations.knownTypes(in: store)
        var chosen: ContractTypeInfo?
        if known.isEmpty {
            // A graph built before contract types existed: review without expectations,
            // unless they were asked for.
            if options.contractType != nil { _ = try ContractExpectations.contractTypes(in: store) }
            note = "the graph has no contract types, so no expected clauses are checked: rebuild it with `lexgraph build contracts`"
        } else if let slug = options.contractType {
            guard let type = known.first(where: { $0.slug == slug }) else {
                throw ContractReviewError("unknown contract type \"\(slug)\"; the graph knows: \(known.map(\.slug).joined(separator: ", "))")
            }
            chosen = type
            contractType = ReviewReport.ContractTypeSummary(slug: type.slug, name: type.name, chosenBy: "--contract-type")
        } else if let match = ContractTypeDetection.detect(contract, among: known) {
            chosen = match.type
            contractType = ReviewReport.ContractTypeSummary(slug: match.type.slug, name: match.type.name, chosenBy: "\"\(match.word)\" in the \(match.place)")
        } else {
            note = "contract type not recognised from the title or opening text; pass --contract-type (known: \(known.map(\.slug).joined(separator: ", ")))"
        }
        if let chosen {
            let topTypes = clauses.map { $0.types.first?.key }
            let wholeText = contract.segments.map(\.text).joined(separator: "\n")
            for expected in try ContractExpectations.load(chosen, from: store).expected {
                let found = clauses.indices.filter { topTypes[$0].map(expected.acceptedTypeKeys.contains) ?? false }.map { clauses[$0].segment.path }
                let offered = found.isEmpty ? try suggestions.nearest(typeKey: expected.typeKey, to: wholeText, limit: options.suggestions) : []
                expectations.append(ReviewReport.Expectation(expected: expected, foundIn: found, suggestions: offered))
            }
        }
        for i in clauses.indices where !clauses[i].flags.isEmpty {
            guard let key = clauses[i].types.first?.key else { continue }
            clauses[i].suggestions = try suggestions.nearest(typeKey: key, to: clauses[i].segment.text, limit: options.suggestions)
        }
        timing.graph = lap()
        timing.total = Date().timeIntervalSince(started)

        let characters = document.text.unicodeScalars.count
        return ReviewReport(
            document: ReviewReport.DocumentSummary(name: document.name, format: document.format, title: contract.title, characters: characters,
                                                   lines: SourceLines.split(document.text).count),
            contractType: contractType, contractTypeNote: note, typesModel: tagger.typesModel.description, unfairModel: tagger.unfairModel?.description,
            clauses: clauses, expectations: expectations, timing: timing)
    }
}
