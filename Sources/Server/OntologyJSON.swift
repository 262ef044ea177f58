import GraphStore
import LexgraphCore
import Ontology

/// The JSON answers of the `/v1/ontology` routes. Each carries, besides its fields, the
/// lines the CLI prints for the same file (`lines` or `text`), so the two can be compared.
enum OntologyJSON {
    static func location(_ location: SourceLocation?) -> [String: Value] {
        guard let location else { return [:] }
        return ["location": .map(["file": location.file.map(Value.string) ?? .null,
                                  "line": location.line.map { .int(Int64($0)) } ?? .null,
                                  "column": location.column.map { .int(Int64($0)) } ?? .null])]
    }

    static func ontology(_ o: Ontology) -> Value {
        .map(["name": .string(o.name), "version": .int(Int64(o.version)), "node_types": .int(Int64(o.nodeTypes.count)),
              "edge_types": .int(Int64(o.edgeTypes.count)), "identifier_formats": .int(Int64(o.identifierFormats.count))])
    }

    /// `{"ok": true, "kind", "source", "ontology", "update": {...} | null, "lines"}`.
    static func validation(_ v: OntologyValidation, source: String) -> Value {
        var update: Value = .null
        if let u = v.update, let plan = v.plan {
            update = .map(["number": .int(Int64(u.number)), "date": .string(u.date.description), "base_version": .int(Int64(u.baseVersion)),
                           "description": .string(u.description),
                           "changes": .list(plan.steps.map { step in
                               let fields: [String: Value] = ["operation": .string(step.change.operationName), "change": .string(step.change.summary),
                                                              "impact": .string(step.impact.rawValue)]
                               return .map(fields.merging(location(step.location)) { a, _ in a })
                           })])
        }
        return .map(["ok": .bool(true), "kind": .string(v.kind.rawValue), "source": .string(source), "ontology": ontology(v.result),
                     "update": update, "lines": .list(v.lines.map(Value.string))])
    }

    /// `{"status", "number", "base_version", "source", "applicable", "changes": [...],
    /// "violations", "violation_count", "text"}`; `text` is what the CLI prints.
    static func report(_ r: OntologyUpdateReport) -> Value {
        .map(["status": .string(r.status.rawValue), "number": .int(Int64(r.number)), "base_version": .int(Int64(r.baseVersion)),
              "source": .string(r.source), "applicable": .bool(r.isApplicable),
              "changes": .list(r.outcomes.map(outcome)),
              "violations": .list(r.violations.map(Value.string)), "violation_count": .int(Int64(r.violationCount)),
              "text": .string(r.text)])
    }

    static func outcome(_ o: ChangeOutcome) -> Value {
        var fields: [String: Value] = [
            "operation": .string(o.change.operationName), "change": .string(o.change.summary), "impact": .string(o.impact.rawValue),
            "touched": .map(["nodes": .int(Int64(o.touched.nodes)), "edges": .int(Int64(o.touched.edges)),
                             "sample_keys": .list(o.touched.sampleKeys.map(Value.string))]),
            "line": .string(o.line),
        ]
        switch o.action {
        case .nothingStored: fields["action"] = .string("nothing_stored")
        case .schemaOnly: fields["action"] = .string("schema_only")
        case .migrated: fields["action"] = .string("migrated")
        case .dropped: fields["action"] = .string("dropped")
        case .refused(let count, let reason):
            fields["action"] = .string("refused")
            fields["refused_count"] = .int(Int64(count))
            fields["reason"] = .string(reason)
        }
        return .map(fields.merging(location(o.location)) { a, _ in a })
    }
}
