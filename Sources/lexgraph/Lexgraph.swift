import ArgumentParser

/// `lexgraph`: one small command type per verb, each in `Commands/`. Synchronous on
/// purpose: with an async root, the commands ran on a pool thread while the main thread
/// spun in `sched_yield`, a whole core burnt beside every query, load and training run.
@main
struct Lexgraph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexgraph",
        abstract: "A legal knowledge graph, a Cypher-like query language and a BERT-family transformer.",
        subcommands: LexgraphCommands.all
    )
}
