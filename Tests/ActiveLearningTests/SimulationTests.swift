import ActiveLearning
import Foundation
import LexgraphCore
import XCTest

/// The simulation on synthetic vectors: curve layout, shared initial batch, determinism,
/// the summary arithmetic and the report files.
final class SimulationTests: XCTestCase {
    /// Three classes around three axes, the first nine times as common as the others.
    func vectors(_ n: Int, seed: UInt64) -> LabelledVectors {
        var rng = SplitMix64(seed: seed)
        var rows: [[Float]] = [], labels: [Int] = []
        for i in 0..<n {
            let c = i % 11 == 0 ? 1 : i % 11 == 1 ? 2 : 0
            var row = (0..<4).map { _ in Float(rng.unit() - 0.5) * 0.8 }
            row[c] += 1
            rows.append(row); labels.append(c)
        }
        return LabelledVectors(embeddings: EmbeddingMatrix(rows: rows), labels: labels)
    }

    func testCurvesAreDeterministicAndShareTheInitialBatch() throws {
        let settings = SimulationSettings(strategies: [.random, .margin, .kcenter], seeds: [1, 2], rounds: 3, k: 5)
        let train = vectors(120, seed: 1), dev = vectors(44, seed: 2)
        let a = try Simulation.run(train: train, dev: dev, classes: 3, settings: settings)
        let b = try Simulation.run(train: train, dev: dev, classes: 3, settings: settings)
        XCTAssertEqual(a.points.map(\.macroF1), b.points.map(\.macroF1))
        XCTAssertEqual(a.points.count, 3 * 2 * 4)
        XCTAssertEqual(Set(a.points.map(\.labels)), [5, 10, 15, 20])
        for seed: UInt64 in [1, 2] {
            let starts = a.points.filter { $0.seed == seed && $0.round == 0 }.map(\.macroF1)
            XCTAssertEqual(Set(starts).count, 1, "every strategy starts from the seed's random batch")
        }
        XCTAssertEqual(a.fullDataF1.count, 2)
        XCTAssertGreaterThan(a.meanFullDataF1, 0.9, "the classes are separable")
        let summary = a.summary()
        XCTAssertEqual(summary.map(\.strategy), [.random, .margin, .kcenter])
        let randomCurve = a.meanCurve(.random)
        XCTAssertEqual(summary[0].area, (1...2).map { seed in
            SimulationResult.normalizedArea(a.points.filter { $0.strategy == .random && $0.seed == UInt64(seed) }.map { ($0.labels, $0.macroF1) })
        }.reduce(0, +) / 2, accuracy: 1e-12)
        XCTAssertEqual(summary[0].labelsToTarget, randomCurve.first { $0.f1 >= 0.95 * a.meanFullDataF1 }?.labels)
    }

    func testNormalizedAreaIsTheMeanHeightOfTheCurve() {
        XCTAssertEqual(SimulationResult.normalizedArea([(10, 0.5), (20, 0.7), (30, 0.7)]), 0.65, accuracy: 1e-12)
        XCTAssertEqual(SimulationResult.normalizedArea([(10, 0.4)]), 0.4)
    }

    func testReportFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = SimulationSettings(strategies: [.random, .entropy], seeds: [3], rounds: 2, k: 4)
        let result = try Simulation.run(train: vectors(60, seed: 3), dev: vectors(22, seed: 4), classes: 3, settings: settings)
        try SimulationReport.write(result, to: dir.path, title: "Synthetic")
        let curves = try String(contentsOf: dir.appendingPathComponent("curves.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(curves.first, "strategy,seed,round,labels,macro_f1,seconds")
        XCTAssertEqual(curves.count, 1 + 2 * 3)
        let summary = try String(contentsOf: dir.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(summary.count, 3)
        XCTAssertTrue(summary[1].hasPrefix("random,"))
        XCTAssertTrue(summary[1].contains(",+0.0,"), "random against itself")
        let svg = try String(contentsOf: dir.appendingPathComponent("learning-curves.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<title>entropy</title>") && svg.hasSuffix("</svg>\n"))
        let markdown = try String(contentsOf: dir.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# Synthetic\n\n60 train examples, 3 classes; 1 seeds"), markdown)
    }

    func testBadSettingsAreErrors() {
        let v = vectors(10, seed: 1)
        XCTAssertThrowsError(try Simulation.run(train: v, dev: v, classes: 3, settings: SimulationSettings(strategies: [.random], seeds: [1], rounds: 1, k: 0))) {
            XCTAssertEqual("\($0)", "--k must be at least 1, got 0")
        }
    }
}
