import GRDB
import GraphStore

/// The SQL a query compiles to in another dialect than its store's, without running it:
/// what a second backend's tests check its server accepts (the PostgreSQL dialect, issue
/// 16). Planned exactly as `run()` plans (reachability, a RETURN or WITH in the MATCH's
/// statement); the store is asked only what the planner asks it (the ontology, relationship
/// type frequencies, the full-text syntax check).
public struct CompiledStatement: Sendable {
    /// The statement in the dialect (its placeholders included).
    public var sql: String
    /// Its arguments in placeholder order; `.slot(v)` is the id bound to `v` by an
    /// earlier clause, filled per row.
    public var arguments: [SQLArgument]
}

extension QueryEngine {
    /// One statement per MATCH of `text` (a MATCH with the RETURN/WITH computed in it
    /// counts once), written in `dialect`.
    public func compiledStatements(_ text: String, parameters: [String: CypherValue] = [:], dialect: any SQLDialect,
                                   options: QueryOptions = QueryOptions()) throws -> [CompiledStatement] {
        let ast = try compiled.ast(for: text, limits: options.limits)
        let deadline = QueryDeadline(seconds: options.timeLimit, cancellation: options.cancellation)
        return try store.read { db in
            let (ontology, scopes) = try compiled.scopes(for: ast, text: text, in: db)
            let execution = Execution(ast: ast, scopes: scopes, ontology: ontology, options: options, source: .sqlite(db),
                                      writer: nil, parameters: parameters, deadline: deadline, dialect: dialect)
            return try execution.statements()
        }
    }
}

extension Execution {
    func statements() throws -> [CompiledStatement] {
        var out: [CompiledStatement] = []
        var skipNext = false
        for (i, clause) in ast.clauses.enumerated() {
            if skipNext { skipNext = false; continue }
            guard case .match(let optional, let parts, let predicate, _) = clause else { continue }
            let (plan, pushed) = try planMatch(at: i, parts, predicate, optional: optional)
            if let pushed, let next = Execution.projection(after: i, in: ast.clauses) {
                skipNext = true
                let statement = pushed.sql(plan, distinct: next.projection.distinct,
                                           limit: try next.projection.limit.map { try count($0, "LIMIT") },
                                           skip: try next.projection.skip.map { try count($0, "SKIP") })
                let (sql, arguments) = statement.rendered(for: plan.dialect)
                out.append(CompiledStatement(sql: sql, arguments: arguments))
            } else {
                out.append(CompiledStatement(sql: plan.sql, arguments: plan.arguments))
            }
        }
        return out
    }
}
