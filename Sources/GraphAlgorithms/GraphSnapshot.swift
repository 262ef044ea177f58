import LexgraphCore
import Ontology

/// An immutable in-memory copy of the graph's topology, built once and walked many
/// times: node keys and types, edge types and treatments, validity ranges as day
/// numbers, and compressed adjacency (CSR) for out- and in-edges.
///
/// Why: a prediction run does thousands of as-of walks; with everything in flat integer
/// arrays the as-of filter is an integer compare per edge and a depth-2 walk with
/// PageRank over the SCOTUS graph takes milliseconds, where SQL would take a round
/// trip per frontier. Properties other than `treatment` stay in the store.
public struct GraphSnapshot: Sendable {
    // Nodes, by dense index 0..<nodeCount.
    public let keys: [String]
    let nodeType: [Int32]
    /// Distinct node type names; `nodeType` indexes this.
    public let nodeTypeNames: [String]
    let nodeFrom: [Int32]
    let nodeTo: [Int32]
    let indexByKey: [String: Int32]

    // Edges, by dense index 0..<edgeCount.
    let edgeSource: [Int32]
    let edgeTarget: [Int32]
    let edgeType: [Int32]
    /// Index into `treatmentNames`, or -1.
    let edgeTreatment: [Int32]
    let edgeFrom: [Int32]
    let edgeTo: [Int32]
    /// Distinct edge type names; `edgeType` indexes this.
    public let edgeTypeNames: [String]
    /// Distinct treatment names; `edgeTreatment` indexes this.
    public let treatmentNames: [String]

    /// Out-edges (neighbor = target) and in-edges (neighbor = source) of each node,
    /// each list in edge order (the order the edges were given, i.e. store id order).
    let outgoing: Adjacency
    let incoming: Adjacency
    /// Per node, the edges that overrule it (OVERRULES in, or CITES treated 'overruled').
    let overruledBy: Adjacency

    /// Used to widen a node type filter to its subtypes (`Case` matches
    /// `SupremeCourtCase`); nil when the snapshot was built without one.
    public let ontology: Ontology?

    public var nodeCount: Int { keys.count }
    public var edgeCount: Int { edgeSource.count }

    /// Builds a snapshot. Throws for an edge whose endpoint index is out of range or a
    /// key given twice.
    public init(nodes: [SnapshotNode], edges: [SnapshotEdge], ontology: Ontology? = nil) throws {
        var keys: [String] = [], indexByKey: [String: Int32] = [:]
        var typeIndex: [String: Int32] = [:], typeNames: [String] = []
        var nodeType: [Int32] = [], nodeFrom: [Int32] = [], nodeTo: [Int32] = []
        keys.reserveCapacity(nodes.count); indexByKey.reserveCapacity(nodes.count)
        nodeType.reserveCapacity(nodes.count); nodeFrom.reserveCapacity(nodes.count); nodeTo.reserveCapacity(nodes.count)
        for node in nodes {
            guard indexByKey[node.key] == nil else {
                throw GraphAlgorithmsError(message: "node key '\(node.key)' appears twice in the snapshot input")
            }
            indexByKey[node.key] = Int32(keys.count)
            keys.append(node.key)
            nodeType.append(GraphSnapshot.intern(node.type, &typeIndex, &typeNames))
            nodeFrom.append(node.validFrom.map(DayNumber.of) ?? DayNumber.openStart)
            nodeTo.append(node.validTo.map(DayNumber.of) ?? DayNumber.openEnd)
        }

        var edgeTypeIndex: [String: Int32] = [:], edgeTypeNames: [String] = []
        var treatmentIndex: [String: Int32] = [:], treatmentNames: [String] = []
        var source: [Int32] = [], target: [Int32] = [], type: [Int32] = [], treatment: [Int32] = []
        var from: [Int32] = [], to: [Int32] = []
        source.reserveCapacity(edges.count); target.reserveCapacity(edges.count); type.reserveCapacity(edges.count)
        treatment.reserveCapacity(edges.count); from.reserveCapacity(edges.count); to.reserveCapacity(edges.count)
        for (i, edge) in edges.enumerated() {
            guard keys.indices.contains(edge.source), keys.indices.contains(edge.target) else {
                throw GraphAlgorithmsError(message: "edge #\(i) (\(edge.type)) joins node indices \(edge.source) -> \(edge.target), but there are only \(keys.count) nodes")
            }
            source.append(Int32(edge.source))
            target.append(Int32(edge.target))
            type.append(GraphSnapshot.intern(edge.type, &edgeTypeIndex, &edgeTypeNames))
            treatment.append(edge.treatment.map { GraphSnapshot.intern($0, &treatmentIndex, &treatmentNames) } ?? -1)
            from.append(edge.validFrom.map(DayNumber.of) ?? DayNumber.openStart)
            to.append(edge.validTo.map(DayNumber.of) ?? DayNumber.openEnd)
        }

        self.keys = keys
        self.indexByKey = indexByKey
        self.nodeType = nodeType
        self.nodeTypeNames = typeNames
        self.nodeFrom = nodeFrom
        self.nodeTo = nodeTo
        self.edgeSource = source
        self.edgeTarget = target
        self.edgeType = type
        self.edgeTreatment = treatment
        self.edgeFrom = from
        self.edgeTo = to
        self.edgeTypeNames = edgeTypeNames
        self.treatmentNames = treatmentNames
        self.ontology = ontology
        self.outgoing = Adjacency(nodeCount: keys.count, owner: source, neighbor: target, type: type, from: from, to: to)
        self.incoming = Adjacency(nodeCount: keys.count, owner: target, neighbor: source, type: type, from: from, to: to)

        let overrulesType = edgeTypeIndex[CitatorVocabulary.overrules] ?? -1
        let citesType = edgeTypeIndex[CitatorVocabulary.cites] ?? -1
        let overruledTreatment = treatmentIndex[CitatorVocabulary.overruledTreatment] ?? -1
        let overruling = (0..<source.count).map { e in
            type[e] == overrulesType || (type[e] == citesType && overruledTreatment >= 0 && treatment[e] == overruledTreatment)
        }
        self.overruledBy = Adjacency(nodeCount: keys.count, owner: target, neighbor: source, type: type, from: from, to: to,
                                     keep: overruling)
    }

