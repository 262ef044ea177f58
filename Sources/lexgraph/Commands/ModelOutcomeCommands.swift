import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore
import Monitoring
import Prediction
import Server

/// `lexgraph model outcomes NAME FILE`: outcomes that arrived for cases a registered
/// case-outcome version predicts (audited), with the version's probability for each.
struct ModelOutcomesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes",
        abstract: "Record arrived outcomes of cases a registered case-outcome model predicts.",
        discussion: """
            FILE is JSON Lines: each line a pending case (the fields lexgraph predict reads) plus label_first_party_winner \
            (true: the first party won), named by its usid, docket, oyez_id or scdb_caseId. The version's probability for each \
            case is computed by its run, grounded in the run's graph as of the case's reference date, and stored with the outcome \
            and the case. All lines or none are recorded. Example: lexgraph model outcomes scotus-outcome arrived-2014.jsonl
            """)

    @Argument(help: "The model's name.") var name: String
    @Argument(help: "The outcomes file (JSON Lines).") var file: String
    @Option(help: "A version number (default: the production alias's).") var version: Int?
    @Option(help: "An alias (e.g. candidate).") var alias: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if version != nil && alias != nil { throw ValidationError("give --version or --alias, not both") }
    }

    func run() throws {
        let store = try database.open()
        let stored = try ModelVersionChoice.resolve(store: store, name: name, version: version, alias: alias)
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read outcomes file \(file)") }
        let objects = try CaseDataset.jsonObjects(jsonLines: [UInt8](data), file: file)
        let predictor = try ModelVersionChoice.predictor(stored)
        let recorded = try ArrivedOutcomes.record(objects, for: stored, predictor: predictor, store: store, source: file,
                                                  audit: AuditChain.hook(action: "model.outcomes", subject: "\(name) version \(stored.version) \(file)"))
        let labels = recorded.map(\.firstPartyWon)
        let scores = try Metrics.all(labels: labels, probabilities: recorded.map(\.probability))
        Console.text("recorded \(recorded.count) outcome\(recorded.count == 1 ? "" : "s") for \(name) version \(stored.version) from \(file) "
                     + "(first party won \(labels.filter { $0 }.count))")
        Console.text("on these cases: " + PerformanceTable.summary(scores))
    }
}

/// `lexgraph model performance NAME`: rolling scores of the arrived outcomes, per version.
struct ModelPerformanceCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .csv]
    static let configuration = CommandConfiguration(
        commandName: "performance",
        abstract: "Rolling accuracy, ROC AUC, Brier and calibration (ECE) of a model's arrived outcomes, per version.",
        discussion: """
            Per version, in arrival order: windows of --window outcomes ending every --step outcomes and at the newest, then \
            all of them, beside the version's scores on its run's test split. Metrics as every evaluation defines them \
            (Prediction's Metrics; ECE over 10 equal-width bins). Example: lexgraph model performance scotus-outcome --window 50
            """)

    @Argument(help: "The model's name.") var name: String
    @Option(help: "Only this version.") var version: Int?
    @Option(help: "Outcomes per window.") var window = 50
    @Option(help: "Outcomes between window ends (default: --window).") var step: Int?
    @Option(help: ModelPerformanceCommand.formatHelp("(JSON Lines, one window a line)")) var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if window < 1 { throw ValidationError("--window must be at least 1, got \(window)") }
        if let step, step < 1 { throw ValidationError("--step must be at least 1, got \(step)") }
        try validateFormat()
    }

    func run() throws {
        let store = try database.openReadOnly()
        let versions = try store.modelVersions(name: name)
        if versions.isEmpty { throw CLIError("no model named \(name) is registered (`lexgraph model list` shows them)") }
        if let version, !versions.contains(where: { $0.version == version }) {
            throw CLIError("model \(name) has no version \(version) (versions: \(versions.map { String($0.version) }.joined(separator: ", ")))")
        }
        let outcomes = try store.modelOutcomes(name: name, version: version)
        let rows = try OutcomePerformance.windows(outcomes.map { ArrivedOutcome(version: $0.version, probability: $0.probability, firstPartyWon: $0.firstPartyWon) },
                                                  window: window, step: step ?? window)
        var aliases: [Int: [String]] = [:]
        for a in try store.modelAliases(name: name) { aliases[a.version, default: []].append(a.alias) }
        var reference: [Int: [Metric: Double]] = [:]
        for v in versions where rows.contains(where: { $0.version == v.version }) {
            reference[v.version] = Self.testScores(v)
        }
        switch format {
        case .json:
            for row in rows {
                var object = PerformanceTable.json(row)
                object["model"] = .string(name)
                if row.isOverall, let test = reference[row.version] { object["run_test"] = PerformanceTable.json(test) }
                Console.data(Value.map(object).jsonText)
            }
        case .csv, .markdown:
            Console.data("model,version,outcomes,cases,first_party_won," + PerformanceTable.metrics.map { $0.0.rawValue }.joined(separator: ","))
            for row in rows {
                Console.data(([name, String(row.version), PerformanceTable.range(row), String(row.cases), String(row.firstPartyWonRate)]
                              + PerformanceTable.metrics.map { row.metrics[$0.0].map { String($0) } ?? "" }).joined(separator: ","))
            }
        case .table:
            guard !rows.isEmpty else {
                Console.text("no arrived outcomes for \(name)\(version.map { " version \($0)" } ?? ""): `lexgraph model outcomes \(name) FILE` records them")
                return
            }
            for v in versions where reference[v.version] != nil {
                let count = outcomes.filter { $0.version == v.version }.count
                let on = aliases[v.version].map { " (\($0.joined(separator: ", ")))" } ?? ""
                Console.text("version \(v.version)\(on): \(count) arrived outcome\(count == 1 ? "" : "s"); its run's test split: "
                             + (reference[v.version]!.isEmpty ? "no evaluation" : PerformanceTable.summary(reference[v.version]!)))
            }
            Console.text(PerformanceTable.table(rows), terminator: "")
        }
    }

    /// A version's scores on its run's test split (its registered evaluation).
    static func testScores(_ v: StoredModelVersion) -> [Metric: Double] {
        guard case .map(let metrics)? = try? Value.parseJSON(v.metricsJSON), let evaluation = metrics["evaluation"],
              case .map(let config)? = try? Value.parseJSON(v.configJSON), let model = config["model_name"]?.stringValue else { return [:] }
        return OutcomePerformance.testScores(evaluation: evaluation, model: model)
    }
}

