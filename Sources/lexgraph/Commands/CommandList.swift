import ArgumentParser

/// Every subcommand the CLI offers, in the order `lexgraph --help` lists them:
/// the graph (build, inspect, curate), querying and walking it, the model, prediction, the HTTP service.
enum LexgraphCommands {
    static let all: [any ParsableCommand.Type] = [
        BuildCommand.self,
        LoadCommand.self,
        StatsCommand.self,
        ShowCommand.self,
        OntologyCommand.self,
        MigrateCommand.self,
        KeyCommand.self,
        QueryCommand.self,
        ShellCommand.self,
        FuzzQueryCommand.self,
        WalkCommand.self,
        StatusCommand.self,
        WalkBenchCommand.self,
        ModelCommand.self,
        BenchCommand.self,
        TokenizeCommand.self,
        TokenizerCommand.self,
        EmbedCommand.self,
        FineTuneCommand.self,
        PretrainCommand.self,
        TuneCommand.self,
        BaselinesCommand.self,
        ContextCommand.self,
        TrainCommand.self,
        EvalCommand.self,
        PredictCommand.self,
        ClausesCommand.self,
        ReviewCommand.self,
        TagCommand.self,
        LabelCommand.self,
        MaskCommand.self,
        AuditCommand.self,
        ServeCommand.self,
        TokenCommand.self,
        DriftCommand.self,
        RetrainCommand.self,
    ]
}
