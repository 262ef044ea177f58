import Grounding

/// The one place that knows which model kinds a run can hold: `lexgraph train` makes a
/// fresh model from the run's config, `lexgraph predict` loads the saved one.
public enum RunModels {
    /// Kinds `make` and `load` know.
    public static let knownKinds = [GraphFeatureLogisticModel.kind, FusedOutcomeModel.kind, ClassicalBlendModel.kind]

    /// A fresh, unfitted model of `config.modelKind` with the config's options.
    /// `progress` receives the fused transformer's phases (grounding, caching, batches).
    /// The fused transformer gets a run cache: the evaluator refits this one model per fold,
    /// and every fold reuses the frozen-layer states of the cases earlier folds computed.
    /// The classical blend trains on the `dataset`'s past outcomes and SCDB-only cases too,
    /// so it needs one.
    public static func make(config: RunConfig, grounder: CaseGrounder, dataset: CaseDataset? = nil,
                            progress: ((FusionProgress) -> Void)? = nil) throws -> any RunnableOutcomeModel {
        switch config.modelKind {
        case GraphFeatureLogisticModel.kind:
            return GraphFeatureLogisticModel(grounder: grounder, c: try config.double("c") ?? 1.0, name: config.modelName)
        case FusedOutcomeModel.kind:
            let model = try FusedOutcomeModel(modelDirectory: config.encoderPath ?? "models/all-minilm-l6-v2", grounder: grounder,
                                              options: try fusedOptions(config))
            model.progress = progress
            model.runCache = FusedRunCache()
            return model
        case ClassicalBlendModel.kind:
            guard let dataset else { throw PredictionError("model kind '\(config.modelKind)' needs the dataset (its SCDB history) to be made") }
            return ClassicalBlendModel(dataset: dataset, options: try blendOptions(config), name: config.modelName)
        default:
            throw unknownKind(config.modelKind)
        }
    }

    /// The model saved in a run's `model/` folder.
    public static func load(kind: String, directory: String, grounder: CaseGrounder) throws -> any RunnableOutcomeModel {
        switch kind {
        case GraphFeatureLogisticModel.kind:
            return try GraphFeatureLogisticModel.load(from: directory, grounder: grounder)
        case FusedOutcomeModel.kind:
            return try FusedOutcomeModel.load(from: directory, grounder: grounder)
        case ClassicalBlendModel.kind:
            return try ClassicalBlendModel.load(from: directory)
        default:
            throw unknownKind(kind)
        }
    }

    /// How a run's cases are grounded: the config's `with_own_citations` option (default
    /// off: a pending case's own citations are not known before its decision).
    public static func groundingOptions(config: RunConfig) throws -> GroundingOptions {
        GroundingOptions(includeOwnCitations: try config.bool("with_own_citations") ?? false)
    }

    /// The grounder of a run: its grounding options and its masking (the config's record).
    public static func grounder(config: RunConfig, graph: GroundingGraph) throws -> CaseGrounder {
        CaseGrounder(graph: graph, options: try groundingOptions(config: config), masking: try CaseMasking(config: config))
    }

    /// The fused transformer's options from a run config (`lexgraph train`'s flags); what
    /// the config leaves out keeps `FusedModelOptions`' default.
    public static func fusedOptions(_ config: RunConfig) throws -> FusedModelOptions {
        var o = FusedModelOptions()
        if let v = try config.string("fusion") {
            guard let mode = FusionMode(rawValue: v) else { throw PredictionError("run option fusion '\(v)' is not none, segment or kbert") }
            o.fusion = mode
        }
        if let v = try config.bool("graph_head") { o.graphHead = v }
        if let v = try config.string("fusion_join") {
            guard let join = HeadFusion(rawValue: v) else { throw PredictionError("run option fusion_join '\(v)' is not concat or gating") }
            o.headFusion = join
        }
        if let v = try config.int("epochs") { o.epochs = v }
        if let v = try config.int("trainable_layers") { o.trainableTopLayers = v }
        if let v = try config.int("max_length") { o.maxLength = v }
        if let v = try config.int("context_tokens") { o.contextTokens = v }
        if let v = try config.int("batch_size") { o.batchSize = v }
        if let v = try config.double("learning_rate") { o.encoderLearningRate = v }
        if let v = try config.double("head_learning_rate") { o.headLearningRate = v }
        if let v = try config.int("threads") { o.blasThreads = v }
        if let v = try config.bool("with_own_citations") { o.includeOwnCitations = v }
        o.seed = config.seed
        try o.validate()
        return o
    }

    /// The classical blend's options from a run config; what it leaves out keeps the default.
    public static func blendOptions(_ config: RunConfig) throws -> ClassicalBlendOptions {
        var o = ClassicalBlendOptions()
        if let v = try config.double("text_c") { o.textC = v }
        if let v = try config.int("min_df") { o.minDocumentFrequency = v }
        if let v = try config.int("calibration_terms") { o.calibrationTerms = v }
        try o.validate()
        return o
    }

    static func unknownKind(_ kind: String) -> PredictionError {
        PredictionError("unknown model kind '\(kind)' (known: \(knownKinds.joined(separator: ", ")))")
    }
}
