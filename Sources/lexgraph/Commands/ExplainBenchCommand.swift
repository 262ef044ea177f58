import ArgumentParser
import Foundation
import GraphStore
import Grounding
import Prediction

/// `lexgraph bench explain --run RUN --cases FILE`: seconds per explained prediction of a
/// fused run (what `lexgraph predict` computes for each case), the reference path (the
/// prediction, then every occlusion variant through a whole encoder pass of its own)
/// against the shared-pass path (one encoder pass per distinct input, the head rerun for
/// feature and seed occlusions), in one process on the same cases, alternating which path
/// goes first. Every case is grounded once before timing (both paths read the grounder's
/// cache), so the times are the model's. Also prints where one case's time goes and the
/// largest difference between the two paths' answers.
struct BenchExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Time a fused run's explained predictions: every occlusion its own encoder pass against shared passes.",
        discussion: "Example: lexgraph bench explain --run runs/segment-head --cases pending.jsonl --top 5")

    @Option(name: .customLong("run"), help: "Run folder of a fused-transformer model (lexgraph train).") var runPath: String
    @Option(help: "Pending cases, JSON Lines with cases.jsonl fields and no outcome (as for predict).") var cases: String
    @Option(help: "Reasons kept per case (as predict's --top).") var top = 5
    @Option(help: "Timed repeats of each case per path; medians are over every case and repeat.") var repeats = 1
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var data: DataOptions

    func validate() throws {
        if top < 0 { throw ValidationError("--top must not be negative, got \(top)") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    func run() throws {
        let folder = try RunFolder(existing: runPath)
        let config = try folder.config()
        guard config.modelKind == FusedOutcomeModel.kind else {
            throw CLIError("run \(runPath) holds a \(config.modelKind) model; bench explain times the \(FusedOutcomeModel.kind)'s explanations")
        }
        let predictor = try PredictCommand.predictor(run: runPath, config: config, data: data, database: database)
        guard let model = predictor.model as? FusedOutcomeModel else { throw CLIError("run \(runPath): the saved model is not a fused transformer") }
        let queries = try predictor.cases(path: cases).map { PredictionQuery(input: $0) }
        guard !queries.isEmpty else { throw CLIError("\(cases) holds no cases") }

        print("run \(folder.name): \(model.name), max length \(model.options.maxLength), \(model.options.blasThreads) BLAS thread(s); \(queries.count) case(s), top \(top), \(repeats) repeat(s)")
        print("load average before: \(ModelBenchmark.loadAverage())")
        var clock = Date()
        for q in queries { _ = try model.grounder.grounding(for: q) }
        let grounding = Date().timeIntervalSince(clock) / Double(queries.count)
        _ = try model.explainedByFullPasses(queries[0], top: top)  // warm-up: workspaces, thread pool
        _ = try model.explained(queries[0], top: top)

        var full: [Double] = [], shared: [Double] = [], prepare: [Double] = [], pass: [Double] = []
        var variants: [Double] = [], facts: [Double] = [], fullPasses: [Double] = [], sharedPasses: [Double] = []
        var maxProbability = 0.0, maxEffect = 0.0, rankSwaps = 0
        for (i, q) in queries.enumerated() {
            var a: (probability: Double, contributions: [Contribution])?, b: (probability: Double, contributions: [Contribution])?
            for r in 0..<repeats {
                for isShared in (i + r) % 2 == 0 ? [false, true] : [true, false] {
                    clock = Date()
                    if isShared { b = try model.explained(q, top: top) } else { a = try model.explainedByFullPasses(q, top: top) }
                    let seconds = Date().timeIntervalSince(clock)
                    if isShared { shared.append(seconds) } else { full.append(seconds) }
                }
            }
            guard let a, let b else { continue }
            maxProbability = max(maxProbability, abs(a.probability - b.probability))
            for (x, y) in zip(a.contributions, b.contributions) {
                if x.text == y.text { maxEffect = max(maxEffect, abs(x.effect - y.effect)) } else { rankSwaps += 1 }
            }
            // Where one case's time goes: its input (tokenization; grounding is cached) and one encoder pass.
            clock = Date()
            let prepared = try model.prepare(q)
            prepare.append(Date().timeIntervalSince(clock))
            clock = Date()
            _ = try model.probabilities([prepared])
            pass.append(Date().timeIntervalSince(clock))
            let work = try model.explanationWork(q)
            variants.append(Double(work.variants)); facts.append(Double(work.contextFacts))
            fullPasses.append(Double(work.fullPasses)); sharedPasses.append(Double(work.sharedPasses))
        }
        let median = ModelBenchmark.median
        print("load average after:  \(ModelBenchmark.loadAverage())")
        print(String(format: "per case (medians): grounding %.1f ms (once, before timing); input %.1f ms; one encoder pass %.1f ms",
                     grounding * 1e3, median(prepare) * 1e3, median(pass) * 1e3))
        print(String(format: "occlusion variants %.0f (%.0f context facts); encoder passes: every occlusion %.0f, shared %.0f",
                     median(variants), median(facts), median(fullPasses), median(sharedPasses)))
        print("path                         s/case (median)  min     max     total s")
        for (name, times) in [("every occlusion its own pass", full), ("shared passes", shared)] {
            print(name.padding(toLength: 29, withPad: " ", startingAt: 0)
                  + String(format: "%8.3f         %6.3f  %6.3f  %8.1f", median(times), times.min() ?? 0, times.max() ?? 0, times.reduce(0, +)))
        }
        print(String(format: "ratio (every occlusion / shared, medians): %.2fx", median(full) / max(median(shared), 1e-12)))
        print(String(format: "largest difference: probability %.2e, effect %.2e; reasons ranked differently: %d", maxProbability, maxEffect, rankSwaps))
    }
}
