import LexgraphCore

/// One change of a plan, with the ontology before and after it (the store counts the
/// items a change affects under `before` and re-validates them under `after`).
public struct PlannedChange: Sendable {
    public var change: OntologyChange
    public var location: SourceLocation?
    public var impact: ChangeImpact
    public var before: Ontology
    public var after: Ontology
}

/// What applying a list of changes to an ontology gives, before any store is involved:
/// the resulting ontology (its version set to the update's number) and each step
/// classified. The pure half of `lexgraph ontology diff/apply`.
public struct OntologyUpdatePlan: Sendable {
    public var base: Ontology
    public var result: Ontology
    public var steps: [PlannedChange]

    /// Applies `changes` in order to `base`; a change that does not fit the ontology it
    /// meets is an error at its place in the file.
    public init(base: Ontology, changes: [LocatedChange], resultVersion: Int) throws {
        guard !base.isPermissive else {
            throw OntologyError(message: "the database is schema-free (permissive); it has no ontology to update")
        }
        var current = base
        var steps: [PlannedChange] = []
        for located in changes {
            let next: Ontology
            do {
                next = try current.applying(located.change)
            } catch let error as OntologyError {
                throw OntologyError(location: located.location ?? error.location, message: "\(located.change.operationName): \(error.message)")
            }
            steps.append(PlannedChange(change: located.change, location: located.location,
                                       impact: current.impact(of: located.change), before: current, after: next))
            current = next
        }
        current.version = resultVersion
        self.base = base
        self.result = current
        self.steps = steps
    }

    public var hasBreakingChanges: Bool { steps.contains { $0.impact == .breaking } }

    /// The change list as the history records it: one line per change.
    public var summary: String {
        steps.map { "\($0.impact == .breaking ? "!" : $0.impact == .dataMigration ? "~" : "+") \($0.change.summary)" }
            .joined(separator: "\n")
    }
}

extension OntologyUpdate {
    /// The plan of this update on `base`, which must be the version it was written for.
    public func plan(on base: Ontology) throws -> OntologyUpdatePlan {
        guard base.version == baseVersion else {
            throw OntologyError(location: SourceLocation(file: file), message: "update \(number) applies to version \(baseVersion), but the ontology is at version \(base.version)")
        }
        return try OntologyUpdatePlan(base: base, changes: changes, resultVersion: number)
    }
}
