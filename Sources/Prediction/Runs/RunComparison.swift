/// Several runs' test predictions lined up for one ablation table: each run's model
/// named by its run folder, the baselines once (from the first run), all on the same
/// cases (checked: a run tested on other cases is an error naming both runs).
public struct RunComparison {
    public let runNames: [String]
    public let plans: [String]
    public let models: [(model: String, predictions: [ScoredPrediction])]
    public let caseCount: Int
    public let petitionerRate: Double

    public static func load(_ folders: [RunFolder]) throws -> RunComparison {
        guard !folders.isEmpty else { throw PredictionError("no runs to compare") }
        var models: [(model: String, predictions: [ScoredPrediction])] = []
        var plans: [String] = []
        var reference: (run: String, cases: [Int])?
        let names = folders.map(\.name)
        if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw PredictionError("two runs are named '\(dup)': their models would share a row; rename a run folder")
        }
        for folder in folders {
            let config = try folder.config()
            if !plans.contains(config.plan.rawValue) { plans.append(config.plan.rawValue) }
            let stored = try folder.predictions(.test)
            guard let own = stored.first(where: { $0.model == config.modelName }) else {
                throw PredictionError("no test predictions of its model '\(config.modelName)'", file: folder.file(RunFolder.PredictionSet.test.fileName), line: 1)
            }
            let cases = own.predictions.map(\.caseLine).sorted()
            if let ref = reference, ref.cases != cases {
                let shared = Set(ref.cases).intersection(cases).count
                throw PredictionError("runs \(ref.run) and \(folder.name) were tested on different cases (\(ref.cases.count) and \(cases.count) "
                                      + "cases, \(shared) shared): compare runs of the same split")
            }
            if reference == nil {
                reference = (folder.name, cases)
                models += stored.filter { $0.model != config.modelName }
            }
            models.append((folder.name, own.predictions))
        }
        // Baselines (of the first run) first, then the runs in the order given.
        let first = models.first?.predictions ?? []
        return RunComparison(runNames: names, plans: plans, models: models, caseCount: first.count,
                             petitionerRate: Double(first.filter(\.label).count) / Double(max(1, first.count)))
    }
}
