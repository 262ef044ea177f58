import LexgraphCore
import Ontology

/// The curator's three verbs on one parsed file (`OntologyFile`), shared by
/// `lexgraph ontology validate|diff|apply` and the server's `/v1/ontology/...` routes so
/// both run the same checks, transaction and refusals.
extension GraphStore {
    /// `validate` against this database: a document as parsed, an update planned on the
    /// active ontology.
    public func validateOntologyFile(_ file: OntologyFile) throws -> OntologyValidation {
        try file.validation { _ in try activeOntology() }
    }

    /// `diff`: what the file would change in the stored data, nothing written (a dry run
    /// rolled back; on a read-only store, on an in-memory copy). A document is compared
    /// with the active ontology; an update is counted as `apply --dry-run` counts it.
    public func diffOntologyFile(_ file: OntologyFile, source: String) throws -> OntologyFileDiff {
        switch file {
        case .document(let ontology, _):
            let report = try previewOntologyDocument(ontology, source: source)
            let note = report.number <= report.baseVersion
                ? "note: the document's version \(report.number) is not above the active version \(report.baseVersion); an update producing it would need number \(report.baseVersion + 1)"
                : nil
            return OntologyFileDiff(report: report, note: note)
        case .update(let update):
            return OntologyFileDiff(report: try applyOntologyUpdate(update, options: OntologyApplyOptions(dryRun: true)), note: nil)
        }
    }

    /// `apply`: an update in one transaction (see `applyOntologyUpdate`); a document is
    /// refused (it installs only in a new database, `lexgraph ontology init`).
    public func applyOntologyFile(_ file: OntologyFile, source: String, options: OntologyApplyOptions) throws -> OntologyUpdateReport {
        switch file {
        case .document:
            throw OntologyError(location: SourceLocation(file: source),
                                message: "this is an ontology document; `apply` takes an update file (`lexgraph ontology init` installs a document in a new database)")
        case .update(let update):
            return try applyOntologyUpdate(update, options: options)
        }
    }
}

/// What `diff` found: the counted report and, for a document whose version is not above
/// the active one, a note on the update number it would need.
public struct OntologyFileDiff: Sendable {
    public var report: OntologyUpdateReport
    public var note: String?

    /// The lines `lexgraph ontology diff` prints.
    public var lines: [String] { [report.text] + (note.map { [$0] } ?? []) }
}
