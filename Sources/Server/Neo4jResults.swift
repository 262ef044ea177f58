import LexgraphCore
import Query

/// Results and errors in the shape of Neo4j's HTTP API (`/db/{name}/tx/commit`), so that
/// clients written for it read ours:
/// `{"results": [{"columns": [...], "data": [{"row": [...], "meta": [...]}]}], "errors": [{"code": ..., "message": ...}]}`.
/// In a row a node or relationship is its property map and a path the alternating list
/// of them; `meta` says, per value, which were nodes or relationships and their ids.
enum Neo4jResults {
    static func result(_ result: QueryResult) -> Value {
        .map([
            "columns": .list(result.columns.map(Value.string)),
            "data": .list(result.rows.map { row in
                .map(["row": .list(row.map { value($0, result.elements) }), "meta": .list(row.map { meta($0, result.elements) })])
            }),
        ])
    }

    static func value(_ v: CypherValue, _ graph: ResultElements) -> Value {
        switch v {
        case .node(let id): return .map((graph.nodes[id]?.properties ?? [:]).mapValues { value($0, graph) })
        case .relationship(let id): return .map((graph.relationships[id]?.properties ?? [:]).mapValues { value($0, graph) })
        case .path(let nodes, let relationships): return .list(pathElements(nodes, relationships).map { value($0, graph) })
        case .list(let items): return .list(items.map { value($0, graph) })
        case .map(let m): return .map(m.mapValues { value($0, graph) })
        default: return v.storable ?? .null
        }
    }

    static func meta(_ v: CypherValue, _ graph: ResultElements) -> Value {
        switch v {
        case .node(let id): return element(id, "node")
        case .relationship(let id): return element(id, "relationship")
        case .path(let nodes, let relationships): return .list(pathElements(nodes, relationships).map { meta($0, graph) })
        case .list(let items): return .list(items.map { meta($0, graph) })
        default: return .null
        }
    }

    static func element(_ id: Int64, _ type: String) -> Value {
        .map(["id": .int(id), "elementId": .string(String(id)), "type": .string(type), "deleted": .bool(false)])
    }

    static func pathElements(_ nodes: [Int64], _ relationships: [Int64]) -> [CypherValue] {
        var out: [CypherValue] = []
        for (i, node) in nodes.enumerated() {
            out.append(.node(node))
            if i < relationships.count { out.append(.relationship(relationships[i])) }
        }
        return out
    }

    /// One entry of `errors`.
    static func error(_ code: String, _ message: String) -> Value {
        .map(["code": .string(code), "message": .string(message)])
    }

    /// A query's error with Neo4j's status code for its kind; the message starts with
    /// `line:column:` where the error has a place and shows the line with a caret.
    static func error(_ e: QueryError, statement index: Int) -> Value {
        error(code(for: e.kind), "statements[\(index)]: " + e.description)
    }

    static func code(for kind: QueryError.Kind) -> String {
        switch kind {
        case .syntax: return "Neo.ClientError.Statement.SyntaxError"
        case .type: return "Neo.ClientError.Statement.TypeError"
        case .argument: return "Neo.ClientError.Statement.ArgumentError"
        case .parameterMissing: return "Neo.ClientError.Statement.ParameterMissing"
        case .readOnly: return "Neo.ClientError.Security.Forbidden"
        case .rowLimit: return "Neo.ClientError.Statement.RowLimitExceeded"
        case .timeout: return "Neo.ClientError.Transaction.TransactionTimedOut"
        case .memoryLimit: return "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
        case .cancelled: return "Neo.TransientError.Transaction.Terminated"
        case .runtime: return "Neo.DatabaseError.Statement.ExecutionFailed"
        case .unsupported: return "Neo.ClientError.Statement.FeatureNotSupported"
        }
    }

    static func body(results: [Value], errors: [Value]) -> Value {
        .map(["results": .list(results), "errors": .list(errors)])
    }
}
