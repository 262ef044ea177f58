import ArgumentParser

/// `lexgraph`: one small command type per verb, each in `Commands/`.
@main
struct Lexgraph: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexgraph",
        abstract: "A legal knowledge graph, a Cypher-like query language and a BERT-family transformer.",
        subcommands: LexgraphCommands.all
    )
}
