import Foundation
import GraphStore
import LexgraphCore
import TestRequirements
import XCTest
import ContractReview

/// The reviewer end to end on the real contracts with the tiny models and a graph built
/// by the real contracts recipe: the structure of the report, the expectations from the
/// graph (with and without clause families), detection of the contract type, evidence
/// and suggestions; not the quality of the labels.
final class ContractReviewerTests: XCTestCase {
    var fixture: ReviewFixture!

    override func setUpWithError() throws { fixture = try ReviewFixture() }
    override func tearDown() { fixture?.remove() }

    func reviewer() throws -> ContractReviewer {
        try ContractReviewer(typesModel: try ClauseModel(run: fixture.typesRun), unfairModel: try ClauseModel(run: fixture.unfairRun), store: fixture.store)
    }

    func testExpectationsComeFromTheGraph() throws {
        let types = try ContractExpectations.contractTypes(in: fixture.store)
        XCTAssertEqual(types.map(\.slug), ["data-processing-agreement", "mutual-nda"])
        XCTAssertEqual(types.first { $0.slug == "mutual-nda" }?.name, "Mutual non-disclosure agreement")
        let nda = try ContractExpectations.load("mutual-nda", from: fixture.store)
        XCTAssertEqual(nda.expected.map(\.typeKey), ["confidentiality", "exceptions", "governing-law", "injunctive-relief", "proprietary-rights", "term"]
                        .map { "clausetype:clause-corpus:\($0)" })
        let term = try XCTUnwrap(nda.expected.first { $0.typeKey == "clausetype:clause-corpus:term" })
        XCTAssertEqual(term.typeName, "term")
        XCTAssertTrue(term.basis?.hasPrefix("How long the agreement runs") == true, term.basis ?? "")
        XCTAssertEqual(term.acceptedTypeKeys, ["clausetype:clause-corpus:term"], "no families in this graph: the type alone")
        XCTAssertEqual(try ContractExpectations.load("data-processing-agreement", from: fixture.store).expected.count, 10)
        XCTAssertThrowsError(try ContractExpectations.load("lease", from: fixture.store)) { error in
            XCTAssertEqual("\(error)", "unknown contract type \"lease\"; the graph knows: data-processing-agreement, mutual-nda")
        }
    }

    func testEveryExpectedTypeIsAClauseCorpusType() throws {
        // The recipe would fail on an unknown type; this says which row names it.
        let data = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ReviewFixture.root.deletingLastPathComponent().appendingPathComponent("shared/data").path
        let corpus = data + "/clauses/clause_types_395.csv"
        try TestRequirements.requireFile(corpus, "the clause corpus (set LEXGRAPH_DATA to the shared data folder)")
        var types = Set<String>()
        try RecordReader.read(path: corpus, displayName: corpus, format: .csv) { types.insert($0.text("clause_type") ?? "") }
        XCTAssertEqual(types.count, 394)
        let expectations = ReviewFixture.root.appendingPathComponent("graphs/contracts/contract_types.csv").path
        try RecordReader.read(path: expectations, displayName: "contract_types.csv", format: .csv) { record in
            XCTAssertTrue(types.contains(record.text("clause_type") ?? ""), "contract_types.csv:\(record.line): \(record.text("clause_type") ?? "") is not a corpus type")
            XCTAssertFalse((record.text("basis") ?? "").isEmpty, "contract_types.csv:\(record.line): no basis")
        }
    }

    func testContractTypeIsDetectedFromTitleOrOpeningText() throws {
        let types = try ContractExpectations.contractTypes(in: fixture.store)
        let nda = ClauseSegmenter.segment(try RealContractSegmentationTests.contract("commonpaper-Mutual-NDA.md"))
        let ndaMatch = ContractTypeDetection.detect(nda, among: types)
        XCTAssertEqual([ndaMatch?.type.slug, ndaMatch?.word, ndaMatch?.place], ["mutual-nda", "non-disclosure agreement", "opening text"])
        let dpa = ClauseSegmenter.segment(try RealContractSegmentationTests.contract("commonpaper-DPA.txt"))
        let dpaMatch = ContractTypeDetection.detect(dpa, among: types)
        XCTAssertEqual([dpaMatch?.type.slug, dpaMatch?.word, dpaMatch?.place], ["data-processing-agreement", "data processing agreement", "title"])
        XCTAssertNil(ContractTypeDetection.detect(ClauseSegmenter.segment(text: "1. Rent. The tenant pays rent monthly."), among: types))
        // Whole words only: "agenda" does not hold "nda".
        XCTAssertNil(ContractTypeDetection.detect(ClauseSegmenter.segment(text: "# Meeting agenda\n\nItems."), among: types))
    }

