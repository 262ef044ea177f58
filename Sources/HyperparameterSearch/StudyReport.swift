import Foundation
import Reports

/// A study's results: one row per trial (its hyperparameters, the highest rung it
/// reached, its dev metric there, the epochs it cost), as a text table, CSV and JSON, and
/// a chart of dev metric against epochs trained, one line per trial.
public struct StudyReport: Sendable {
    public struct TrialRow: Sendable, Codable, Equatable {
        public var trial: Int
        public var params: Hyperparameters
        public var rung: Int
        public var epochs: Double
        public var devMetric: Double
        public var cost: Double
        /// (epochs, dev metric) at each rung it finished.
        public var curve: [[Double]]
    }

    public var mode: Study.Mode
    public var metric: String
    public var rungs: [Double]
    public var maxEpochs: Int
    public var rows: [TrialRow]
    public var winner: Int?
    /// Epochs trained by every trial together, and that in full runs of max_epochs.
    public var totalCost: Double
    public var fullRuns: Double { Double(totalCost) / Double(maxEpochs) }

    public init(study: Study, jobs: [StudyStore.JobRow], metric: String) throws {
        let trials = try study.store.trials()
        mode = study.mode; self.metric = metric; rungs = study.rungs; maxEpochs = study.space.maxEpochs
        rows = trials.keys.sorted().compactMap { id in
            let mine = jobs.filter { $0.trial == id && $0.finished }
            guard let last = mine.max(by: { $0.rung < $1.rung }) else { return nil }
            return TrialRow(trial: id, params: trials[id] ?? [:], rung: last.rung, epochs: last.trainedEpochs ?? 0, devMetric: last.metric ?? .nan,
                            cost: mine.compactMap(\.cost).reduce(0, +), curve: mine.sorted { $0.rung < $1.rung }.map { [$0.trainedEpochs ?? 0, $0.metric ?? .nan] })
        }
        winner = Study.winner(jobs)?.trial
        totalCost = rows.map(\.cost).reduce(0, +)
    }

    /// Epochs in the table: whole ones as integers, else two decimals (a rung's updates
    /// round down, so 1.5 epochs of 13 updates each read 1.46).
    func epochs(_ e: Double) -> String {
        abs(e - e.rounded()) < 1e-9 ? String(Int(e.rounded())) : String(format: "%.2f", e)
    }

    var names: [String] { Array(Set(rows.flatMap(\.params.keys))).sorted() }

    /// Trials best first within the highest rung, then lower rungs.
    var ranked: [TrialRow] { rows.sorted { ($0.rung, $0.devMetric, -$0.trial) > ($1.rung, $1.devMetric, -$1.trial) } }

    public var text: String {
        var table = MarkdownTable(header: ["trial"] + names + ["rung", "epochs", "dev \(metric)", "cost (epochs)"])
        for r in ranked {
            table.append(["\(r.trial)\(r.trial == winner ? " *" : "")"] + names.map { r.params[$0]?.description ?? "" }
                         + ["\(r.rung)", epochs(r.epochs), String(format: "%.4f", r.devMetric), epochs(r.cost)])
        }
        let rungText = rungs.map(SearchSpace.epochText).joined(separator: ", ")
        return "\(mode == .asha ? "ASHA" : "grid search"): \(rows.count) trial(s), rungs at \(rungText) epoch(s); cost \(epochs(totalCost)) epochs "
            + String(format: "(%.2f full runs of %d epochs)", fullRuns, maxEpochs) + "\n\n" + table.text
            + (winner.map { "\nwinner: trial \($0) (*), selected on dev \(metric)\n" } ?? "")
    }

    public var csv: String {
        func cell(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var out = (["trial"] + names + ["rung", "epochs", "dev_\(metric)", "cost_epochs", "winner"]).map(cell).joined(separator: ",") + "\n"
        for r in ranked {
            let values = names.map { n -> String in
                switch r.params[n] {
                case .real(let d)?: return String(d)
                case let v?: return v.description
                case nil: return ""
                }
            }
            out += (["\(r.trial)"] + values + ["\(r.rung)", String(r.epochs), String(r.devMetric), String(r.cost), r.trial == winner ? "1" : "0"]).map(cell).joined(separator: ",") + "\n"
        }
        return out
    }

    public var json: String {
        struct Document: Encodable {
            var mode: String, metric: String, rungs: [Double], max_epochs: Int, total_cost_epochs: Double, full_runs: Double, winner: Int?
            var trials: [TrialRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let doc = Document(mode: mode.rawValue, metric: metric, rungs: rungs, max_epochs: maxEpochs, total_cost_epochs: totalCost, full_runs: fullRuns,
                           winner: winner, trials: rows)
        return ((try? String(decoding: encoder.encode(doc), as: UTF8.self)) ?? "{}") + "\n"
    }

    public var svg: String {
        let series = rows.map { r in
            ChartSeries(name: "trial \(r.trial)" + (r.trial == winner ? " (winner)" : ""), points: r.curve.map { (x: $0[0], y: $0[1]) },
                        showsMarkers: true, dashed: r.trial != winner)
        }
        return LineChart(title: "\(mode == .asha ? "ASHA" : "Grid search"): dev \(metric) by epochs trained", xLabel: "epochs trained (resource)",
                         yLabel: "dev \(metric)", series: series, legendPosition: .bottomRight).svg
    }

    /// Writes `results.txt`, `results.csv`, `results.json` and `results.svg` into `directory`.
    public func write(to directory: String) throws {
        for (name, text) in [("results.txt", self.text), ("results.csv", csv), ("results.json", json), ("results.svg", svg)] {
            let path = directory + "/" + name
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw SearchError("cannot write the results: \(error.localizedDescription)", file: path)
            }
        }
    }
}
