import Foundation
import GRDB
import GraphStore
import LexgraphCore

/// CREATE: makes the pattern's new nodes and relationships once per input row,
/// through the store's validating `GraphWriter` (so ontology mode checks every write).
extension Execution {
    func create(_ parts: [PatternPart], _ input: [Bindings]) throws -> [Bindings] {
        guard let writer else {
            throw QueryError(.readOnly, "ReadOnly", "CREATE needs write mode (pass --write)")
        }
        // Refused before the first write (the query's transaction would undo them anyway).
        if input.count > options.rowLimit {
            throw QueryError(.rowLimit, "RowLimit", "CREATE would run for \(input.count) rows, over the row limit of \(options.rowLimit); nothing was written. Create in smaller batches or raise the row limit")
        }
        var out: [Bindings] = []
        for var row in input {
            try deadline.step()
            for part in parts {
                var nodeIds: [Int64] = []
                for node in part.nodes {
                    if let v = node.variable, let existing = row[v] {
                        guard case .node(let id) = existing else {
                            throw QueryError(.type, "VariableTypeConflict", "'\(v)' is not a node (it is \(existing.typeName))", at: node.position, in: ast.source)
                        }
                        nodeIds.append(id)
                        continue
                    }
                    let id = try createNode(node, row, writer)
                    if let v = node.variable { row[v] = .node(id) }
                    nodeIds.append(id)
                }
                var relIds: [Int64] = []
                for (i, rel) in part.relationships.enumerated() {
                    let (a, b) = rel.direction == .incoming ? (nodeIds[i + 1], nodeIds[i]) : (nodeIds[i], nodeIds[i + 1])
                    let id = try createRelationship(rel, from: a, to: b, row, writer)
                    if let v = rel.variable { row[v] = .relationship(id) }
                    relIds.append(id)
                }
                if let p = part.pathVariable { row[p] = .path(nodes: nodeIds, relationships: relIds) }
            }
            out.append(row)
            memory.endRow()
        }
        return out
    }

    func properties(_ e: Expr?, _ row: Bindings) throws -> [String: Value] {
        guard let e else { return [:] }
        let v = try evaluator.evaluate(e, row)
        guard case .map(let m) = v else {
            throw QueryError(.type, "InvalidArgumentType", "properties must be a map, got \(v.typeName)", at: e.position, in: ast.source)
        }
        var out: [String: Value] = [:]
        for (k, item) in m where !item.isNull {
            guard let stored = item.storable else {
                throw QueryError(.type, "InvalidPropertyType", "property '\(k)' cannot hold a \(item.typeName)", at: e.position, in: ast.source)
            }
            out[k] = stored
        }
        return out
    }

    func createNode(_ node: NodePattern, _ row: Bindings, _ writer: GraphWriter) throws -> Int64 {
        let props = try properties(node.properties, row)
        if !ontology.isPermissive && node.labels.count != 1 {
            throw QueryError(.syntax, "InvalidLabels", "in ontology mode CREATE needs exactly one label (the node type)", at: node.position, in: ast.source)
        }
        let key = "query:" + UUID().uuidString.lowercased()
        let input = NodeInput(key: key, type: node.labels.first ?? "", extraLabels: Array(node.labels.dropFirst()),
                              properties: props, location: SourceLocation(line: node.position.line, column: node.position.column))
        do {
            try writer.upsert(input)
        } catch let error as GraphStoreError {
            throw QueryError(.runtime, "ConstraintViolation", error.message, at: node.position, in: ast.source)
        }
        guard let id = try writer.lookup(key)?.id else {
            throw QueryError(.runtime, "Internal", "created node \(key) cannot be read back")
        }
        return id
    }

    func createRelationship(_ rel: RelationshipPattern, from: Int64, to: Int64, _ row: Bindings, _ writer: GraphWriter) throws -> Int64 {
        let props = try properties(rel.properties, row)
        let keys = try [from, to].map { id -> String in
            guard let key = try GraphReads.nodeKey(db, id: id) else {
                throw QueryError(.runtime, "EntityNotFound", "node \(id) does not exist")
            }
            return key
        }
        let input = EdgeInput(key: nil, type: rel.types.first ?? "", from: keys[0], to: keys[1], properties: props,
                              location: SourceLocation(line: rel.position.line, column: rel.position.column))
        do {
            try writer.upsert(input)
        } catch let error as GraphStoreError {
            throw QueryError(.runtime, "ConstraintViolation", error.message, at: rel.position, in: ast.source)
        }
        return try db.lastInsertedRowID
    }
}
