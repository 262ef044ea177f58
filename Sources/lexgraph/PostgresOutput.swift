import PostgresStore

/// What `build` and `load` print after a load's copy to PostgreSQL.
enum PostgresOutput {
    static func copied(_ counts: PostgresGraphStore.CopyCounts?, to location: PostgresLocation) -> String {
        guard let counts else { return "(dry run: nothing copied to \(location))" }
        return "copied to \(location): \(counts.nodes) nodes, \(counts.edges) edges (graph generation \(counts.generation))"
    }
}
