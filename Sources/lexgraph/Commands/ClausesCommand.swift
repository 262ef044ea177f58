import ArgumentParser

/// `lexgraph clauses …`: the clause tasks over the shared clause corpora (clause types,
/// CUAD categories, unfair terms of service).
struct ClausesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clauses",
        abstract: "Prepare and score the clause tasks (clause-types, cuad, unfair-tos).",
        subcommands: subcommands
    )

    /// The subcommands, in `lexgraph clauses --help` order; each lives in its own file.
    static let subcommands: [any ParsableCommand.Type] = [
        ClausesPrepareCommand.self,
        ClausesEvalCommand.self,
        ClausesFitCommand.self,
    ]
}