    func testReviewOfTheMutualNDA() throws {
        let document = try RealContractSegmentationTests.contract("commonpaper-Mutual-NDA.md")
        let report = try reviewer().review(document)
        XCTAssertEqual(report.document.title, "Standard Terms")
        XCTAssertEqual(report.document.lines, 25)
        XCTAssertEqual(report.contractType?.slug, "mutual-nda")
        XCTAssertEqual(report.contractType?.chosenBy, "\"non-disclosure agreement\" in the opening text")
        XCTAssertEqual(report.clauses.map(\.segment.path), RealContractSegmentationTests.mutualNDA.map(\.path))
        XCTAssertTrue(report.typesModel.withHeadings, "the types run's task.json says keep_headings")
        XCTAssertEqual(report.unfairModel?.thresholdsFile, fixture.unfairRun + "/test_metrics.json")

        for c in report.clauses {
            // Top 3 of the model's 3 labels, most probable first, summing to 1.
            XCTAssertEqual(Set(c.types.map(\.label)), Set(ReviewFixture.typeLabels), c.segment.path)
            XCTAssertEqual(c.types.map(\.probability), c.types.map(\.probability).sorted(by: >))
            XCTAssertEqual(c.types.map(\.probability).reduce(0, +), 1, accuracy: 1e-3)
            for t in c.types { XCTAssertEqual(t.key, "clausetype:clause-corpus:\(t.label)") }
            // Over the 32-token limit a clause is scored in windows, never cut.
            let tokens = c.segment.modelText(withHeading: true).split(whereSeparator: { $0 == " " }).count
            if tokens > 40 { XCTAssertGreaterThan(c.windows, 1, c.segment.path) }
            XCTAssertGreaterThanOrEqual(c.windows, 1)
            // Threshold 0 flags every clause, threshold 1 none.
            XCTAssertEqual(c.flags.map(\.label).filter { $0 != "Limitation of liability" }, ["Choice of law"], c.segment.path)
            for f in c.flags {
                XCTAssertGreaterThanOrEqual(f.probability, f.threshold)
                XCTAssertEqual(f.threshold, ReviewFixture.thresholds[f.label])
                XCTAssertFalse(f.evidence.isEmpty)
                XCTAssertEqual(f.evidence.first?.probability, f.probability, "the best sentence is the flag's score")
                XCTAssertEqual(f.evidence.map(\.probability), f.evidence.map(\.probability).sorted(by: >))
                for e in f.evidence {
                    let quoted = String(String.UnicodeScalarView(Array(c.segment.text.unicodeScalars)[e.characters]))
                    XCTAssertEqual(quoted, e.sentence)
                }
            }
            // Flagged clauses get standard clauses of their top type from the graph.
            XCTAssertEqual(c.suggestions.count, 3)
            let typeRows = ReviewFixture.corpus.first { $0.type == c.types[0].label }!
            let keys = (0..<3).map { ReviewFixture.clauseKey(type: typeRows.type, index: $0) }
            XCTAssertEqual(Set(c.suggestions.map(\.key)), Set(keys))
            XCTAssertEqual(c.suggestions.map(\.source), ["clause-corpus", "clause-corpus", "clause-corpus"])
        }

        // Expected clauses: present exactly when a clause's top type is the type.
        XCTAssertEqual(report.expectations.count, 6)
        for e in report.expectations {
            let labelled = report.clauses.filter { $0.types.first?.key == e.expected.typeKey }.map(\.segment.path)
            XCTAssertEqual(e.foundIn, labelled, e.expected.typeName)
            XCTAssertEqual(e.suggestions.isEmpty, e.isPresent)
        }
        // The model cannot answer these types, so they are missing, with the type's clauses as suggestions.
        let missing = report.missing.map(\.expected.typeName)
        for name in ["exceptions", "proprietary_rights", "injunctive-relief"] { XCTAssertTrue(missing.contains(name), name) }
        let relief = try XCTUnwrap(report.missing.first { $0.expected.typeName == "injunctive-relief" })
        XCTAssertEqual(Set(relief.suggestions.map(\.key)), Set((0..<3).map { ReviewFixture.clauseKey(type: "injunctive-relief", index: $0) }))
        // Ranked against the contract's own words: NDA section 10 speaks of a breach that
        // "may cause irreparable harm" and of seeking "an injunction", as the first does.
        XCTAssertEqual(relief.suggestions.first?.key, ReviewFixture.clauseKey(type: "injunctive-relief", index: 0))
    }

