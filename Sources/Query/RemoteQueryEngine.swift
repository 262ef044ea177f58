import Foundation
import GraphStore
import LexgraphCore

/// The query language over a graph on a server (`RemoteGraph`: PostgreSQL): the same
/// parse, bind and plan as `QueryEngine`, with each MATCH's statement written in the
/// server's dialect and run there, and the rest (projection, aggregation, ordering,
/// UNWIND) evaluated here exactly as for SQLite.
///
/// A query that writes (CREATE, with `QueryOptions.write`) runs whole, MATCH included, in
/// `QueryEngine` on a staging SQLite copy of the graph (`RemoteGraph.writeThroughStaging`):
/// the same validating writer, refusals and results as on a SQLite file, and what it
/// created goes to the server in one transaction, or nothing does. The copy costs what
/// the graph's size costs (as `build` does) and counts against the query's time limit,
/// though it is not interrupted: CREATE is for small edits here; bulk data goes through `lexgraph load RECIPE --db URL`, which
/// stages only the rows it touches. The time limit is checked between rows and clauses
/// here; a statement already running on the server is not interrupted.
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
                // Bound above against the server's ontology: a refused query stages nothing.
                guard options.write else { throw ast.readOnlyRefusal }
                return try graph.writeThroughStaging { staging in
                    var rest = options
                    rest.timeLimit = max(options.timeLimit - Date().timeIntervalSince(started), 0.001)
                    return try QueryEngine(store: staging).run(text, parameters: parameters, options: rest)
                }
            }
            let execution = Execution(ast: ast, scopes: scopes, ontology: ontology, options: options, source: .remote(graph),
                                      writer: nil, parameters: parameters, deadline: deadline, dialect: graph.dialect)
            return try execution.result(started: started) { try execution.run() }
        } catch let error as GraphStoreError {
            throw QueryError(.runtime, "DatabaseError", error.message)
        }
    }
}
