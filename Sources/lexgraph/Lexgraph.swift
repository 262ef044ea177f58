import ArgumentParser
import Foundation

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

    /// ArgumentParser's own `main` prints "Error: ..." for some failures while commands
    /// printed "error: ..." for others; here every failure prints one way
    /// (`Console.error`) and exits 64 for a usage error (EX_USAGE: a bad option or
    /// argument), 1 for any other error. Help and version requests keep ArgumentParser's
    /// handling (stdout, exit 0).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code.isSuccess { exit(withError: error) }
            // A command that already reported its failure exits with its code.
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            Console.error(Console.message(for: error, in: self))
            Foundation.exit(code == .validationFailure ? ExitCode.validationFailure.rawValue : ExitCode.failure.rawValue)
        }
    }
}
