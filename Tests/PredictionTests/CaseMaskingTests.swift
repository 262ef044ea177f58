import Compliance
import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Prediction
import XCTest

/// `lexgraph train --mask` below the command line: persons and identifiers planted in a
/// case's facts and parties, and persons as the names of the earlier cases its graph
/// context verbalizes, never reach the fused model's token inputs (what its training
/// batches and predictions are made of); the policy survives the run config; a caller's
/// masking must agree with the run's.
final class CaseMaskingTests: XCTestCase {
    static let persons = ["Harold Quackenbush", "Bartholomew Throckmorton", "Margaret Wetherspoon"]
    static let identifiers = ["219-09-9999", "p.quackenbush@mailbox.example", "(217) 555-0143", "742 Evergreen Terrace"]

    /// Lower-case forms a canary could survive in after WordPiece (which lowercases and
    /// splits punctuation): each name word, the e-mail's user part, the numbers' digits.
    static let forms = persons.flatMap { $0.lowercased().split(separator: " ").map(String.init) }
        + ["evergreen", "mailbox", "219099999", "2175550143"]

    /// `FusionTestGraph` with every earlier case named after a planted person.
    static func plantedGraph() throws -> GroundingGraph {
        let store = try GraphStore(inMemoryWith: .permissive)
        let records = FusionTestGraph.records()
        var nodes = records.nodes
        for i in nodes.indices where nodes[i].type == "SupremeCourtCase" {
            nodes[i].properties["name"] = .string("\(persons[i % persons.count]) v. Oregon")
        }
        try store.write { writer in
            for n in nodes { _ = try writer.upsert(n) }
            for e in records.edges { _ = try writer.upsert(e) }
        }
        return try GroundingGraph(store: store)
    }

    static func plantedInput(term: Int, person: String) -> CaseInput {
        var input = FusionTestGraph.input(term: term, facts: "Petitioner \(person), of 742 Evergreen Terrace, gave the officers the SSN 219-09-9999, "
                                          + "the e-mail p.quackenbush@mailbox.example and the phone (217) 555-0143; the search and seizure ruling is appealed.")
        input.name = "\(person) v. Oregon"
        input.firstParty = person
        input.secondParty = "Oregon"
        return input
    }

    /// The input's tokens as text: WordPiece continuation pieces joined to their word, and
    /// digits also with the separators between them dropped.
    static func decoded(_ model: FusedOutcomeModel, _ prepared: PreparedCase) -> String {
        let text = model.tokenizer.tokens(for: prepared.encoded.ids).joined(separator: " ").replacingOccurrences(of: " ##", with: "")
        return text + "\n" + text.filter { !" -().".contains($0) }
    }

    func model(_ mode: FusionMode, masking: CaseMasking?) throws -> FusedOutcomeModel {
        var o = FusedModelOptions()
        o.fusion = mode
        o.graphHead = false
        o.maxLength = 512
        o.contextTokens = 420
        o.epochs = 1
        o.batchSize = 4
        o.blasThreads = 1
        return try FusedOutcomeModel(encoder: try FusionTestGraph.tinyEncoder(), tokenizer: try FusionTestGraph.tokenizer(),
                                     grounder: CaseGrounder(graph: try Self.plantedGraph(), masking: masking), options: o)
    }

    func testCanaryNeverReachesTheTokenizedInputs() throws {
        let masking = CaseMasking(policy: MaskingPolicy())
        let raw = (2001...2006).map { PredictionQuery(input: Self.plantedInput(term: $0, person: Self.persons[$0 % Self.persons.count])) }
        for mode in [FusionMode.segment, .kbert] {
            // Unmasked, the canaries are in the inputs: the facts' and the context's.
            let plain = try model(mode, masking: nil)
            let plainText = try raw.map { Self.decoded(plain, try plain.prepare($0)) }.joined(separator: "\n")
            for form in Self.forms { XCTAssertTrue(plainText.contains(form), "\(mode): the unmasked inputs lack '\(form)'") }
            XCTAssertTrue(try plain.prepare(raw[0]).context.contains { $0.text.contains(" v. Oregon") }, "\(mode): the context names earlier cases")

            // Masked as `RunTraining` and `Predictor` do: the case by `CaseMasking`, the
            // context by the grounder. `fit` and `predictProbabilities` batch these inputs.
            let masked = try model(mode, masking: masking)
            let queries = try raw.map { PredictionQuery(input: try masking.mask($0.input)) }
            for query in queries {
                let prepared = try masked.prepare(query)
                let text = Self.decoded(masked, prepared)
                for form in Self.forms { XCTAssertFalse(text.contains(form), "\(mode): '\(form)' reaches the input:\n\(text)") }
                XCTAssertTrue(prepared.context.contains { $0.text.contains("] v. Oregon") }, "\(mode): \(prepared.context.map(\.text))")
                XCTAssertTrue(text.contains("[ person _ 1 ]"), text)
            }
            // Training on them works, and so does predicting through the masked grounder.
            try masked.fit(train: Array(zip(queries, [true, false, true, false, true, false]).map { TrainingExample(query: $0, label: $1) }), dev: [])
            XCTAssertEqual(try masked.predictProbabilities(queries).count, queries.count)
            let reasons = try masked.explain(queries[0], top: 50).map(\.text).joined(separator: "\n")
            for form in Self.forms { XCTAssertFalse(reasons.lowercased().contains(form), "\(mode): '\(form)' in the reasons:\n\(reasons)") }
        }
    }

