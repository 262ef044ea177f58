import LexgraphCore

/// What `lexgraph ontology validate` and `POST /v1/ontology/validate` report for a
/// curator's file that parses and fits: a document's overview, or an update's plan on
/// the ontology it applies to. Problems are thrown (`OntologyError` at file:line:column).
public struct OntologyValidation: Sendable {
    public enum Kind: String, Sendable { case document, update }

    public var kind: Kind
    /// The ontology the file describes (a document) or produces (an update).
    public var result: Ontology
    /// The update and its plan (nil for a document).
    public var update: OntologyUpdate?
    public var plan: OntologyUpdatePlan?

    /// The lines `validate` prints: `OK: ...`, then for an update its description and one
    /// line per change (`+` additive, `~` data migration, `!` breaking).
    public var lines: [String] {
        guard let update, let plan else { return ["OK: \(result.overview)"] }
        return ["OK: update \(update.number) (\(update.date)) turns version \(update.baseVersion) into \(plan.result.overview)",
                update.description, plan.summary]
    }
}

extension OntologyFile {
    /// Checks the file: a document as parsed; an update planned on `base(update)`, the
    /// ontology it applies to (the CLI rebuilds it from the released document and the
    /// earlier update files; the server reads the database's active version).
    public func validation(base: (OntologyUpdate) throws -> Ontology) throws -> OntologyValidation {
        switch self {
        case .document(let ontology, _):
            return OntologyValidation(kind: .document, result: ontology)
        case .update(let update):
            let plan = try update.plan(on: try base(update))
            return OntologyValidation(kind: .update, result: plan.result, update: update, plan: plan)
        }
    }
}
