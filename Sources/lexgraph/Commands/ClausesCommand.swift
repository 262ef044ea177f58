import ArgumentParser

/// `lexgraph clauses …`: the clause tasks on the shared corpora (clause types, CUAD
/// categories, unfair terms).
struct ClausesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clauses",
        abstract: "Clause tasks: score fine-tuned clause models on prepared task folders.",
        subcommands: [ClausesEvalCommand.self]
    )
}
