/// Telling a query that writes from one that only reads, before running it: what a
/// caller needs to refuse a write up front (the service's roles) rather than from the
/// `.readOnly` error half-way through a batch of statements.
extension QueryAST {
    /// Whether the query has a CREATE clause (the only writing clause of the language).
    var hasCreate: Bool { clauses.contains { if case .create = $0 { return true } else { return false } } }

    /// Whether running the query writes: a CREATE outside EXPLAIN (which only plans).
    var writes: Bool { hasCreate && mode != .explain }

    /// The refusal of a writing query run without `QueryOptions.write`, at its first CREATE
    /// (the same on every backend).
    var readOnlyRefusal: QueryError {
        let create = clauses.lazy.compactMap { clause -> SourcePosition? in
            if case .create(_, let position) = clause { return position } else { return nil }
        }.first
        return QueryError(.readOnly, "ReadOnly", "this query writes (CREATE) but the query runs read-only: pass --write (QueryOptions.write)",
                          at: create, in: source)
    }
}

extension QueryEngine {
    /// Whether `text` writes to the graph when run. Parses it (through the same cache
    /// `run` uses, so the run that follows does not parse again); a query that does not
    /// parse throws the same `QueryError` that `run` would.
    public func writes(_ text: String, limits: QueryLimits = QueryLimits()) throws -> Bool {
        try compiled.ast(for: text, limits: limits).writes
    }
}

extension RemoteQueryEngine {
    /// As `QueryEngine.writes`: whether `text` writes (CREATE).
    public func writes(_ text: String, limits: QueryLimits = QueryLimits()) throws -> Bool {
        try compiled.ast(for: text, limits: limits).writes
    }
}
