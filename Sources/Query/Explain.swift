import GRDB
import GraphStore

/// EXPLAIN: the SQL each MATCH runs (with its bound arguments) and the engine's plan for it,
/// decided exactly as `run()` decides it (reachability matching, a RETURN or WITH
/// computed in the MATCH's statement), or the native traversal that answers it instead
/// (`NativeTraversal`).
extension Execution {
    func explain() throws -> [String] {
        var lines: [String] = []
        var skipNext = false
        for (i, clause) in ast.clauses.enumerated() {
            if skipNext { skipNext = false; continue }
            guard case .match(let optional, let parts, let predicate, _) = clause else {
                lines.append("-- \(Execution.clauseName(clause)): evaluated in Swift")
                continue
            }
            let next = Execution.projection(after: i, in: ast.clauses)
            if let degree = try nativeDegree(at: i, parts, predicate, optional: optional), let next {
                // Decided as `run()` decides: no SQL runs for this MATCH.
                skipNext = true
                lines.append("-- MATCH + \(Execution.clauseName(ast.clauses[i + 1])): \(degree.plan.summary)")
                continue
            }
            if let native = try nativeTraversal(at: i, parts, predicate) {
                // Decided as `run()` decides: only the seeds' SQL runs for this MATCH.
                let bound = native.seeds.boundVariables + native.plan.endBound
                if i == 0, !optional, let next, native.plan.endBound.isEmpty, native.plan.countsOnly(next.projection) {
                    skipNext = true
                    lines.append("-- MATCH + \(Execution.clauseName(ast.clauses[i + 1])): \(native.plan.summary); the counts come from the traversal")
                } else {
                    lines.append("-- \(optional ? "OPTIONAL MATCH" : "MATCH")" + (bound.isEmpty ? "" : " (run per row for \(bound.joined(separator: ", ")))")
                                 + ": \(native.plan.summary)")
                }
                lines.append("-- the seeds:")
                try explainSQL(native.seeds, into: &lines)
                continue
            }
            let (plan, pushed) = try planMatch(at: i, parts, predicate, optional: optional)
            let sql: String, arguments: [DatabaseValue]
            if let pushed, let next {
                skipNext = true
                (sql, arguments) = try pushedSQL(pushed, plan, next.projection)
                lines.append("-- MATCH + \(Execution.clauseName(ast.clauses[i + 1])): one SQL statement")
            } else {
                sql = plan.sql
                arguments = plan.arguments.map { a -> DatabaseValue in
                    if case .value(let v) = a { return v }
                    return .null
                }
                lines.append("-- \(optional ? "OPTIONAL MATCH" : "MATCH")" + (plan.boundVariables.isEmpty ? "" : " (run per row for \(plan.boundVariables.joined(separator: ", ")))"))
            }
            try explainSQL(plan, sql: sql, arguments: arguments, into: &lines)
        }
        return lines
    }

    /// A statement's lines: its SQL, arguments, what Swift checks, SQLite's plan. Without
    /// `sql`, the plan's own statement (an id bound by an earlier clause shows as NULL).
    private func explainSQL(_ plan: MatchPlan, sql: String? = nil, arguments: [DatabaseValue]? = nil, into lines: inout [String]) throws {
        let sql = sql ?? plan.sql
        let arguments = arguments ?? plan.arguments.map { a -> DatabaseValue in
            if case .value(let v) = a { return v }
            return .null
        }
        lines.append(sql + ";")
        lines.append("-- arguments: " + arguments.map { $0.description }.joined(separator: ", "))
        if !plan.residual.isEmpty { lines.append("-- plus \(plan.residual.count) predicate(s) checked in Swift") }
        let planLines = try plan.positioningErrors(source: ast.source) {
            try graph.queryPlan(sql, arguments: arguments)
        }
        for line in planLines {
            lines.append("-- plan: " + line)
        }
    }
}
