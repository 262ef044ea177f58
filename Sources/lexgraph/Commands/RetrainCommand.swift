import ArgumentParser
import Compliance
import Foundation
import GraphStore
import LexgraphCore
import Monitoring
import Prediction
import Server

/// `lexgraph retrain --policy FILE`: checks the production version of a registered
/// case-outcome model against a policy's thresholds (drift of incoming cases, scores on
/// arrived outcomes); when one is crossed, trains a candidate with the production run's
/// own config (`train`'s code path), registers it under the `candidate` alias, scores both
/// on the same held-out arrived outcomes and promotes the candidate only if it beats
/// production by the policy's margin. Every decision is printed and written to the audit
/// trail (`model.retrain`), beside the registry's own entries.
///
/// The held-out cases are the production version's arrived outcomes, not the run's test
/// split: they are the cases the model now serves (the ones drift and falling scores were
/// measured on), while the test split is the older population the run was built to score
/// well on. Arrived cases that are training or dev cases of the run's plan over its data
/// folder now (what the candidate learnt from) are left out and counted.
struct RetrainCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Retrain a served case-outcome model when a policy's drift or performance thresholds are crossed; promote only a better candidate.",
        discussion: """
            The policy (YAML or JSON) has sections drift (max_psi, max_drifted_share), performance (min_outcomes, window, \
            max_auc_drop, max_accuracy_drop) and promotion (metric, min_improvement), and may name the model. Drift compares \
            --cases (default: the cases of the production version's arrived outcomes) with the production run's training \
            cases; performance compares the latest window of arrived outcomes with the run's test scores. \
            Example: lexgraph retrain --policy retrain.yaml --dry-run
            """)

    @Option(help: "The retraining policy file (YAML or JSON).") var policy: String
    @Option(help: "The registered model (default: the policy's 'model').") var name: String?
    @Option(help: "Incoming pending cases for drift, JSON Lines (default: the production version's arrived outcome cases).") var cases: String?
    @Option(help: "Run folder for the candidate (default: beside the production run, <run>-retrain-<UTC time>).") var out: String?
    @Flag(name: .customLong("dry-run"), help: "Say what the policy decides; train, register and promote nothing.") var dryRun = false
    @Option(help: "Bootstrap resamples for the candidate run's 95% intervals.") var resamples = 1000
    @Option(help: RetrainCommand.formatHelp()) var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    static let candidateAlias = "candidate"

    func validate() throws {
        if resamples < 1 { throw ValidationError("--resamples must be at least 1, got \(resamples)") }
        try validateFormat()
    }

    func run() throws {
        let policy = try RetrainPolicy.load(path: self.policy)
        guard let name = name ?? policy.model else { throw CLIError("name the model: --name NAME, or 'model: NAME' in \(self.policy)") }
        let store = try database.open()
        let registry = ModelRegistry(store: store)
        guard let productionNumber = try store.modelAlias(name: name, alias: ModelRegistry.servedAlias),
              let production = try store.modelVersion(name: name, version: productionNumber) else {
            if try store.modelVersions(name: name).isEmpty { throw CLIError("no model named \(name) is registered (`lexgraph model list` shows them)") }
            throw CLIError("model \(name) has no \(ModelRegistry.servedAlias) alias to retrain: `lexgraph model promote \(name) --version V` sets it")
        }
        guard production.kind == ModelRegistry.Kind.caseOutcome.rawValue else {
            throw CLIError("model \(name) version \(production.version) is a \(production.kind) run: retrain takes case-outcome runs (`lexgraph train`)")
        }
        let folder = try RunFolder(existing: production.runPath)
        let config = try folder.config()
        let outcomes = try store.modelOutcomes(name: name, version: production.version)

        var drift: DriftAnalysis?
        if policy.maxPSI != nil || policy.maxDriftedShare != nil {
            let training = try RunTrainingCases(run: production.runPath)
            let scdb = try Predictor.scdbTable(dataFolder: config.dataPath)
            let incoming = try cases.map { try PendingCases.read(path: $0, scdb: scdb) }
                ?? (outcomes.isEmpty ? [] : PendingCases.read(objects: try ArrivedOutcomes.objects(outcomes), scdb: scdb))
            if !incoming.isEmpty {
                drift = try DriftAnalysis.compare(reference: training.cases, current: incoming, profile: TextProfile(tokenizer: training.tokenizer))
            }
        }
        let evaluationPath = folder.file(RunFolder.evaluationJSONFile)
        let evaluation = FileManager.default.contents(atPath: evaluationPath).flatMap { try? Value.parseJSON(bytes: [UInt8]($0)) } ?? .null
        let check = try RetrainCheck.evaluate(policy: policy, drift: drift, outcomes: outcomes.map(Self.arrived),
                                              reference: OutcomePerformance.testScores(evaluation: evaluation, model: config.modelName))

        var report = RetrainReport(name: name, production: production, outcomes: outcomes.count, policy: policy, check: check)
        let crossed = check.crossed.map { "\($0.key) \(PerformanceTable.number($0.value)) > \(PerformanceTable.number($0.threshold))" }.joined(separator: ", ")
        if check.crossed.isEmpty {
            report.decision = "hold"
            report.reason = "no threshold crossed: production stays version \(production.version)"
        } else if dryRun {
            report.decision = "would-retrain"
            report.reason = "dry run: crossed \(crossed); would train \(production.runPath)/\(RunFolder.configFile) into "
                + "\(out ?? Self.defaultOut(production.runPath)), register it as \(Self.candidateAlias) and compare on the held-out arrived outcomes"
        } else {
            let trained = try TrainCommand.train(config: Self.candidateConfig(config), out: out ?? Self.defaultOut(production.runPath),
                                                 overwrite: false, resamples: resamples)
            let candidate = try registry.register(run: trained.folder.path, name: name, alias: Self.candidateAlias,
                                                  audit: AuditChain.hook(action: "model.register", subject: "\(name) \(trained.folder.path)"))
            report.candidate = candidate
            let seen = try Self.seenKeys(config)
            let heldOut = outcomes.filter { !seen.contains($0.caseKey) }
            report.leftOut = outcomes.count - heldOut.count
            // Both versions score the same held-out cases through their own runs' predictors.
            func scores(_ version: StoredModelVersion) throws -> [Double] {
                guard !heldOut.isEmpty else { return [] }
                let predictor = try ModelVersionChoice.predictor(version)
                return try predictor.probabilities(try predictor.cases(objects: try ArrivedOutcomes.objects(heldOut)))
            }
            let comparison = try PromotionComparison.compare(policy: policy, labels: heldOut.map(\.firstPartyWon),
                                                             production: try scores(production), candidate: try scores(candidate))
            report.comparison = comparison
            if comparison.promote {
                _ = try registry.promote(name: name, version: candidate.version, alias: ModelRegistry.servedAlias,
                                         audit: AuditChain.hook(action: "model.promote", subject: "\(name) \(ModelRegistry.servedAlias)"))
                report.decision = "promoted"
                report.reason = "crossed \(crossed); version \(candidate.version) promoted to \(ModelRegistry.servedAlias) (was version \(production.version)): \(comparison.reason)"
            } else {
                report.decision = "refused"
                report.reason = "crossed \(crossed); version \(candidate.version) stays \(Self.candidateAlias), \(ModelRegistry.servedAlias) stays version \(production.version): \(comparison.reason)"
            }
        }
        _ = try AuditChain.append(AuditEntry(action: "model.retrain", subject: "\(name) \(self.policy)", outcome: "\(report.decision): \(report.reason)"), to: store)
        switch format {
        case .json: Console.data(report.json.jsonText)
        default: Console.text(report.table, terminator: "")
        }
    }

    static func arrived(_ o: StoredModelOutcome) -> ArrivedOutcome {
        ArrivedOutcome(version: o.version, probability: o.probability, firstPartyWon: o.firstPartyWon)
    }

    /// The production run's config as a new run's: the same model, options, data, graph,
    /// masking and seed; its own start time.
    static func candidateConfig(_ config: RunConfig) -> RunConfig {
        var candidate = config
        candidate.created = RunConfig.now()
        return candidate
    }

    /// `<run>-retrain-<UTC time>` beside the production run.
    static func defaultOut(_ run: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return (run as NSString).standardizingPath + "-retrain-" + formatter.string(from: Date())
    }

    /// Every key naming a training or dev case of the config's plan over its data folder.
    static func seenKeys(_ config: RunConfig) throws -> Set<String> {
        var keys = Set<String>()
        for fold in try CaseDataset.load(dataFolder: config.dataPath).folds(config.plan.evaluationPlan) {
            for c in fold.train + fold.dev { keys.formUnion(ArrivedOutcomes.keys(c.input)) }
        }
        return keys
    }
}

