import Foundation
import HyperparameterSearch
import Transformer
import XCTest

/// A study over real fine-tuning runs of a tiny random BERT: promoted trials continue
/// their saved runs, a study killed again and again (after saved epochs, mid-job) ends
/// exactly as an uninterrupted one, and the winner is a normal run folder scored on test.
final class FineTuneStudyTests: XCTestCase {
    static let space = """
        search: {trials: 6, reduction_factor: 3, min_epochs: 1, max_epochs: 9, seed: 2}
        space:
          learning_rate: {log_uniform: [1.0e-3, 3.0e-2]}
          head_learning_rate: {choice: [3.0e-3, 3.0e-2]}
          batch_size: {choice: [4, 8]}
          dropout: {choice: [true, false]}
        """

    func base() -> FineTuneOptions {
        var o = FineTuneOptions(task: .classify)
        o.maxLength = 24
        return o
    }

    func study(_ dir: String, _ inputs: FineTuneInputs, allowance: Int? = nil) throws -> (Study, FineTuneTrials) {
        let space = try SearchSpace.parse(Self.space, file: "space.yaml")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let trials = FineTuneTrials(inputs: inputs, base: base(), directory: dir, maxEpochs: space.maxEpochs)
        trials.epochAllowance = allowance
        let study = try Study(space: space, mode: .asha, task: try StudyTask.describe(inputs: inputs, base: base()),
                              store: StudyStore(path: dir + "/study.sqlite"), trainer: trials)
        return (study, trials)
    }

    func testInterruptedStudyEndsAsAnUninterruptedOne() throws {
        let dir = try TinyData.temporaryDirectory("tune")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inputs, test) = try TinyData.inputs(dir)

        let (a, aTrials) = try study(dir + "/a", inputs)
        let straight = try a.run()
        XCTAssertEqual(straight.filter { $0.rung == 0 }.count, 6)
        XCTAssertEqual(straight.filter { $0.rung == 1 }.count, 2, "⌊6/3⌋ trials reach 3 epochs")
        XCTAssertEqual(straight.filter { $0.rung == 2 }.count, 0, "⌊2/3⌋ = 0 reach 9 epochs")
        // A promoted trial continued its run: 3 epochs in its folder, 2 of them from this job.
        for job in straight where job.rung == 1 {
            XCTAssertEqual(job.cost, 2)
            XCTAssertEqual(job.trainedEpochs, 3)
            let lines = try String(contentsOfFile: aTrials.folder(job.trial) + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, 3, "trained once, epoch by epoch")
        }

        // The same study killed after every 2 epochs trained, then run again until done.
        var rounds = 0, jobs: [StudyStore.JobRow] = []
        while true {
            rounds += 1
            XCTAssertLessThan(rounds, 30)
            do { jobs = try study(dir + "/b", inputs, allowance: 2).0.run(); break } catch let e as SearchError where e.message.hasPrefix("stopped") {}
        }
        XCTAssertGreaterThan(rounds, 3)
        func key(_ j: StudyStore.JobRow) -> String { "\(j.trial)@\(j.rung) \(j.metric ?? .nan) cost \(j.cost ?? -1) total \(j.trainedEpochs ?? -1)" }
        XCTAssertEqual(jobs.map(key), straight.map(key))
        XCTAssertEqual(try study(dir + "/b", inputs).0.store.trials(), try a.store.trials())
        let (b, bTrials) = try study(dir + "/b", inputs)
        XCTAssertEqual(try b.run().map(key), straight.map(key), "a finished study runs nothing more")
        for t in 0..<6 {
            let metricsA = try String(contentsOfFile: aTrials.folder(t) + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            let metricsB = try String(contentsOfFile: bTrials.folder(t) + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(metricsB.count, metricsA.count, "trial \(t): no epoch trained twice")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: bTrials.folder(t) + "/state/model.safetensors")),
                           try Data(contentsOf: URL(fileURLWithPath: aTrials.folder(t) + "/state/model.safetensors")), "trial \(t) weights bit for bit")
        }

        // The winner: a run folder like `finetune`'s, with test metrics only for it.
        let report = try StudyReport(study: a, jobs: straight, metric: "macro_f1")
        let winner = try XCTUnwrap(report.winner)
        XCTAssertEqual(winner, Study.winner(straight)?.trial)
        let metrics = try XCTUnwrap(try aTrials.writeWinner(trial: winner, to: dir + "/a/winner", testPath: test))
        XCTAssertNotNil(metrics["macro_f1"])
        let record = try FineTuneRun.record(ofRun: dir + "/a/winner")
        XCTAssertEqual(record.options, aTrials.options(try a.store.trials()[winner]!))
        XCTAssertNotNil(record.options.headLearningRate)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/a/winner/checkpoint/model.safetensors"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/a/winner/test_metrics.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: aTrials.folder(winner) + "/test_metrics.json"))
        try report.write(to: dir + "/a")
        let csv = try String(contentsOfFile: dir + "/a/results.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "trial,batch_size,dropout,head_learning_rate,learning_rate,rung,epochs,dev_macro_f1,cost_epochs,winner")
        XCTAssertEqual(csv.count, 7)
        XCTAssertEqual(report.totalCost, 6 + 2 * 2)
        XCTAssertTrue(try String(contentsOfFile: dir + "/a/results.svg", encoding: .utf8).contains("<svg"))
    }

    /// A process killed inside a trial's first epoch leaves a run folder without saved
    /// state: the trial starts that folder afresh instead of failing to resume it.
    func testTrialKilledBeforeItsFirstSavedEpochStartsAfresh() throws {
        let dir = try TinyData.temporaryDirectory("tune-fresh")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inputs, _) = try TinyData.inputs(dir)
        let trials = FineTuneTrials(inputs: inputs, base: base(), directory: dir + "/study", maxEpochs: 3)
        let params: Hyperparameters = ["learning_rate": .real(1e-2)]
        let clean = try trials.train(trial: 1, params: params, epochs: 1)
        try FileManager.default.createDirectory(atPath: trials.folder(0), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: trials.folder(0) + "/config.json"))
        let progress = try trials.train(trial: 0, params: params, epochs: 1)
        XCTAssertEqual(progress, clean, "the same run as a trial that was never interrupted")
        XCTAssertEqual(try FineTuneRun.record(ofRun: trials.folder(0)).options, trials.options(params))
    }
}