/// How windows of scores print (the performance table, the retrain comparison).
enum PerformanceTable {
    static let metrics: [(Metric, String)] = [(.accuracy, "ACCURACY"), (.rocAUC, "ROC AUC"), (.brier, "BRIER"), (.ece, "ECE"), (.macroF1, "MACRO-F1")]

    static func number(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "n/a" }

    /// "accuracy 0.600, ROC AUC 0.612, Brier 0.244, ECE 0.120".
    static func summary(_ scores: [Metric: Double]) -> String {
        [(Metric.accuracy, "accuracy"), (.rocAUC, "ROC AUC"), (.brier, "Brier"), (.ece, "ECE")]
            .map { "\($0.1) \(number(scores[$0.0]))" }.joined(separator: ", ")
    }

    static func range(_ row: PerformanceWindow) -> String { row.isOverall ? "all" : "\(row.first)-\(row.last)" }

    static func json(_ scores: [Metric: Double]) -> Value {
        .map(Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0.rawValue, scores[$0].map(Value.float) ?? .null) }))
    }

    static func json(_ row: PerformanceWindow) -> [String: Value] {
        var object: [String: Value] = ["version": .int(Int64(row.version)), "outcomes": .string(range(row)), "first": .int(Int64(row.first)),
                                       "last": .int(Int64(row.last)), "cases": .int(Int64(row.cases)),
                                       "first_party_won": .float(row.firstPartyWonRate)]
        for metric in Metric.allCases { object[metric.rawValue] = row.metrics[metric].map(Value.float) ?? .null }
        return object
    }

    static func table(_ rows: [PerformanceWindow]) -> String {
        let header = ["VERSION", "OUTCOMES", "CASES", "WON"] + metrics.map(\.1)
        let cells = rows.map { row in
            [String(row.version), range(row), String(row.cases), number(row.firstPartyWonRate)] + metrics.map { number(row.metrics[$0.0]) }
        }
        return TextTable.render([header] + cells) + "\n"
    }
}

/// Which registered version a command means, and its run's predictor.
enum ModelVersionChoice {
    /// `--version`, else `--alias`, else the production alias's version.
    static func resolve(store: GraphStore, name: String, version: Int?, alias: String?) throws -> StoredModelVersion {
        var number = version
        if let alias {
            guard let v = try store.modelAlias(name: name, alias: alias) else { throw CLIError("model \(name) has no alias \(alias) (`lexgraph model list` shows them)") }
            number = v
        }
        do { return try ModelRegistry(store: store).resolve(name: name, version: number.map(String.init)) } catch let error as ModelRegistry.LookupError {
            throw CLIError(error.message)
        }
    }

    /// The version's run as `lexgraph predict --run` opens it: grounded in the graph and
    /// joined with the SCDB table its config names.
    static func predictor(_ stored: StoredModelVersion) throws -> Predictor {
        guard stored.kind == "case-outcome" else {
            throw CLIError("model \(stored.name) version \(stored.version) is a \(stored.kind) run: outcomes and retraining are for case-outcome runs (`lexgraph train`)")
        }
        let config = try RunFolder(existing: stored.runPath).config()
        guard FileManager.default.fileExists(atPath: config.databasePath) else {
            throw CLIError("no graph database at \(config.databasePath) (the graph of run \(stored.runPath))")
        }
        return try Predictor(run: stored.runPath, store: try GraphStore(path: config.databasePath, mode: .readOnly),
                             scdb: try Predictor.scdbTable(dataFolder: config.dataPath))
    }
}
