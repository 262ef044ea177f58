import Foundation
import HyperparameterSearch
import XCTest

/// ASHA's promotions against tools/asha_reference.py (Li et al. 2020, Algorithm 2, run
/// sequentially): the rule alone, and the whole `Study` over its SQLite store with a
/// trainer that reports the fixture's metrics, uninterrupted and interrupted.
final class ASHAReferenceTests: XCTestCase {
    struct Scenario: Decodable {
        var reduction_factor: Int, min_epochs: Double, max_epochs: Int, trials: Int
        /// Rung 0 at the warm-up's end (warmup_ratio · max_epochs) plus this, when present.
        var after_warmup: Double?, warmup_ratio: Double?
        var rungs: [Double]
        /// Per updates-per-epoch count, the update each rung stops at.
        var rung_steps: [String: [Int]]?
        var metrics: [[Double]]
        var jobs: [[Int]]

        var space: SearchSpace {
            SearchSpace(trials: trials, reductionFactor: reduction_factor, minEpochs: min_epochs, afterWarmup: after_warmup, maxEpochs: max_epochs, seed: 1,
                        entries: [.init(name: "learning_rate", distribution: .logUniform(low: 1e-4, high: 1e-2))])
        }
        /// The trials' warm-up ratio (the space does not search one).
        var baseWarmupRatio: Double { warmup_ratio ?? 0.1 }

        func study(_ store: StudyStore, _ trainer: any TrialTrainer) throws -> Study {
            try Study(space: space, mode: .asha, task: "t", store: store, trainer: trainer, baseWarmupRatio: baseWarmupRatio)
        }
    }

    static func scenarios() throws -> [Scenario] {
        struct File: Decodable { var scenarios: [Scenario] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tune/asha_reference.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).scenarios
    }

    func testPromotionRuleMatchesTheReference() throws {
        let all = try Self.scenarios()
        XCTAssertEqual(all.filter { $0.after_warmup != nil }.count, 3, "fractional rungs after the warm-up are covered")
        for s in all {
            XCTAssertEqual(s.space.rungs(baseWarmupRatio: s.baseWarmupRatio), s.rungs)
            for (perEpoch, steps) in s.rung_steps ?? [:] {
                XCTAssertEqual(s.rungs.map { SearchSpace.steps(epochs: $0, stepsPerEpoch: Int(perEpoch)!) }, steps, "\(perEpoch) updates per epoch")
            }
            let asha = ASHA(reductionFactor: s.reduction_factor, rungCount: s.rungs.count, trials: s.trials)
            var results: [ASHA.Result] = [], started = 0, jobs: [[Int]] = []
            while let job = asha.next(results: results, started: started) {
                let (trial, rung): (Int, Int)
                switch job {
                case .start: (trial, rung) = (started, 0); started += 1
                case .promote(let t, let r): (trial, rung) = (t, r)
                }
                results.append(.init(trial: trial, rung: rung, metric: s.metrics[trial][rung]))
                jobs.append([trial, rung])
            }
            XCTAssertEqual(jobs, s.jobs, "eta \(s.reduction_factor), rungs \(s.rungs), \(s.trials) trials")
        }
    }

    /// Reports the fixture's metric for (trial, rung of `epochs`); throws after `limit` jobs.
    final class TableTrainer: TrialTrainer {
        let scenario: Scenario
        var limit: Int?
        var calls: [[Int]] = []
        init(_ s: Scenario, limit: Int? = nil) { scenario = s; self.limit = limit }
        func train(trial: Int, params: Hyperparameters, epochs: Double) throws -> TrialProgress {
            if let l = limit { guard l > 0 else { throw SearchError("killed") }; limit = l - 1 }
            let rung = try XCTUnwrap(scenario.rungs.firstIndex(of: epochs))
            calls.append([trial, rung])
            return TrialProgress(metric: scenario.metrics[trial][rung], trainedEpochs: epochs)
        }
    }

    func summary(_ jobs: [StudyStore.JobRow]) -> [String] {
        jobs.map { "\($0.trial)@\($0.rung) \($0.finished) \($0.metric ?? .nan) cost \($0.cost ?? -1) total \($0.trainedEpochs ?? -1)" }
    }