    func testClauseFamiliesCountAsPresent() throws {
        // A family holding the three model labels and `exceptions` (declared here as the
        // clause-family recipe declares it, if the ontology does not have it yet).
        try declareFamilies()
        try fixture.store.write { w in
            _ = try w.upsert(NodeInput(key: "clausefamily:test", type: "ClauseFamily", properties: ["name": .string("test")]))
            for t in ReviewFixture.typeLabels + ["exceptions"] {
                _ = try w.upsert(EdgeInput(type: "IN_FAMILY", from: "clausetype:clause-corpus:\(t)", to: "clausefamily:test"))
            }
        }
        let expectations = try ContractExpectations.load("mutual-nda", from: fixture.store)
        let exceptions = try XCTUnwrap(expectations.expected.first { $0.typeName == "exceptions" })
        XCTAssertEqual(exceptions.family, "clausefamily:test")
        XCTAssertEqual(exceptions.acceptedTypeKeys, Set((ReviewFixture.typeLabels + ["exceptions"]).map { "clausetype:clause-corpus:\($0)" }))

        let report = try reviewer().review(try RealContractSegmentationTests.contract("commonpaper-Mutual-NDA.txt"))
        let found = try XCTUnwrap(report.expectations.first { $0.expected.typeName == "exceptions" })
        XCTAssertEqual(found.foundIn, report.clauses.map(\.segment.path), "every clause's top type is in the family")
        XCTAssertEqual(Set(report.missing.map(\.expected.typeName)), ["proprietary_rights", "injunctive-relief"])
    }

    func testContractTypeOverrideAndUnknownType() throws {
        let document = try ContractDocument(text: "1. Rent. The tenant pays rent monthly.\n", name: "lease.txt", format: .plainText)
        let unknown = try reviewer().review(document)
        XCTAssertNil(unknown.contractType)
        XCTAssertEqual(unknown.contractTypeNote, "contract type not recognised from the title or opening text; pass --contract-type (known: data-processing-agreement, mutual-nda)")
        XCTAssertTrue(unknown.expectations.isEmpty)
        let forced = try reviewer().review(document, options: ReviewOptions(contractType: "data-processing-agreement"))
        XCTAssertEqual(forced.contractType?.chosenBy, "--contract-type")
        XCTAssertEqual(forced.expectations.count, 10)
        XCTAssertThrowsError(try reviewer().review(document, options: ReviewOptions(contractType: "lease"))) { error in
            XCTAssertEqual("\(error)", "unknown contract type \"lease\"; the graph knows: data-processing-agreement, mutual-nda")
        }
        let headings = try ContractDocument(text: "# Terms\n\n## Scope\n\n## Fees\n", name: "empty.md", format: .markdown)
        XCTAssertThrowsError(try reviewer().review(headings)) { error in
            XCTAssertEqual("\(error)", "empty.md: no clause text found: the document has only headings")
        }
    }

    func testAGraphWithoutContractTypesOrClauseTypes() throws {
        let older = try ReviewFixture(contractTypes: false)
        defer { older.remove() }
        let reviewer = try ContractReviewer(typesModel: try ClauseModel(run: older.typesRun), unfairModel: nil, store: older.store)
        let document = try RealContractSegmentationTests.contract("commonpaper-Mutual-NDA.txt")
        let report = try reviewer.review(document)
        XCTAssertNil(report.contractType)
        XCTAssertEqual(report.contractTypeNote, "the graph has no contract types, so no expected clauses are checked: rebuild it with `lexgraph build contracts`")
        XCTAssertTrue(report.expectations.isEmpty)
        XCTAssertEqual(report.clauses.count, 12)
        XCTAssertThrowsError(try reviewer.review(document, options: ReviewOptions(contractType: "mutual-nda"))) { error in
            XCTAssertTrue("\(error)".hasSuffix("the graph has no contract types (ContractType nodes): build it with `lexgraph build contracts`, whose recipe adds them from graphs/contracts/contract_types.csv"), "\(error)")
        }

        let empty = try BuildCatalog.openForBuild(path: fixture.folder + "/empty.sqlite", root: ReviewFixture.root)
        XCTAssertThrowsError(try ContractReviewer(typesModel: try ClauseModel(run: fixture.typesRun), unfairModel: nil, store: empty)) { error in
            XCTAssertEqual("\(error)", "\(fixture.folder)/empty.sqlite: the graph has no clause-corpus clause types: review needs the contracts graph (`lexgraph build contracts --db \(fixture.folder)/empty.sqlite`)")
        }
    }

    func testModelsMustBeTheRightKind() throws {
        XCTAssertThrowsError(try ContractReviewer(typesModel: try ClauseModel(run: fixture.unfairRun), unfairModel: nil, store: fixture.store)) { error in
            XCTAssertEqual("\(error)", "\(fixture.unfairRun): the clause-type model must be a single-label (classify) run; this one is multi-label")
        }
        XCTAssertThrowsError(try ClauseModel(run: fixture.folder + "/data")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(fixture.folder)/data: not a model run folder: no checkpoint/model.safetensors"), "\(error)")
        }
    }

