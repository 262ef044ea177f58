import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Ontology

/// Queries already parsed and checked, and the store's active ontology, kept across runs
/// of one `QueryEngine`.
///
/// Applications run the same parameterized query again and again (`$start` changes, the
/// text does not), and so do `lexgraph query --repeat` and a shell's recalled lines.
/// Lexing, parsing and binding were half of a one-hop query's 0.2 ms; a query seen before
/// now starts by filling its kept plan's arguments. The parse depends on the text alone; the binding (labels,
/// types and properties checked against the ontology) on the text and the ontology, so it
/// is kept with the ontology's stamp and redone when an update or a mode change moves the
/// stamp. MATCH plans are kept with the binding (`CompiledPlans`), by the parameters'
/// signature, their values filled in per run.
final class CompiledQueryCache: @unchecked Sendable {
    /// Distinct query texts kept; the oldest goes first beyond this.
    static let capacity = 256

    private struct Entry {
        let ast: QueryAST
        /// The limits the text was parsed under: a run with other limits parses again.
        let limits: QueryLimits
        /// The binding and the MATCH plans kept under the ontology of `stamp`.
        var binding: (stamp: String, scopes: [Binder.Scope], plans: CompiledPlans)?
    }

    private let lock = NSLock()
    let planStatistics = PlanStatistics.Counter()
    private var entries: [String: Entry] = [:]
    private var arrival: [String] = []
    private var ontologyStamp: String?
    private var ontology: Ontology?

    /// The parsed query `text` (parse errors are thrown every time, never kept).
    func ast(for text: String, limits: QueryLimits = QueryLimits()) throws -> QueryAST {
        if let entry = locked({ entries[text] }), entry.limits == limits { return entry.ast }
        let ast = try Parser.parse(text, limits: limits)
        locked {
            guard entries[text]?.limits != limits else { return }
            if entries[text] == nil {
                if arrival.count >= CompiledQueryCache.capacity { entries[arrival.removeFirst()] = nil }
                arrival.append(text)
            }
            entries[text] = Entry(ast: ast, limits: limits)
        }
        return ast
    }

    /// The active ontology in `db`'s snapshot and `ast`'s scopes bound against it.
    func scopes(for ast: QueryAST, text: String, in db: Database) throws -> (Ontology, [Binder.Scope]) {
        let (ontology, scopes, _) = try compiled(ast, text: text, in: db)
        return (ontology, scopes)
    }

    /// The same, and the MATCH plans kept for `text` under that ontology (a new, empty
    /// set after the ontology or the store's mode changed: plans name its labels' types).
    func compiled(_ ast: QueryAST, text: String, in db: Database) throws -> (Ontology, [Binder.Scope], CompiledPlans) {
        try scopes(for: ast, text: text, stamp: try GraphReads.ontologyStamp(db)) { try GraphStore.activeOntology(in: db) }
    }

    /// The same for a graph on a server (`RemoteGraph`).
    func scopes(for ast: QueryAST, text: String, on remote: any RemoteGraph) throws -> (Ontology, [Binder.Scope]) {
        let (ontology, scopes, _) = try scopes(for: ast, text: text, stamp: try remote.ontologyStamp()) { try remote.activeOntology() }
        return (ontology, scopes)
    }

    /// `ast`'s scopes under the ontology whose stamp is `current` (`load` reads it when
    /// the cached one is another).
    private func scopes(for ast: QueryAST, text: String, stamp current: String, load: () throws -> Ontology) throws -> (Ontology, [Binder.Scope], CompiledPlans) {
        let (stamp, ontology) = try activeOntology(stamp: current, load: load)
        if let binding = locked({ entries[text]?.binding }), binding.stamp == stamp { return (ontology, binding.scopes, binding.plans) }
        let scopes = try Binder(ontology: ontology, source: text).bind(ast)
        let plans = CompiledPlans(statistics: planStatistics)
        locked { entries[text]?.binding = (stamp, scopes, plans) }
        return (ontology, scopes, plans)
    }

    /// The store's active ontology, parsed once and reused while its newest version (and
    /// the store's mode) stay the same: parsing the YAML document takes tens of
    /// milliseconds, more than most queries.
    private func activeOntology(stamp current: String, load: () throws -> Ontology) throws -> (stamp: String, ontology: Ontology) {
        if let ontology = locked({ current == ontologyStamp ? ontology : nil }) { return (current, ontology) }
        let parsed: Ontology
        do { parsed = try load() } catch let e as LexgraphError {
            throw QueryError(.runtime, "NoOntology", e.message)
        }
        locked {
            ontologyStamp = current
            ontology = parsed
        }
        return (current, parsed)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
