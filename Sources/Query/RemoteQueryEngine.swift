import Foundation
import GraphStore
import LexgraphCore

/// The query language over a graph on a server (`RemoteGraph`: PostgreSQL), read-only:
/// the same parse, bind and plan as `QueryEngine`, with each MATCH's statement written in
/// the server's dialect and run there, and the rest (projection, aggregation, ordering,
/// UNWIND) evaluated here exactly as for SQLite.
///
/// Not yet on a server: CREATE (load with `lexgraph load RECIPE --db URL`) and `fts()`
/// scores (errors that say so). The time limit is checked between rows
/// and clauses here; a statement already running on the server is not interrupted.
public final class RemoteQueryEngine: Sendable {
    public let graph: any RemoteGraph
    let compiled = CompiledQueryCache()

    public init(graph: any RemoteGraph) { self.graph = graph }

    public func run(_ text: String, parameters: [String: CypherValue] = [:], options: QueryOptions = QueryOptions()) throws -> QueryResult {
        try options.validate()
        let ast = try compiled.ast(for: text, limits: options.limits)
        let started = Date()
        let deadline = QueryDeadline(seconds: options.timeLimit, cancellation: options.cancellation)
        do {
            let (ontology, scopes) = try compiled.scopes(for: ast, text: text, on: graph)
            if ast.writes {
                let create = ast.clauses.lazy.compactMap { clause -> SourcePosition? in
                    if case .create(_, let position) = clause { return position } else { return nil }
                }.first
                throw QueryError(.readOnly, "NotOnServer", "CREATE is not available on \(graph.location) yet: load data with `lexgraph load RECIPE --db URL`",
                                 at: create, in: text)
            }
            let execution = Execution(ast: ast, scopes: scopes, ontology: ontology, options: options, source: .remote(graph),
                                      writer: nil, parameters: parameters, deadline: deadline, dialect: graph.dialect)
            return try execution.result(started: started) { try execution.run() }
        } catch let error as GraphStoreError {
            throw QueryError(.runtime, "DatabaseError", error.message)
        }
    }
}
