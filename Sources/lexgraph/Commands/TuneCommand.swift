import ArgumentParser
import Foundation
import HyperparameterSearch
import Tensor
import Transformer

/// `lexgraph tune`: hyperparameter search over `finetune` runs with ASHA (or, with
/// --grid, every configuration of an all-choice space at the full budget), selected on
/// the dev set only. The study lives in `--out` (study.sqlite, trials/NNN run folders,
/// results.{txt,csv,json,svg}, winner/); running the same command again resumes it.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search fine-tuning hyperparameters with ASHA (successive halving), selecting on dev.",
        discussion: """
        --space names a YAML or JSON file: `search:` (trials, reduction_factor (default 3), min_epochs \
        (default 1) or after_warmup, max_epochs, seed) and `space:` with one distribution per hyperparameter \
        (learning_rate, head_learning_rate, batch_size, epochs, freeze_layers, warmup_ratio, weight_decay, \
        dropout (a rate), seed): {choice: [...]}, {log_uniform: [low, high]}, {uniform: [low, high]} or {int: [low, high]}. \
        Rung k trains r0*eta^k epochs (the top rung max_epochs), fractions allowed (a trial stops after that \
        share of its updates, mid-epoch if need be, and is evaluated there); r0 is min_epochs, or the end of the \
        latest warm-up plus after_warmup epochs. A promoted trial continues its saved run instead of starting \
        over; trials freezing the same layers share one frozen-layer cache. Each trial is a `finetune` run folder under --out/trials; the best trial \
        of the highest rung is copied to --out/winner, and only it is scored on --test, after the search. \
        Interrupted, the same command resumes the study (finished jobs are kept, a running one continues from \
        its last finished epoch); a changed space file or task is refused.
        """
    )

    @OptionGroup var data: FineTuneDataOptions
    @Option(name: .long, help: "Search space file (YAML or JSON).")
    var space: String
    @Option(name: .long, help: "Dev file: the only data the search selects on.")
    var dev: String
    @Option(name: .long, help: "Test file, scored for the winner alone once the search is over.")
    var test: String?
    @Option(name: .long, help: "Token limit per input, special tokens included.")
    var maxLength = 128
    @Option(name: .long, help: "Frozen bottom layers, unless the space searches freeze_layers.")
    var freezeLayers = 0
    @Option(name: .long, help: "Head pooling: cls or mean.")
    var pooling: HeadPooling = .cls
    @Option(name: .long, help: "Loss weights by label frequency: none or balanced.")
    var classWeight: ClassWeighting = .none
    @Flag(name: .long, help: "Train every configuration of an all-choice space for max_epochs instead (the comparison ASHA is measured against).")
    var grid = false
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?
    @Option(name: .long, help: "Study folder (created; the same folder resumes the study).")
    var out: String

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        var base = FineTuneOptions(task: data.task)
        base.maxLength = maxLength; base.freezeLayers = freezeLayers; base.pooling = pooling; base.classWeighting = classWeight
        let searchSpace = try SearchSpace.load(path: space, baseWarmupRatio: base.warmupRatio)
        let inputs = try data.inputs(dev: dev)
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create --out \(out): \(error.localizedDescription)")
        }
        let stderr = FileHandle.standardError
        let log: (String) -> Void = { stderr.write(Data(($0 + "\n").utf8)) }
        let trials = FineTuneTrials(inputs: inputs, base: base, directory: out, maxEpochs: searchSpace.maxEpochs, log: log,
                                    progress: { title, total, done in ProgressBar(title: title, total: total, done: done) })
        let study = try Study(space: searchSpace, mode: grid ? .grid : .asha, task: try StudyTask.describe(inputs: inputs, base: base),
                              store: try StudyStore(path: out + "/study.sqlite"), trainer: trials, baseWarmupRatio: base.warmupRatio, log: log)
        let jobs = try study.run()
        if trials.caches.computed > 0 {
            log(String(format: "frozen-layer caches: %d computed in %.1f s, reused %d time(s) (about %.0f s of encoding saved)", trials.caches.computed,
                       trials.caches.seconds, trials.caches.reused, trials.caches.savedSeconds))
        }
        let report = try StudyReport(study: study, jobs: jobs, metric: data.task.selectionMetric)
        try report.write(to: out)
        Console.text(report.text)
        if let winner = report.winner {
            let metrics = try trials.writeWinner(trial: winner, to: out + "/winner", testPath: test)
            Console.text("winner run folder: \(out)/winner")
            if let metrics {
                Console.text("test (winner only): " + metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " "))
            }
        }
        Console.text("results: \(out)/results.txt, results.csv, results.json, results.svg")
    }
}