    func testRenderings() throws {
        let report = try reviewer().review(try RealContractSegmentationTests.contract("commonpaper-DPA.md"))
        XCTAssertEqual(report.clauses.count, 75)
        XCTAssertEqual(report.contractType?.slug, "data-processing-agreement")
        // Headings without text of their own are listed but not labelled.
        let section1 = try XCTUnwrap(report.clauses.first { $0.segment.path == "1" })
        XCTAssertTrue(section1.types.isEmpty && section1.flags.isEmpty)

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.json.jsonText.utf8)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["document", "contract_type", "contract_type_note", "models", "clauses", "expected", "summary", "timing_seconds"])
        let clauses = try XCTUnwrap(json["clauses"] as? [[String: Any]])
        XCTAssertEqual(clauses.count, 75)
        XCTAssertEqual(clauses[1]["path"] as? String, "1.1")
        XCTAssertEqual(clauses[1]["heading"] as? String, "Provider as Processor")
        XCTAssertEqual(clauses[1]["lines"] as? [Int], [5, 5])
        XCTAssertEqual((clauses[1]["types"] as? [[String: Any]])?.count, 3)
        let summary = try XCTUnwrap(json["summary"] as? [String: Int])
        XCTAssertEqual(summary["clauses"], 75)
        XCTAssertEqual(summary["labelled"], 75 - 13, "sections 1 to 11, 2.6 and 7.2 are only titles")
        XCTAssertEqual(summary["expected"], 10)

        let table = report.table
        XCTAssertTrue(table.hasPrefix("contract: "), table)
        XCTAssertTrue(table.contains("contract type: data-processing-agreement (Data processing agreement), chosen by \"data processing agreement\" in the title"), table)
        XCTAssertTrue(table.contains("\nclause "), table)
        XCTAssertTrue(table.contains("\n      3.2(c)(vii)  "), "sub-clauses are indented by depth")
        XCTAssertTrue(table.contains("expected clauses of a data processing agreement: "), table)

        let markdown = report.markdown
        XCTAssertTrue(markdown.hasPrefix("# Contract review: "), markdown)
        XCTAssertTrue(markdown.contains("| clause | lines | heading | type | probability | unfair terms |"), markdown)
        XCTAssertTrue(markdown.contains("| 5.1 | 73 | Audit Rights | "), markdown)
        XCTAssertTrue(markdown.contains("## Expected clauses"), markdown)
    }

    func testSuggestionsRankTheNearestStandardClauseFirst() throws {
        let suggestions = ClauseSuggestions(store: fixture.store)
        let near = try suggestions.nearest(typeKey: "clausetype:clause-corpus:governing-law", to: "This contract is subject to the laws of England and Wales.", limit: 2)
        XCTAssertEqual(near.map(\.key), [ReviewFixture.clauseKey(type: "governing-law", index: 1), ReviewFixture.clauseKey(type: "governing-law", index: 0)])
        XCTAssertEqual(near[0].text, ReviewFixture.corpus.first { $0.type == "governing-law" }!.texts[1])
        XCTAssertGreaterThan(near[0].score, near[1].score)
        XCTAssertEqual(try suggestions.typical(typeKey: "clausetype:clause-corpus:governing-law", limit: 5).count, 3)
        XCTAssertEqual(try suggestions.nearest(typeKey: "clausetype:clause-corpus:no-such-type", to: "x", limit: 3), [])
    }

    /// Adds ClauseFamily and IN_FAMILY to the store's ontology when it lacks them (as the
    /// clause-family update does), with an update file numbered after the active version.
    func declareFamilies() throws {
        let ontology = ReviewFixture.root.appendingPathComponent("ontology")
        let files = [ontology.appendingPathComponent("legal-core.yaml").path]
            + (try FileManager.default.contentsOfDirectory(atPath: ontology.path + "/updates")).map { ontology.path + "/updates/" + $0 }
        guard !(try files.contains { try String(contentsOfFile: $0, encoding: .utf8).contains("IN_FAMILY") }) else { return }
        let version = try XCTUnwrap(try fixture.store.ontologyHistory().last).version
        let updates = fixture.folder + "/updates"
        try FileManager.default.createDirectory(atPath: updates, withIntermediateDirectories: true)
        let number = String(format: "%04d", version + 1)
        try """
            update: \(version + 1)
            date: 2026-12-06
            base_version: \(version)
            description: Clause families (test).
            changes:
              - op: add_node_type
                name: ClauseFamily
                definition:
                  properties:
                    name: {type: string, required: true}
              - op: add_edge_type
                name: IN_FAMILY
                definition: {from: ClauseType, to: ClauseFamily}
            """.write(toFile: updates + "/\(number)-2026-12-06-families.yaml", atomically: true, encoding: .utf8)
        _ = try fixture.store.applyPending(updatesFolder: updates)
    }
}
