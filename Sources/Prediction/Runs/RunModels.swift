import Grounding

/// The one place that knows which model kinds a run can hold: `lexgraph train` makes a
/// fresh model from the run's config, `lexgraph predict` loads the saved one.
public enum RunModels {
    /// Kinds `make` and `load` know.
    public static let knownKinds = [GraphFeatureLogisticModel.kind]

    /// A fresh, unfitted model of `config.modelKind` with the config's options.
    public static func make(config: RunConfig, grounder: CaseGrounder) throws -> any RunnableOutcomeModel {
        switch config.modelKind {
        case GraphFeatureLogisticModel.kind:
            return GraphFeatureLogisticModel(grounder: grounder, c: try config.double("c") ?? 1.0, name: config.modelName)
        default:
            throw unknownKind(config.modelKind)
        }
    }

    /// The model saved in a run's `model/` folder.
    public static func load(kind: String, directory: String, grounder: CaseGrounder) throws -> any RunnableOutcomeModel {
        switch kind {
        case GraphFeatureLogisticModel.kind:
            return try GraphFeatureLogisticModel.load(from: directory, grounder: grounder)
        default:
            throw unknownKind(kind)
        }
    }

    /// How a run's cases are grounded: the config's `with_own_citations` option (default
    /// off: a pending case's own citations are not known before its decision).
    public static func groundingOptions(config: RunConfig) throws -> GroundingOptions {
        GroundingOptions(includeOwnCitations: try config.bool("with_own_citations") ?? false)
    }

    static func unknownKind(_ kind: String) -> PredictionError {
        PredictionError("unknown model kind '\(kind)' (known: \(knownKinds.joined(separator: ", ")))")
    }
}
