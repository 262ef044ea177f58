import ArgumentParser

/// `lexgraph bench …`: benchmarks against reference implementations.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks against reference implementations.",
        subcommands: [BenchModelCommand.self, BenchExplainCommand.self, BenchAdjacencyCommand.self]
    )
}
