import Foundation

/// `lexgraph train` without the command line: makes the config's model, evaluates it with
/// the baselines on the same cases under the config's plan, and writes the run folder
/// (predictions of every model, evaluation, the fitted model of the last fold, report).
public struct RunTraining {
    public var config: RunConfig
    public var evaluator: Evaluator
    /// Test cases explained in the report, and reasons shown for each.
    public var sampleCount = 5
    public var sampleReasons = 6

    public init(config: RunConfig, evaluator: Evaluator = Evaluator()) {
        self.config = config
        self.evaluator = evaluator
    }

    public struct Outcome {
        public let folder: RunFolder
        public let evaluation: EvaluationReport
        public let seconds: Double
    }

    public func run(dataset unmasked: CaseDataset, grounder: CaseGrounder, writer: RunFolderWriter,
                    progress: ((EvaluationProgress) -> Void)? = nil,
                    modelProgress: ((FusionProgress) -> Void)? = nil) throws -> Outcome {
        let start = Date()
        guard config.task == RunConfig.scotusOutcome else {
            throw PredictionError("unknown task '\(config.task)' (known: \(RunConfig.scotusOutcome))")
        }
        // A masked run trains on masked cases only, and its grounder masks the context the
        // same way `Predictor` will.
        let masking = try CaseMasking(config: self.config)
        guard grounder.masking == masking else {
            throw PredictionError("the grounder masks with \(grounder.masking?.description ?? "no masking") but the run's config with "
                                  + "\(masking?.description ?? "no masking"): make it with `RunModels.grounder(config:graph:)`")
        }
        let dataset = try masking.map { try $0.mask(unmasked) } ?? unmasked
        let template = try RunModels.make(config: config, grounder: grounder, dataset: dataset, progress: modelProgress)
        var config = self.config
        config.modelName = template.name
        let models = Evaluator.baselines(dataset: dataset) + [template]
        var last: (any RunnableOutcomeModel)?
        let evaluation = try evaluator.evaluate(config.plan.evaluationPlan, dataset: dataset, models: models, progress: progress) { _, model in
            if model.name == template.name, let runnable = model as? any RunnableOutcomeModel { last = runnable }
        }
        guard let model = last else { throw PredictionError("the model was never fitted (no fold with test cases)") }

        try writer.write(config: config)
        try writer.write(epochs: model.history)
        let names = evaluation.modelNames
        try writer.write(predictions: names.map { ($0, evaluation.predictions[$0] ?? []) }, set: .test)
        try writer.write(predictions: names.map { ($0, evaluation.devPredictions[$0] ?? []) }, set: .dev)
        try writer.write(evaluation: evaluation)
        try model.save(to: writer.modelDirectory)

        // A few test cases of the last fold (the one the saved model predicted), spread
        // over the fold in file order.
        let test = (dataset.folds(config.plan.evaluationPlan).last?.test ?? []).filter { $0.label != nil }
        let step = max(1, test.count / max(1, sampleCount))
        let picked = stride(from: 0, to: test.count, by: step).prefix(sampleCount).map { test[$0] }
        let samples = try picked.map { c in
            try ExplainedPrediction.make(model, query: c.query, label: c.label, top: sampleReasons)
        }
        let seconds = Date().timeIntervalSince(start)
        try RunReport(runName: (writer.finalPath as NSString).lastPathComponent, config: config, evaluation: evaluation,
                      epochs: model.history, samples: samples, seconds: seconds).write(to: writer)
        return Outcome(folder: try writer.commit(), evaluation: evaluation, seconds: seconds)
    }
}
