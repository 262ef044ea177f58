import Foundation
import GraphAlgorithms
import LexgraphCore

extension Functions {
    /// `citator(n [, hops])`: the good-law status of node `n` as `lexgraph status` derives
    /// it (GraphAlgorithms' citator), as of the query's AS OF date, or today without one:
    /// a map `{level, as_of, citing, overruled_by, negative_treatments, relies_on,
    /// explanation}`. `level` is one of 'overruled', 'negative treatment', 'relies on
    /// overruled authority', 'good law'; `hops` (default 1, at most 5) bounds the
    /// out-citation chains searched for overruled authority.
    /// Example: `MATCH (c:SupremeCourtCase) WHERE citator(c).level = 'overruled' RETURN c.name`.
    static func citator(_ args: [CypherValue], _ e: Expr, _ ev: Evaluator) throws -> CypherValue {
        guard case .node(let id) = args[0] else {
            throw ev.typeError("citator() takes a node, got \(args[0].typeName)", e)
        }
        var hops = 1
        if args.count > 1 {
            guard case .int(let h) = args[1] else { throw ev.typeError("citator()'s hops must be an Integer, got \(args[1].typeName)", e) }
            guard (0...5).contains(h) else { throw ev.argumentError("citator()'s hops must be between 0 and 5, got \(h)", e) }
            hops = Int(h)
        }
        let asOf = ev.asOf ?? LegalDate.today
        let key = try ev.graph.key(ofNode: id)
        let status: CitatorStatus
        do {
            let snapshot = try ev.graph.remote.map { try GraphSnapshot.loadCitatorNeighborhood($0, ontology: ev.ontology, of: key, hops: hops) }
                ?? GraphSnapshot.loadCitatorNeighborhood(ev.graph.sqlite("citator()"), ontology: ev.ontology, of: key, hops: hops)
            status = try snapshot.citatorStatus(of: key, asOf: asOf, hops: hops)
        } catch let error as LexgraphError {
            throw ev.argumentError("citator(\(key)): \(error.message)", e)
        }
        func treatment(_ t: CitingTreatment) -> CypherValue {
            .map(["case": .string(t.citingKey), "edge": .string(t.edgeType),
                  "treatment": t.treatment.map(CypherValue.string) ?? .null, "date": t.date.map { .string($0.iso) } ?? .null])
        }
        return .map([
            "level": .string(status.level.rawValue),
            "as_of": .string(asOf.iso),
            "citing": .int(Int64(status.citingCount)),
            "overruled_by": .list(status.overruledBy.map(treatment)),
            "negative_treatments": .list(status.negativeTreatments.map(treatment)),
            "relies_on": .list(status.reliances.map { .string($0.authority) }),
            "explanation": .list(status.explanation.map(CypherValue.string)),
        ])
    }
}