    /// A case masked beforehand (`lexgraph mask --field facts --party-field first_party
    /// --party-field second_party`) masks to the same text as the raw case.
    func testRawAndPreMaskedCasesMaskAlike() throws {
        let masking = CaseMasking(policy: MaskingPolicy())
        for person in Self.persons {
            let raw = Self.plantedInput(term: 2004, person: person)
            var masker = try Masker(policy: MaskingPolicy())
            let line = Value.map(["facts": .string(raw.facts), "first_party": .string(person), "second_party": .string("Oregon")]).jsonText
            let out = try CorpusMasking.mask(line + "\n", file: "case.jsonl", format: .jsonLines(field: "facts", partyFields: ["first_party", "second_party"]),
                                             masker: &masker).output
            guard case .map(let object) = try Value.parseJSON(out) else { return XCTFail(out) }
            var pre = raw
            pre.facts = object["facts"]?.stringValue ?? ""
            pre.firstParty = object["first_party"]?.stringValue
            XCTAssertNotEqual(pre.facts, raw.facts)
            let a = try masking.mask(raw), b = try masking.mask(pre)
            XCTAssertEqual(a.facts, b.facts)
            XCTAssertEqual(a.facts, pre.facts)
            XCTAssertEqual(a.firstParty, "[PERSON_1]")
            XCTAssertTrue(a.name?.hasPrefix("[PERSON_1] v. ") ?? false, "\(a.name ?? "nil")")
        }
    }

    func testPolicyRecordSurvivesTheRunConfig() throws {
        let policies = [MaskingPolicy(), MaskingPolicy(mode: .substitute, enabled: [.person, .email, .organization], seed: "corpus-7")]
        for policy in policies {
            var config = RunConfig(modelKind: "graph-logistic", plan: .splitFull, dataPath: "/d", databasePath: "/g")
            config.options[CaseMasking.configKey] = CaseMasking(policy: policy).configValue
            let back = try JSONDecoder().decode(RunConfig.self, from: try JSONEncoder().encode(config))
            XCTAssertEqual(try CaseMasking(config: back)?.policy, policy)
        }
        XCTAssertNil(try CaseMasking(config: RunConfig(modelKind: "graph-logistic", plan: .splitFull, dataPath: "/d", databasePath: "/g")))
        var bad = RunConfig(modelKind: "graph-logistic", plan: .splitFull, dataPath: "/d", databasePath: "/g")
        bad.options[CaseMasking.configKey] = .map(["mode": .string("placeholder"), "seed": .string("s"), "entities": .list([.string("person"), .string("shoe_size")])])
        XCTAssertThrowsError(try CaseMasking(config: bad)) { error in
            XCTAssertTrue("\(error)".contains("unknown entity type \"shoe_size\""), "\(error)")
        }
        bad.options[CaseMasking.configKey] = .string("on")
        XCTAssertThrowsError(try CaseMasking(config: bad)) { error in
            XCTAssertTrue("\(error)".contains("run config option 'masking' should be an object"), "\(error)")
        }
    }

    /// `lexgraph predict --mask/--mask-policy` only confirms the run's masking: another
    /// policy, or masking asked of an unmasked run, is refused; no option follows the run.
    func testCallerMaskingMustAgreeWithTheRun() throws {
        let run = CaseMasking(policy: MaskingPolicy())
        XCTAssertNoThrow(try Predictor.checkMasking(requested: nil, run: run, runPath: "runs/m"))
        XCTAssertNoThrow(try Predictor.checkMasking(requested: nil, run: nil, runPath: "runs/u"))
        XCTAssertNoThrow(try Predictor.checkMasking(requested: MaskingPolicy(), run: run, runPath: "runs/m"))
        XCTAssertThrowsError(try Predictor.checkMasking(requested: MaskingPolicy(mode: .substitute), run: run, runPath: "runs/m")) { error in
            XCTAssertTrue("\(error)".contains("the run runs/m masks with placeholder of"), "\(error)")
            XCTAssertTrue("\(error)".contains("asks for substitute of"), "\(error)")
        }
        XCTAssertThrowsError(try Predictor.checkMasking(requested: MaskingPolicy(), run: nil, runPath: "runs/u")) { error in
            XCTAssertTrue("\(error)".contains("the run runs/u was trained on unmasked text"), "\(error)")
        }
    }

    /// A run's grounder must mask as its config says, or the context would differ between
    /// training and prediction.
    func testTrainingRefusesAGrounderThatMasksOtherwise() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-casemask-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = RunConfig(modelKind: "graph-logistic", plan: .splitFull, dataPath: "/d", databasePath: "/g")
        config.options[CaseMasking.configKey] = CaseMasking(policy: MaskingPolicy()).configValue
        let writer = try RunFolderWriter(path: folder.appendingPathComponent("run").path, overwrite: false)
        XCTAssertThrowsError(try RunTraining(config: config).run(dataset: CaseDataset(cases: [], pastOutcomes: []),
                                                                 grounder: CaseGrounder(graph: try FusionTestGraph.graph()), writer: writer)) { error in
            XCTAssertTrue("\(error)".contains("the grounder masks with no masking but the run's config with placeholder of"), "\(error)")
        }
    }
}