    private static func intern(_ name: String, _ index: inout [String: Int32], _ names: inout [String]) -> Int32 {
        if let i = index[name] { return i }
        let i = Int32(names.count)
        index[name] = i
        names.append(name)
        return i
    }

    // MARK: Lookups

    /// The dense index of the node with `key`, if the snapshot has it.
    public func index(ofKey key: String) -> Int? {
        indexByKey[key].map(Int.init)
    }

    public func type(ofNode index: Int) -> String { nodeTypeNames[Int(nodeType[index])] }

    /// The node's validity start (its decision date for a case), if any.
    public func validFrom(ofNode index: Int) -> LegalDate? { DayNumber.date(nodeFrom[index]) }

    func isValid(node: Int32, in window: TimeWindow) -> Bool {
        window.contains(from: nodeFrom[Int(node)], to: nodeTo[Int(node)])
    }

    func isValid(edge: Int32, in window: TimeWindow) -> Bool {
        window.contains(from: edgeFrom[Int(edge)], to: edgeTo[Int(edge)])
    }

    func treatment(ofEdge edge: Int32) -> String? {
        let t = edgeTreatment[Int(edge)]
        return t >= 0 ? treatmentNames[Int(t)] : nil
    }

    /// The edges that overrule `node` and are in force in `window` (empty: good law
    /// as far as overruling goes).
    func overrulingEdges(of node: Int32, in window: TimeWindow) -> [Int32] {
        var result: [Int32] = []
        for slot in overruledBy.slots(of: node) where window.contains(from: overruledBy.from[slot], to: overruledBy.to[slot]) {
            result.append(overruledBy.edge[slot])
        }
        return result
    }

    /// Whether some edge in force in `window` overrules `node`.
    func isOverruled(_ node: Int32, in window: TimeWindow) -> Bool {
        for slot in overruledBy.slots(of: node) where window.contains(from: overruledBy.from[slot], to: overruledBy.to[slot]) {
            return true
        }
        return false
    }

    /// Whether `node` is overruled as of `date` (nil: by any edge, whenever dated).
    public func isOverruled(key: String, asOf date: LegalDate?) throws -> Bool {
        isOverruled(try requireNode(key), in: TimeWindow(asOf: date))
    }

    func requireNode(_ key: String) throws -> Int32 {
        if let i = indexByKey[key] { return i }
        throw GraphAlgorithmsError(message: "no node with key '\(key)' in the graph")
    }

    /// Edge type indices for `names` (nil: all types), checking each name: a name that
    /// is neither in the graph nor in the ontology is an error with a suggestion; a
    /// name the ontology knows but no edge uses simply matches nothing.
    func edgeTypeMask(_ names: Set<String>?) throws -> [Bool] {
        guard let names else { return Array(repeating: true, count: edgeTypeNames.count) }
        let known = Set(edgeTypeNames).union(ontology.map { Array($0.edgeTypes.keys) } ?? [])
        for name in names.sorted() where !known.contains(name) {
            let hint = Ontology.closest(to: name, among: known.sorted()).map { " (did you mean \($0)?)" } ?? ""
            throw GraphAlgorithmsError(message: "unknown edge type '\(name)'\(hint); known: \(known.sorted().joined(separator: ", "))")
        }
        return edgeTypeNames.map { names.contains($0) }
    }

    /// Node type indices matching `names` or any of their ontology subtypes (nil: all).
    func nodeTypeMask(_ names: Set<String>?) throws -> [Bool] {
        guard let names else { return Array(repeating: true, count: nodeTypeNames.count) }
        let known = Set(nodeTypeNames).union(ontology.map { Array($0.nodeTypes.keys) } ?? [])
        var wanted = Set<String>()
        for name in names.sorted() {
            guard known.contains(name) else {
                let hint = Ontology.closest(to: name, among: known.sorted()).map { " (did you mean \($0)?)" } ?? ""
                throw GraphAlgorithmsError(message: "unknown node type '\(name)'\(hint); known: \(known.sorted().joined(separator: ", "))")
            }
            wanted.insert(name)
            if let ontology { wanted.formUnion(ontology.subtypes(of: name)) }
        }
        return nodeTypeNames.map { wanted.contains($0) }
    }
}