/// What `retrain` decided and why, as a table or JSON.
struct RetrainReport {
    var name: String
    var production: StoredModelVersion
    var outcomes: Int
    var policy: RetrainPolicy
    var check: RetrainCheck
    /// hold, would-retrain, promoted or refused.
    var decision = ""
    var reason = ""
    var candidate: StoredModelVersion?
    var leftOut = 0
    var comparison: PromotionComparison?

    var table: String {
        var out = "\(name): production is version \(production.version) (\(production.runPath)); \(outcomes) arrived outcome\(outcomes == 1 ? "" : "s")\n"
        let rows = check.criteria.map { c in
            [c.key, PerformanceTable.number(c.value), PerformanceTable.number(c.threshold), c.crossed ? "yes" : "no", c.note]
        }
        out += rows.isEmpty ? "(the policy sets no threshold)\n" : TextTable.render([["CRITERION", "VALUE", "THRESHOLD", "CROSSED", "NOTE"]] + rows) + "\n"
        if let candidate { out += "candidate: version \(candidate.version) (\(RetrainCommand.candidateAlias)) trained into \(candidate.runPath)\n" }
        if let comparison {
            out += "held out: \(comparison.cases) arrived outcome\(comparison.cases == 1 ? "" : "s") of version \(production.version)"
                + " (\(leftOut) left out: training or dev cases of the run's plan)\n"
            if !comparison.production.isEmpty {
                out += TextTable.render([["MODEL"] + PerformanceTable.metrics.map(\.1),
                    ["production v\(production.version)"] + PerformanceTable.metrics.map { PerformanceTable.number(comparison.production[$0.0]) },
                    ["candidate v\(candidate?.version ?? 0)"] + PerformanceTable.metrics.map { PerformanceTable.number(comparison.candidate[$0.0]) },
                ]) + "\n"
            }
        }
        out += "decision: \(decision): \(reason)\n"
        return out
    }

    var json: Value {
        var object: [String: Value] = [
            "model": .string(name),
            "production": .map(["version": .int(Int64(production.version)), "run": .string(production.runPath)]),
            "arrived_outcomes": .int(Int64(outcomes)),
            "policy": policy.json,
            "criteria": .list(check.criteria.map { c in
                .map(["key": .string(c.key), "value": c.value.map(Value.float) ?? .null, "threshold": .float(c.threshold),
                      "crossed": .bool(c.crossed), "note": .string(c.note)])
            }),
            "decision": .string(decision),
            "reason": .string(reason),
            "candidate": candidate.map { .map(["version": .int(Int64($0.version)), "run": .string($0.runPath)]) } ?? .null,
        ]
        if let comparison {
            object["comparison"] = .map([
                "metric": .string(comparison.metric.rawValue), "held_out": .int(Int64(comparison.cases)), "left_out": .int(Int64(leftOut)),
                "production": PerformanceTable.json(comparison.production), "candidate": PerformanceTable.json(comparison.candidate),
                "improvement": comparison.improvement.map(Value.float) ?? .null, "promote": .bool(comparison.promote),
            ])
        } else {
            object["comparison"] = .null
        }
        return .map(object)
    }
}
