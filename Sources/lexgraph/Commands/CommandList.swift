import ArgumentParser

/// Every subcommand the CLI offers, in the order `lexgraph --help` lists them.
enum LexgraphCommands {
    static let all: [any ParsableCommand.Type] = [
        BuildCommand.self,
        LoadCommand.self,
        StatsCommand.self,
        ShowCommand.self,
        TokenizeCommand.self,
        WalkCommand.self,
        StatusCommand.self,
        WalkBenchCommand.self,
        OntologyCommand.self,
        ModelCommand.self,
        BaselinesCommand.self,
        ContextCommand.self,
    ]
}