    func testStudyRunsTheReferenceJobsAndResumesAfterAnInterruption() throws {
        let dir = NSTemporaryDirectory() + "lexgraph-asha-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, s) in try Self.scenarios().enumerated() {
            let straight = try s.study(StudyStore(path: dir + "/a\(i).sqlite"), TableTrainer(s)).run()
            XCTAssertEqual(straight.map { [$0.trial, $0.rung] }, s.jobs)
            // Cost: each job trains from the trial's previous rung to this one.
            for job in straight {
                let previous = job.rung == 0 ? 0 : s.rungs[job.rung - 1]
                XCTAssertEqual(job.cost, s.rungs[job.rung] - previous)
            }

            // Killed every 5 jobs: each new process redoes nothing finished.
            let path = dir + "/b\(i).sqlite"
            var calls: [[Int]] = [], rounds = 0
            while true {
                let trainer = TableTrainer(s, limit: 5)
                rounds += 1
                do {
                    let jobs = try s.study(StudyStore(path: path), trainer).run()
                    calls += trainer.calls
                    XCTAssertEqual(summary(jobs), summary(straight))
                    break
                } catch let e as SearchError where e.message == "killed" {
                    calls += trainer.calls
                }
                XCTAssertLessThan(rounds, 100)
            }
            XCTAssertEqual(calls, s.jobs, "every job ran exactly once across the interruptions")
            XCTAssertEqual(rounds, (s.jobs.count + 4) / 5)
            // The winner: the best trial of the highest rung reached.
            let top = try XCTUnwrap(s.jobs.map { $0[1] }.max())
            XCTAssertEqual(Study.winner(straight)?.trial, s.jobs.filter { $0[1] == top }.map { $0[0] }
                .max { (s.metrics[$0][top], -$0) < (s.metrics[$1][top], -$1) })
        }
    }

    func testAStudyRefusesAnotherSpaceOrTask() throws {
        let s = try XCTUnwrap(Self.scenarios().first)
        let path = NSTemporaryDirectory() + "lexgraph-asha-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Study(space: s.space, mode: .asha, task: "t", store: StudyStore(path: path), trainer: TableTrainer(s, limit: 3))
        var other = s.space
        other.trials += 1
        XCTAssertThrowsError(try Study(space: other, mode: .asha, task: "t", store: StudyStore(path: path), trainer: TableTrainer(s))) {
            XCTAssertTrue("\($0)".hasPrefix(path + ": cannot resume: the search space file changed"), "\($0)")
        }
        XCTAssertThrowsError(try Study(space: s.space, mode: .asha, task: "t2", store: StudyStore(path: path), trainer: TableTrainer(s))) {
            XCTAssertTrue("\($0)".contains("cannot resume: the task (model, data files"), "\($0)")
        }
        XCTAssertNoThrow(try Study(space: s.space, mode: .asha, task: "t", store: StudyStore(path: path), trainer: TableTrainer(s)))
    }

    func testGridTrainsEveryConfigurationForTheFullBudget() throws {
        final class Recorder: TrialTrainer {
            var calls: [(Hyperparameters, Double)] = []
            func train(trial: Int, params: Hyperparameters, epochs: Double) throws -> TrialProgress {
                calls.append((params, epochs))
                return TrialProgress(metric: params["learning_rate"]!.double * 10 + params["batch_size"]!.double / 100, trainedEpochs: epochs)
            }
        }
        let space = try SearchSpace.parse("""
            search: {trials: 2, max_epochs: 4}
            space:
              learning_rate: {choice: [1.0e-3, 3.0e-3, 1.0e-2]}
              batch_size: {choice: [8, 16]}
            """, file: "grid.yaml")
        let path = NSTemporaryDirectory() + "lexgraph-grid-\(UUID().uuidString).sqlite"
        defer { for p in [path, path + "2"] { try? FileManager.default.removeItem(atPath: p) } }
        let recorder = Recorder()
        let study = try Study(space: space, mode: .grid, task: "t", store: StudyStore(path: path), trainer: recorder)
        XCTAssertEqual(study.rungs, [4])
        let jobs = try study.run()
        XCTAssertEqual(recorder.calls.map(\.1), Array(repeating: 4, count: 6), "every configuration, max_epochs each")
        XCTAssertEqual(recorder.calls.map(\.0), try XCTUnwrap(space.grid))
        XCTAssertEqual(Study.winner(jobs)?.trial, 5, "lr 1e-2, batch 16: the highest metric")
        XCTAssertEqual(try StudyReport(study: study, jobs: jobs, metric: "macro_f1").totalCost, 24)
        XCTAssertThrowsError(try Study(space: SearchSpaceTests.sampled, mode: .grid, task: "t", store: StudyStore(path: path + "2"), trainer: recorder)) {
            XCTAssertTrue("\($0)".contains("a grid search needs a space of choices only"), "\($0)")
        }
    }
}
