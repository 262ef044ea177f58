import GRDB
import Ontology

/// A graph held by a database server rather than a SQLite file (PostgreSQL: the
/// PostgresStore module), as the query engine reads it: the statements the compiler wrote
/// in the server's `dialect`, and the same element reads `GraphReads` answers for SQLite.
/// Writes (CREATE, loads) go through the one validating writer on a SQLite copy
/// (`writeThroughStaging`), never as SQL of their own.
public protocol RemoteGraph: AnyObject, Sendable {
    /// The SQL the compiler writes for this server.
    var dialect: any SQLDialect { get }
    /// Where the graph is, for messages (`postgres://user@host:port/db`, no password).
    var location: String { get }

    /// Runs one compiled statement; every row's values in column order.
    func rows(_ sql: String, arguments: [DatabaseValue]) throws -> [[DatabaseValue]]
    /// The server's plan of `sql` (EXPLAIN's lines).
    func queryPlan(_ sql: String, arguments: [DatabaseValue]) throws -> [String]

    /// As `GraphReads.nodeProperties`: nil when no node has this id.
    func nodeProperties(id: Int64) throws -> String??
    /// As `GraphReads.nodeLabels`: sorted.
    func nodeLabels(id: Int64) throws -> [String]
    /// A node's properties and sorted labels in one read (one round trip), nil when no
    /// node has this id.
    func node(id: Int64) throws -> (properties: String?, labels: [String])?
    /// As `GraphReads.edge`.
    func edge(id: Int64) throws -> (type: String, source: Int64, target: Int64, properties: String?)?
    /// As `GraphReads.nodeKey`.
    func nodeKey(id: Int64) throws -> String?
    /// As `GraphReads.edgeCount`.
    func edgeCount(types: [String], upTo limit: Int) throws -> Int
    /// As `GraphReads.maxEdgeID`.
    func maxEdgeID() throws -> Int
    /// The server's full-text syntax error for `terms`, or nil when it accepts them.
    func fullTextSyntaxError(_ terms: String) throws -> String?
    /// As `GraphReads.fullTextScore`: BM25 as FTS5 computes it (`FullTextRank`), nil
    /// when the node does not match `terms`.
    func fullTextScore(terms: String, nodeID: Int64) throws -> Double?

    /// As `GraphReads.nodeID`: nil when no node has this key.
    func nodeID(key: String) throws -> Int64?
    /// As `GraphReads.forEachSnapshotNode`: the nodes with these ids (a citator's
    /// neighbourhood), or every node (`ids` nil: a walk's whole snapshot).
    func snapshotNodes(ids: [Int64]?) throws -> [GraphReads.SnapshotNodeRow]
    /// As `GraphReads.forEachSnapshotEdge`.
    func snapshotEdges(_ selection: GraphReads.EdgeSelection) throws -> [GraphReads.SnapshotEdgeRow]

    /// As `GraphReads.ontologyStamp`.
    func ontologyStamp() throws -> String
    /// As `GraphStore.activeOntology()`.
    func activeOntology() throws -> Ontology
    /// As `GraphStore.dataHorizon(edgeTypes:touching:)`.
    func dataHorizon(edgeTypes: [String], touching nodeTypes: Set<String>?) throws -> DataHorizon

    /// A write through the one validating writer: `body` runs on a SQLite store holding a
    /// copy of the graph (the same writer, ontology checks and refusals as a SQLite
    /// file), and what it changed is then written to the server in one transaction;
    /// nothing when `body` throws, the server refuses a row, or another write committed
    /// since the copy was taken.
    func writeThroughStaging<T>(_ body: (GraphStore) throws -> T) throws -> T
}

extension RemoteGraph {
    public func node(id: Int64) throws -> (properties: String?, labels: [String])? {
        guard let properties = try nodeProperties(id: id) else { return nil }
        return (properties, try nodeLabels(id: id))
    }
}
