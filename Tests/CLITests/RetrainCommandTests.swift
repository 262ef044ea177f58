import Foundation
import GRDB
import TestRequirements
import XCTest

/// `lexgraph model outcomes`, `lexgraph model performance` and `lexgraph retrain` as a
/// user runs them, over a real graph-logistic run: `lexgraph build scotus` over a small
/// copy of the shared data (every SCDB case and code, no citation network; a subset of
/// `cases.jsonl`), `lexgraph train` on it, the run registered as `outcome` (production)
/// in a separate registry database. Arrived outcomes are 60 cases of the shared test
/// split (terms 2011-2013) with their real outcomes.
///
/// The production run is trained on the subset with every training and dev label flipped
/// (a data error); retraining on the same data makes the same model (refused: no better),
/// and retraining after the labels are fixed makes a candidate whose probabilities are one
/// minus production's (L2 logistic regression on flipped labels), so it is promoted
/// whenever the graph features rank these cases better than chance.
final class RetrainCommandTests: XCTestCase {
    static let shared = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"].map { URL(fileURLWithPath: $0) }
        ?? CLI.root.appendingPathComponent("../shared/data").standardizedFileURL

    struct Setup {
        var dir: URL
        var data: URL
        var graph: String
        var registry: String
        /// cases.jsonl of the data folder: (line, role, label) with true labels.
        var subset: [[String: Any]]
        var arrived: [[String: Any]]
    }

    static let allowed = Set(RunFolderPathTests.allowed)

