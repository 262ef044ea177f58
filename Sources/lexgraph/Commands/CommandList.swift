import ArgumentParser

/// Every subcommand the CLI offers, in the order `lexgraph --help` lists them.
enum LexgraphCommands {
    static let all: [any ParsableCommand.Type] = [
        QueryCommand.self,
        ShellCommand.self,
    ]
}
