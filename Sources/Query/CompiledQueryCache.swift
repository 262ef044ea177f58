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
/// now starts at planning. The parse depends on the text alone; the binding (labels,
/// types and properties checked against the ontology) on the text and the ontology, so it
/// is kept with the ontology's stamp and redone when an update or a mode change moves the
/// stamp. Plans are not kept: they depend on the parameters' values and types.
final class CompiledQueryCache: @unchecked Sendable {
    /// Distinct query texts kept; the oldest goes first beyond this.
    static let capacity = 256

    private struct Entry {
        let ast: QueryAST
        /// The limits the text was parsed under: a run with other limits parses again.
        let limits: QueryLimits
        var binding: (stamp: String, scopes: [Binder.Scope])?
    }

    private let lock = NSLock()
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
        try scopes(for: ast, text: text, stamp: try GraphReads.ontologyStamp(db)) { try GraphStore.activeOntology(in: db) }
    }

    /// The same for a graph on a server (`RemoteGraph`).
    func scopes(for ast: QueryAST, text: String, on remote: any RemoteGraph) throws -> (Ontology, [Binder.Scope]) {
        try scopes(for: ast, text: text, stamp: try remote.ontologyStamp()) { try remote.activeOntology() }
    }

    /// `ast`'s scopes under the ontology whose stamp is `current` (`load` reads it when
    /// the cached one is another).
    private func scopes(for ast: QueryAST, text: String, stamp current: String, load: () throws -> Ontology) throws -> (Ontology, [Binder.Scope]) {
        let (stamp, ontology) = try activeOntology(stamp: current, load: load)
        if let binding = locked({ entries[text]?.binding }), binding.stamp == stamp { return (ontology, binding.scopes) }
        let scopes = try Binder(ontology: ontology, source: text).bind(ast)
        locked { entries[text]?.binding = (stamp, scopes) }
        return (ontology, scopes)
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