    /// The data folder, its graph and an empty registry; the training subset is written
    /// by `writeCases` (true or flipped labels).
    func makeSetup() throws -> Setup {
        let casesFile = Self.shared.appendingPathComponent("scotus/cases.jsonl")
        try TestRequirements.requireFile(casesFile.path, "the shared SCOTUS data")
        let dir = try CLI.temporaryFolder(self)
        let data = dir.appendingPathComponent("data")
        let fm = FileManager.default
        try fm.createDirectory(at: data.appendingPathComponent("scotus"), withIntermediateDirectories: true)
        for folder in ["scdb", "graph-seeds"] {
            try fm.createSymbolicLink(at: data.appendingPathComponent(folder), withDestinationURL: Self.shared.appendingPathComponent(folder))
        }
        try fm.createSymbolicLink(at: data.appendingPathComponent("scotus/scdb_cases.csv"),
                                  withDestinationURL: Self.shared.appendingPathComponent("scotus/scdb_cases.csv"))
        // The citation network and the case-law links left out (headers only): a graph of
        // SCDB cases and codes that builds in seconds.
        for name in ["citation_nodes.csv", "citation_edges.csv", "kg_case_law_edges.csv"] {
            let header = try String(contentsOf: Self.shared.appendingPathComponent("scotus/\(name)"), encoding: .utf8).prefix { $0 != "\n" }
            try (header + "\n").write(to: data.appendingPathComponent("scotus/\(name)"), atomically: true, encoding: .utf8)
        }
        var subset: [[String: Any]] = [], arrived: [[String: Any]] = []
        var seen: [String: Int] = [:]
        for line in try String(contentsOf: casesFile, encoding: .utf8).split(separator: "\n") {
            guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], c["label_first_party_winner"] is Bool,
                  let role = c["split_full"] as? String, c["usid"] is String else { continue }
            let n = seen[role, default: 0]
            seen[role] = n + 1
            switch role {
            case "train" where n % 12 == 0, "dev" where n % 10 == 0: subset.append(c)
            case "test" where n % 2 == 0 && subset.filter({ $0["split_full"] as? String == "test" }).count < 30: subset.append(c)
            case "test" where n % 2 == 1 && arrived.count < 60: arrived.append(c)
            default: break
            }
        }
        XCTAssertEqual(arrived.count, 60)
        var setup = Setup(dir: dir, data: data, graph: dir.appendingPathComponent("graph.sqlite").path,
                          registry: try LexgraphBinary.oneCaseDatabase(for: self), subset: subset, arrived: arrived)
        try writeCases(setup, flipped: false)
        let build = try CLI.run(["build", "scotus", "--db", setup.graph, "--data", data.path])
        XCTAssertEqual(build.status, 0, "\(build)")
        setup.subset = subset
        return setup
    }

    /// The subset as the data folder's cases.jsonl, training and dev labels flipped or not.
    func writeCases(_ setup: Setup, flipped: Bool) throws {
        let lines = try setup.subset.map { c -> String in
            var c = c
            if flipped, c["split_full"] as? String != "test", let won = c["label_first_party_winner"] as? Bool { c["label_first_party_winner"] = !won }
            return String(decoding: try JSONSerialization.data(withJSONObject: c, options: [.sortedKeys]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: setup.data.appendingPathComponent("scotus/cases.jsonl"), atomically: true, encoding: .utf8)
    }

    /// An arrived case as `model outcomes` takes it: the pending-case fields and the outcome.
    func outcomeLine(_ c: [String: Any], extra: [String: Any] = [:]) throws -> String {
        var kept = c.filter { Self.allowed.contains($0.key) || $0.key == "label_first_party_winner" }
        kept.merge(extra) { _, new in new }
        return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
    }

    func write(_ text: String, _ name: String, in setup: Setup) throws -> String {
        let path = setup.dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func json(_ r: CLI.Result) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
    }

    func testOutcomesPerformanceAndRetrainDecisions() throws {
        let setup = try makeSetup()
        let db = ["--db", setup.registry]
        try writeCases(setup, flipped: true)
        let run = setup.dir.appendingPathComponent("runs/glr").path
        let train = try CLI.run(["train", "--split", "split_full", "--model", "graph-logistic", "--out", run, "--db", setup.graph,
                                 "--data", setup.data.path, "--resamples", "20"])
        XCTAssertEqual(train.status, 0, "\(train)")
        XCTAssertEqual(try CLI.run(["model", "register", run, "--name", "outcome", "--alias", "production"] + db).status, 0)

        // Outcomes: 60 arrived cases, each with the probability the version gives it.
        let arrivedFile = try write(try setup.arrived.map { try outcomeLine($0) }.joined(separator: "\n") + "\n", "arrived.jsonl", in: setup)
        let record = try CLI.run(["model", "outcomes", "outcome", arrivedFile] + db)
        XCTAssertEqual(record.status, 0, "\(record)")
        let won = setup.arrived.filter { $0["label_first_party_winner"] as? Bool == true }.count
        XCTAssertEqual(record.lines.first, "recorded 60 outcomes for outcome version 1 from \(arrivedFile) (first party won \(won))", "\(record)")
        XCTAssertTrue(record.lines.last?.hasPrefix("on these cases: accuracy 0.") ?? false, "\(record)")
        let stored = try DatabaseQueue(path: setup.registry).read { db in
            try Row.fetchAll(db, sql: "SELECT version, case_key, probability, first_party_won FROM model_outcome ORDER BY seq")
        }
        XCTAssertEqual(stored.count, 60)
        XCTAssertEqual(stored.map { $0["case_key"] as String }, setup.arrived.map { "usid \($0["usid"] as! String)" })
        XCTAssertEqual(stored.map { $0["first_party_won"] as Bool }, setup.arrived.map { $0["label_first_party_winner"] as! Bool })
        // The stored probability is what `lexgraph predict` gives the case with the run.
        let pendingFile = try write(try setup.arrived.prefix(3).map { c in
            String(decoding: try JSONSerialization.data(withJSONObject: c.filter { Self.allowed.contains($0.key) }, options: [.sortedKeys]), as: UTF8.self)
        }.joined(separator: "\n") + "\n", "pending.jsonl", in: setup)
        let predict = try CLI.run(["predict", "--run", run, "--cases", pendingFile, "--format", "json"])
        XCTAssertEqual(predict.status, 0, "\(predict)")
        // (Foundation's JSON reader on Linux may read a number one unit in the last place off.)
        for (row, r) in zip(try CLI.jsonLines(predict.stdout), stored.prefix(3)) {
            XCTAssertEqual(row["p_first_party_wins"] as? Double ?? -1, r["probability"] as Double, accuracy: 1e-15)
        }

        // Refusals name the case and the line; nothing more is recorded.
        let unknown = try write(try outcomeLine(setup.arrived[0], extra: ["usid": "999US999", "name": "Nobody v. Nowhere"]) + "\n", "unknown.jsonl", in: setup)
        let refused = try CLI.run(["model", "outcomes", "outcome", unknown] + db)
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.hasPrefix("lexgraph: error: \(unknown):1: outcome for unknown case 'Nobody v. Nowhere' (usid 999US999): usid \"999US999\" is not in the graph"), "\(refused)")
        let again = try CLI.run(["model", "outcomes", "outcome", arrivedFile] + db)
        XCTAssertEqual(again.status, 1, "\(again)")
        XCTAssertTrue(again.stderr.hasPrefix("lexgraph: error: case usid \(setup.arrived[0]["usid"] as! String) already has an outcome for outcome version 1"), "\(again)")
        var unlabelled = setup.arrived[1]
        unlabelled.removeValue(forKey: "label_first_party_winner")
        let noOutcome = try write(try outcomeLine(unlabelled) + "\n", "no-outcome.jsonl", in: setup)
        let missing = try CLI.run(["model", "outcomes", "outcome", noOutcome] + db)
        XCTAssertEqual(missing.stderr, "lexgraph: error: \(noOutcome):1: case '\(unlabelled["name"] as! String)' (usid \(unlabelled["usid"] as! String)) has no outcome: give 'label_first_party_winner' (true: the first party won)\n")

        // Performance: windows of 20 and the overall row, as the stored outcomes give them.
        let performance = try CLI.run(["model", "performance", "outcome", "--window", "20", "--format", "json"] + db)
        XCTAssertEqual(performance.status, 0, "\(performance)")
        let rows = try CLI.jsonLines(performance.stdout)
        XCTAssertEqual(rows.map { $0["outcomes"] as? String }, ["1-20", "21-40", "41-60", "all"])
        for row in rows {
            let first = row["first"] as! Int, last = row["last"] as! Int
            let window = stored[(first - 1)...(last - 1)]
            let correct = window.filter { ($0["probability"] as Double >= 0.5) == ($0["first_party_won"] as Bool) }.count
            XCTAssertEqual(row["accuracy"] as? Double ?? -1, Double(correct) / Double(window.count), accuracy: 1e-12)
            let brier = window.map { r -> Double in let d = (r["probability"] as Double) - ((r["first_party_won"] as Bool) ? 1 : 0); return d * d }
            XCTAssertEqual(row["brier"] as? Double ?? -1, brier.reduce(0, +) / Double(window.count), accuracy: 1e-12)
            XCTAssertTrue((0...1).contains(row["roc_auc"] as? Double ?? -1) && (0...1).contains(row["ece"] as? Double ?? -1), "\(row)")
        }
        let overallAUC = try XCTUnwrap(rows.last?["roc_auc"] as? Double)
        XCTAssertNotNil(rows.last?["run_test"] as? [String: Any])
        let table = try CLI.run(["model", "performance", "outcome", "--window", "20"] + db)
        XCTAssertTrue(table.lines[0].hasPrefix("version 1 (production): 60 arrived outcomes; its run's test split: accuracy "), "\(table)")
        XCTAssertEqual(table.lines[1].split(separator: " ").map(String.init), ["VERSION", "OUTCOMES", "CASES", "WON", "ACCURACY", "ROC", "AUC", "BRIER", "ECE", "MACRO-F1"])
        XCTAssertEqual(table.lines.dropFirst(2).map { $0.split(separator: " ")[1] }, ["1-20", "21-40", "41-60", "all"])

        // A policy not crossed: nothing trained, registered or promoted.
        let hold = try write("model: outcome\ndrift:\n  max_psi: 1000\nperformance:\n  min_outcomes: 20\n  max_auc_drop: 1\n", "hold.yaml", in: setup)
        let held = try CLI.run(["retrain", "--policy", hold, "--format", "json"] + db)
        XCTAssertEqual(held.status, 0, "\(held)")
        let heldJSON = try json(held)
        XCTAssertEqual(heldJSON["decision"] as? String, "hold")
        XCTAssertEqual((heldJSON["criteria"] as? [[String: Any]])?.map { $0["key"] as? String }, ["drift.max_psi", "performance.max_auc_drop"])
        XCTAssertEqual((heldJSON["criteria"] as? [[String: Any]])?.map { $0["crossed"] as? Bool }, [false, false])
        XCTAssertTrue(heldJSON["candidate"] is NSNull)

        // Crossed (the 2011-2013 terms drift from the training terms): the dry run says so.
        let crossed = try write("""
            {"model": "outcome", "drift": {"max_drifted_share": 0.05},
             "performance": {"min_outcomes": 30}, "promotion": {"metric": "roc_auc", "min_improvement": 0.02}}
            """, "crossed.json", in: setup)
        let dry = try CLI.run(["retrain", "--policy", crossed, "--dry-run", "--out", setup.dir.appendingPathComponent("runs/dry").path] + db)
        XCTAssertEqual(dry.status, 0, "\(dry)")
        XCTAssertTrue(dry.lines.contains { $0.hasPrefix("drift.max_drifted_share ") && $0.contains(" yes ") && $0.contains("term") }, dry.stdout)
        XCTAssertTrue(dry.lines.last?.hasPrefix("decision: would-retrain: dry run: crossed drift.max_drifted_share ") ?? false, dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: setup.dir.appendingPathComponent("runs/dry").path))

        // Retrained on the same (flipped) data: the same model, refused with the reason.
        let same = try CLI.run(["retrain", "--policy", crossed, "--out", setup.dir.appendingPathComponent("runs/same").path, "--resamples", "20", "--format", "json"] + db)
        XCTAssertEqual(same.status, 0, "\(same)")
        let sameJSON = try json(same)
        XCTAssertEqual(sameJSON["decision"] as? String, "refused")
        XCTAssertEqual((sameJSON["candidate"] as? [String: Any])?["version"] as? Int, 2)
        let sameComparison = try XCTUnwrap(sameJSON["comparison"] as? [String: Any])
        XCTAssertEqual(sameComparison["held_out"] as? Int, 60)
        XCTAssertEqual(sameComparison["left_out"] as? Int, 0)
        XCTAssertEqual((sameComparison["production"] as? [String: Any])?["roc_auc"] as? Double ?? -1, overallAUC, accuracy: 1e-12,
                       "production scored again on the held-out cases gives what performance reported")
        XCTAssertEqual(sameComparison["improvement"] as? Double, 0)
        XCTAssertTrue((sameJSON["reason"] as? String ?? "").contains("version 2 stays candidate, production stays version 1: candidate roc_auc"), "\(sameJSON)")
        XCTAssertTrue((sameJSON["reason"] as? String ?? "").hasSuffix("not better by promotion.min_improvement 0.020 (difference +0.000)"), "\(sameJSON)")

        // The labels fixed: the candidate ranks the arrived cases as production reversed.
        try writeCases(setup, flipped: false)
        let fixed = try CLI.run(["retrain", "--policy", crossed, "--out", setup.dir.appendingPathComponent("runs/fixed").path, "--resamples", "20"] + db)
        XCTAssertEqual(fixed.status, 0, "\(fixed)")
        XCTAssertTrue(fixed.lines.contains("candidate: version 3 (candidate) trained into \(setup.dir.appendingPathComponent("runs/fixed").path)"), fixed.stdout)
        XCTAssertTrue(fixed.lines.contains("held out: 60 arrived outcomes of version 1 (0 left out: training or dev cases of the run's plan)"), fixed.stdout)
        let candidateRow = try XCTUnwrap(fixed.lines.first { $0.hasPrefix("candidate v3 ") }).split(separator: " ").map(String.init)
        XCTAssertEqual(Double(candidateRow[3]) ?? -1, 1 - overallAUC, accuracy: 0.0015, "\(fixed.stdout)")
        XCTAssertGreaterThan(overallAUC, 0, "sanity")
        XCTAssertLessThan(overallAUC, 0.49, "the flipped run ranks worse than chance: \(fixed.stdout)")
        XCTAssertTrue(fixed.lines.last?.hasPrefix("decision: promoted: crossed drift.max_drifted_share ") ?? false, fixed.stdout)
        XCTAssertTrue(fixed.lines.last?.contains("version 3 promoted to production (was version 1): candidate roc_auc") ?? false, fixed.stdout)

        let list = try CLI.jsonLines(try CLI.run(["model", "list", "--format", "json"] + db).stdout)
        XCTAssertEqual(list.map { $0["aliases"] as? [String] ?? [] }, [[], [], ["candidate", "production"]])

        // Every decision is in the audit trail, between the registry's own entries.
        let audit = try DatabaseQueue(path: setup.registry).read { db in
            try Row.fetchAll(db, sql: "SELECT action, outcome FROM audit_log WHERE action LIKE 'model.%' ORDER BY seq")
        }
        XCTAssertEqual(audit.map { $0["action"] as String }, ["model.register", "model.outcomes", "model.retrain", "model.retrain", "model.register",
                                                              "model.retrain", "model.register", "model.promote", "model.retrain"])
        XCTAssertEqual(audit.map { ($0["outcome"] as String).prefix { $0 != ":" } },
                       ["ok", "ok", "hold", "would-retrain", "ok", "refused", "ok", "ok", "promoted"])
        XCTAssertEqual(audit[1]["outcome"] as String, "ok: 60 outcomes for outcome version 1")
        XCTAssertEqual(audit[7]["outcome"] as String, "ok: outcome production -> version 3 (was version 1)")
        XCTAssertEqual(try CLI.run(["audit", "verify"] + db).status, 0)
    }

    func testBadPolicyFilesNameFileAndKey() throws {
        let registry = try LexgraphBinary.oneCaseDatabase(for: self)
        let dir = try CLI.temporaryFolder(self)
        let cases: [(String, String, String)] = [
            ("typo.yaml", "model: m\ndrift:\n  max_pis: 0.2\n", ":3: unknown key 'drift.max_pis' (known in drift: max_psi, max_drifted_share)"),
            ("section.yaml", "model: m\nthresholds: {}\n", ":2: unknown key 'thresholds' (known: model, drift, performance, promotion)"),
            ("count.yaml", "performance:\n  min_outcomes: many\n", ":2: 'performance.min_outcomes' must be a whole number of at least 1, got 'many'"),
            ("number.json", "{\"drift\": {\"max_psi\": \"high\"}}", ":1: 'drift.max_psi' must be a number from 0 to 1000, got 'high'"),
            ("share.yaml", "drift:\n  max_drifted_share: 2\n", ":2: 'drift.max_drifted_share' must be a number from 0 to 1, got '2'"),
            ("metric.yaml", "promotion:\n  metric: f2\n", ":2: 'promotion.metric' must be one of accuracy, macro_f1, roc_auc, brier, ece, got 'f2'"),
            ("list.yaml", "- drift\n", ":1: a policy must be a mapping (model, drift, performance, promotion)"),
        ]
        for (name, text, message) in cases {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try CLI.run(["retrain", "--policy", path, "--db", registry])
            XCTAssertEqual(r.status, 1, "\(name): \(r)")
            XCTAssertEqual(r.stderr, "lexgraph: error: \(path)\(message)\n", name)
            XCTAssertEqual(r.stdout, "")
        }
        let good = dir.appendingPathComponent("good.yaml").path
        try "drift:\n  max_psi: 0.25\n".write(toFile: good, atomically: true, encoding: .utf8)
        let unnamed = try CLI.run(["retrain", "--policy", good, "--db", registry])
        XCTAssertEqual(unnamed.stderr, "lexgraph: error: name the model: --name NAME, or 'model: NAME' in \(good)\n")
        let unknown = try CLI.run(["retrain", "--policy", good, "--name", "nothing", "--db", registry])
        XCTAssertEqual(unknown.stderr, "lexgraph: error: no model named nothing is registered (`lexgraph model list` shows them)\n")
        let absent = try CLI.run(["retrain", "--policy", dir.appendingPathComponent("absent.yaml").path, "--db", registry])
        XCTAssertEqual(absent.stderr, "lexgraph: error: cannot read the policy file \(dir.appendingPathComponent("absent.yaml").path)\n")
        XCTAssertEqual(try CLI.run(["model", "performance", "nothing", "--db", registry]).stderr,
                       "lexgraph: error: no model named nothing is registered (`lexgraph model list` shows them)\n")
    }
}
