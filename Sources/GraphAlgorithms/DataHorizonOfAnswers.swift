import GraphStore
import LexgraphCore

extension GraphStore {
    /// The citator status of `key` on `date` (`GraphSnapshot.citatorStatus`, on the
    /// case's citator neighbourhood), with the horizon of the data it rests on: the
    /// latest CITES and OVERRULES edges touching a node of the case's type.
    public func citatorStatus(of key: String, asOf date: LegalDate, hops: Int = 1) throws -> CitatorStatus {
        let snapshot = try GraphSnapshot.loadCitatorNeighborhood(self, of: key, hops: hops)
        var status = try snapshot.citatorStatus(of: key, asOf: date, hops: hops)
        let type = snapshot.type(ofNode: try Int(snapshot.requireNode(key)))
        status.horizon = try dataHorizon(edgeTypes: [CitatorVocabulary.cites, CitatorVocabulary.overrules], touching: [type])
        return status
    }
}

extension GraphSnapshot {
    /// The horizon of a walk from `seeds` with `options` (this snapshot loaded from
    /// `store`): per edge type the walk may follow, the latest such edge touching a node
    /// of a seed's type. Seeds of one graph (a SCOTUS case) so do not report another
    /// graph's later edges of a shared type (the ECtHR graph's CITES).
    public func dataHorizon(ofWalkFrom seeds: [WalkSeed], options: WalkOptions, store: GraphStore) throws -> DataHorizon {
        try dataHorizon(ofWalkFrom: seeds, options: options) { try store.dataHorizon(edgeTypes: $0, touching: $1) }
    }

    /// The same for a snapshot loaded from a graph on a server.
    public func dataHorizon(ofWalkFrom seeds: [WalkSeed], options: WalkOptions, remote: any RemoteGraph) throws -> DataHorizon {
        try dataHorizon(ofWalkFrom: seeds, options: options) { try remote.dataHorizon(edgeTypes: $0, touching: $1) }
    }

    private func dataHorizon(ofWalkFrom seeds: [WalkSeed], options: WalkOptions,
                             read: ([String], Set<String>) throws -> DataHorizon) throws -> DataHorizon {
        let seedTypes = Set(try seeds.map { type(ofNode: Int(try requireNode($0.key))) })
        let followed = options.edgeTypes.map { Array($0) } ?? edgeTypeNames
        return try read(followed, seedTypes)
    }
}
