import Foundation
import HyperparameterSearch
import Transformer
import XCTest

/// A study over real fine-tuning runs of a tiny random BERT: rungs fall inside epochs
/// (rung 0 after the warm-up), promoted trials continue their saved runs, a study killed
/// again and again (after saved epochs, mid-job) ends exactly as an uninterrupted one, a
/// trial stopped mid-epoch goes on as a straight run would, trials freezing the same
/// layers share one cache, and the winner is a normal run folder scored on test.
final class FineTuneStudyTests: XCTestCase {
    static let space = """
        search: {trials: 6, reduction_factor: 3, after_warmup: 0.6, max_epochs: 9, seed: 2}
        space:
          learning_rate: {log_uniform: [1.0e-3, 3.0e-2]}
          head_learning_rate: {choice: [3.0e-3, 3.0e-2]}
          batch_size: {choice: [4, 8]}
          dropout: {choice: [0.05, 0.2]}
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
        XCTAssertEqual(a.rungs, [0.1 * 9 + 0.6, (0.1 * 9 + 0.6) * 3, 9], "rung 0: the warm-up (10% of 9 epochs) and 0.6 epochs more")
        let straight = try a.run()
        XCTAssertEqual(straight.filter { $0.rung == 0 }.count, 6)
        XCTAssertEqual(straight.filter { $0.rung == 1 }.count, 2, "⌊6/3⌋ trials reach 4.5 epochs")
        XCTAssertEqual(straight.filter { $0.rung == 2 }.count, 0, "⌊2/3⌋ = 0 reach 9 epochs")
        let trials = try a.store.trials()
        var expectedCost = 0.0
        for job in straight {
            let params = try XCTUnwrap(trials[job.trial])
            let perEpoch = try aTrials.stepsPerEpoch(aTrials.options(params))
            XCTAssertEqual(perEpoch, params["batch_size"] == .int(4) ? 6 : 3, "24 examples")
            let steps = SearchSpace.steps(epochs: a.rungs[job.rung], stepsPerEpoch: perEpoch)
            let before = job.rung == 0 ? 0 : Double(SearchSpace.steps(epochs: a.rungs[0], stepsPerEpoch: perEpoch)) / Double(perEpoch)
            XCTAssertEqual(job.trainedEpochs, Double(steps) / Double(perEpoch), "stopped after ⌊rung · updates per epoch⌋ updates")
            XCTAssertEqual(job.cost, Double(steps) / Double(perEpoch) - before)
            expectedCost += Double(steps) / Double(perEpoch) - before
            // The rung's metric: the best of the epochs' ends up to it and the evaluation at it.
            let interim = try FineTuneRun.interimEvaluations(ofRun: aTrials.folder(job.trial))
            let atRung = try XCTUnwrap(interim.first { $0.step == steps }?.dev["macro_f1"], "evaluated where it stopped, inside an epoch")
            let lines = try String(contentsOfFile: aTrials.folder(job.trial) + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            let epochs = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            let atEnds = epochs.filter { ($0["step"] as! Int) <= steps }.map { ($0["dev"] as! [String: Any])["macro_f1"] as! Double }
            XCTAssertEqual(job.metric, (atEnds + [atRung]).max())
            if job.rung == 1 {
                XCTAssertEqual(lines.count, 4, "a promoted trial continued its run: 4 whole epochs, each trained once")
            }
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
        XCTAssertEqual(report.totalCost, expectedCost, accuracy: 1e-9)
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

    /// A trial stopped inside an epoch (a rung's budget) and continued later ends bit for
    /// bit as the same run trained straight through.
    func testARungInsideAnEpochContinuesAsAStraightRun() throws {
        let dir = try TinyData.temporaryDirectory("tune-midepoch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inputs, _) = try TinyData.inputs(dir)
        let trials = FineTuneTrials(inputs: inputs, base: base(), directory: dir + "/study", maxEpochs: 4)
        let params: Hyperparameters = ["learning_rate": .real(1e-2), "batch_size": .int(5), "dropout": .real(0.2)]
        XCTAssertEqual(try trials.stepsPerEpoch(trials.options(params)), 5)
        let first = try trials.train(trial: 0, params: params, epochs: 1.5)
        XCTAssertEqual(first.trainedEpochs, 7.0 / 5, "⌊1.5 · 5⌋ = 7 updates")
        let second = try trials.train(trial: 0, params: params, epochs: 3)
        XCTAssertEqual(second.trainedEpochs, 3)
        XCTAssertEqual(try FineTuneRun.interimEvaluations(ofRun: trials.folder(0)).map(\.step), [7])

        let options = trials.options(params)
        XCTAssertEqual(options.dropoutRate, 0.2)
        let straight = dir + "/straight"
        let history = try FineTuneRun(inputs: inputs, options: options, directory: straight).run(resume: false, epochLimit: 3)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: straight + "/state/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: trials.folder(0) + "/state/model.safetensors")), "weights bit for bit")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: straight + "/state/optimizer.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: trials.folder(0) + "/state/optimizer.safetensors")), "optimizer moments bit for bit")
        let stopped = try String(contentsOfFile: trials.folder(0) + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(stopped.map { $0["dev"] as! [String: Double] }, history.map(\.dev))
        XCTAssertEqual(stopped.map { $0["train_loss"] as! Double }, history.map(\.trainLoss))
        XCTAssertEqual(second.metric, history.compactMap { $0.dev["macro_f1"] }.max())
        // The run's config carries the rate, as transformers reads it.
        let config = try BertConfig(contentsOf: trials.folder(0) + "/checkpoint/config.json")
        XCTAssertEqual(config.hiddenDropoutProb, 0.2)
        XCTAssertEqual(config.attentionProbsDropoutProb, 0.2)
    }

    /// Trials that freeze the same bottom layers compute the frozen part once; each trial
    /// trains exactly as a run with a cache of its own.
    func testTrialsFreezingTheSameLayersShareOneCache() throws {
        let dir = try TinyData.temporaryDirectory("tune-cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (inputs, _) = try TinyData.inputs(dir)
        var frozen = base()
        frozen.freezeLayers = 1
        let trials = FineTuneTrials(inputs: inputs, base: frozen, directory: dir + "/study", maxEpochs: 2)
        let a: Hyperparameters = ["learning_rate": .real(1e-2)], b: Hyperparameters = ["learning_rate": .real(3e-3), "batch_size": .int(8)]
        _ = try trials.train(trial: 0, params: a, epochs: 1)
        XCTAssertEqual([trials.caches.computed, trials.caches.reused], [2, 0], "train and dev, computed once")
        _ = try trials.train(trial: 1, params: b, epochs: 2)
        XCTAssertEqual([trials.caches.computed, trials.caches.reused], [2, 2], "the second trial reuses both")
        _ = try trials.train(trial: 0, params: a, epochs: 2)
        XCTAssertEqual([trials.caches.computed, trials.caches.reused], [2, 4], "a resumed trial too")
        _ = try trials.train(trial: 2, params: ["freeze_layers": .int(2)], epochs: 1)
        XCTAssertEqual([trials.caches.computed, trials.caches.reused], [4, 4], "other frozen layers: caches of their own")

        let alone = dir + "/alone"
        try FineTuneRun(inputs: inputs, options: trials.options(b), directory: alone).run(resume: false, epochLimit: 2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: alone + "/state/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: trials.folder(1) + "/state/model.safetensors")), "the same run as with its own cache")
    }
}
