import Foundation
import Grounding
import LexgraphCore
import Prediction
import Transformer
import XCTest

/// The fused model end to end on a tiny random encoder and a small in-memory graph:
/// leakage (a later-dated graph changes nothing), training drives the loss down,
/// save/load gives identical probabilities, explanations name graph paths.
final class FusedOutcomeModelTests: XCTestCase {
    func options(_ mode: FusionMode, head: Bool = true, epochs: Int = 1) -> FusedModelOptions {
        var o = FusedModelOptions()
        o.fusion = mode
        o.graphHead = head
        o.maxLength = 64
        o.contextTokens = 40
        o.epochs = epochs
        o.batchSize = 4
        o.blasThreads = 1
        o.seedMinimumCount = 1
        return o
    }

    func model(_ o: FusedModelOptions, graph: GroundingGraph) throws -> FusedOutcomeModel {
        try FusedOutcomeModel(encoder: try FusionTestGraph.tinyEncoder(), tokenizer: try FusionTestGraph.tokenizer(),
                              grounder: CaseGrounder(graph: graph), options: o)
    }

    /// A case argued in 2005 sees the same inputs, head features and probability whether
    /// the graph also holds everything dated on or after its reference date or not.
    func testLaterGraphDataChangesNoInputOfTheCase() throws {
        let query = PredictionQuery(input: FusionTestGraph.input(term: 2005, facts: "The United States sought review of a search and seizure ruling in Case 2001 v. State."))
        let full = try FusionTestGraph.graph(), past = try FusionTestGraph.graph(before: query.asOf)
        XCTAssertGreaterThan(full.snapshot.nodeCount, past.snapshot.nodeCount, "the full graph must hold later nodes")
        let train = FusionTestGraph.examples(terms: 1996...2000)
        for mode in FusionMode.allCases {
            let a = try model(options(mode), graph: full), b = try model(options(mode), graph: past)
            try a.fit(train: train, dev: [])
            try b.fit(train: train, dev: [])
            let pa = try a.prepare(query), pb = try b.prepare(query)
            XCTAssertEqual(pa.encoded, pb.encoded, "\(mode): token inputs")
            XCTAssertEqual(pa.features, pb.features, "\(mode): head features")
            XCTAssertEqual(pa.seeds, pb.seeds, "\(mode): seed rows")
            XCTAssertEqual(pa.context.map(\.text), pb.context.map(\.text), "\(mode): context facts")
            XCTAssertEqual(try a.predictProbabilities([query]), try b.predictProbabilities([query]), "\(mode): probability")
            if mode != .none { XCTAssertGreaterThan(pa.context.count, 2, "\(mode): the case has graph context") }
            if mode == .kbert { XCTAssertFalse(pa.encoded.branches.isEmpty) }
            XCTAssertTrue(pa.seeds.contains { $0 != 0 }, "seeds from training get their own rows")
        }
    }

    func fitted(_ o: FusedModelOptions) throws -> (FusedOutcomeModel, [TrainingExample]) {
        let graph = try FusionTestGraph.graph()
        let m = try model(o, graph: graph)
        let train = FusionTestGraph.examples(terms: 1995...2002)  // 16 cases
        let dev = FusionTestGraph.examples(terms: 2003...2004)
        try m.fit(train: train, dev: dev)
        return (m, dev)
    }

    func testSmokeFitDrivesTrainingLossDown() throws {
        var o = options(.kbert, epochs: 16)
        o.encoderLearningRate = 2e-3
        o.headLearningRate = 1e-2
        o.warmupFraction = 0
        o.patience = 16
        let (m, _) = try fitted(o)
        let losses = m.history.map(\.trainLoss)
        print("[smoke fit] train losses \(losses), dev AUC \(m.history.map { $0.devAUC ?? -1 })")
        XCTAssertEqual(m.history.count, 16)
        XCTAssertLessThan(try XCTUnwrap(losses.last), 0.5 * losses[0], "training loss falls")
        XCTAssertEqual(m.history.filter(\.best).count, 1)
        XCTAssertNotNil(m.history[0].devAUC)
    }

    func testSaveLoadGivesIdenticalProbabilitiesAndExplains() throws {
        var o = options(.segment, epochs: 2)
        o.headFusion = .gating
        o.trainableTopLayers = 1  // exercises the frozen-layer cache (2-layer encoder)
        let (m, dev) = try fitted(o)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fused-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try m.save(to: dir)
        for file in ["encoder/config.json", "encoder/model.safetensors", "encoder/vocab.txt", "graph_head.safetensors", "fused_model.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
        }
        let loaded = try FusedOutcomeModel.load(from: dir, grounder: m.grounder)
        XCTAssertEqual(loaded.options, m.options)
        XCTAssertEqual(loaded.history, m.history)
        let queries = dev.map(\.query)
        XCTAssertEqual(try loaded.predictProbabilities(queries), try m.predictProbabilities(queries))

        let reasons = try loaded.explain(queries[0], top: 5)
        XCTAssertEqual(reasons.count, 5)
        XCTAssertEqual(reasons.map { abs($0.effect) }, reasons.map { abs($0.effect) }.sorted(by: >))
        let facts = try loaded.explain(queries[0], top: 100).filter { $0.source == .contextFact }
        XCTAssertFalse(facts.isEmpty)
        XCTAssertTrue(facts.allSatisfy { $0.path != nil })
        // History features point at the fact (and path) that carries their evidence.
        let grounding = try m.grounder.grounding(for: queries[0])
        let history = try loaded.explain(queries[0], top: 100).filter { $0.source == .graphFeature && $0.text.hasPrefix("win_rate.") }
        XCTAssertFalse(history.isEmpty)
        XCTAssertTrue(history.contains { $0.path != nil })
        for reason in history {
            let feature = String(reason.text.prefix { $0 != " " })
            XCTAssertEqual(reason.path, GraphFeatureEvidence.fact(forFeature: feature, in: grounding.facts)?.pathDescription, reason.text)
        }

        // A manifest for another kind is refused with the file named.
        let manifest = dir + "/fused_model.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "fused-transformer", with: "other")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FusedOutcomeModel.load(from: dir, grounder: m.grounder)) { error in
            XCTAssertTrue("\(error)".contains("fused_model.json"), "\(error)")
        }
    }

    func testOwnCitationSettingMustMatchTheGrounder() throws {
        var o = options(.none)
        o.includeOwnCitations = true
        XCTAssertThrowsError(try model(o, graph: try FusionTestGraph.graph()))
    }
}
