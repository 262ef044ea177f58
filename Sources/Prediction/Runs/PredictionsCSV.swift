import Foundation

/// A run's `predictions-dev.csv` / `predictions-test.csv`: one row per model per case,
/// the run's model and every baseline, so `lexgraph eval` can compare them on the same
/// cases. Columns `model,case_line,term,usid,label,probability,threshold`; label 1 when
/// the first party won; threshold the one the fold's model predicted at; numbers in Swift's
/// shortest round-trip form (they read back exactly). Files without the threshold column
/// (written before models chose their own) read back at `decisionThreshold`.
public enum PredictionsCSV {
    public static let header = ["model", "case_line", "term", "usid", "label", "probability", "threshold"]
    static let headerWithoutThreshold = Array(header.dropLast())

    /// Models in the given order, each model's rows in case order.
    public static func text(_ models: [(model: String, predictions: [ScoredPrediction])]) -> String {
        var out = header.joined(separator: ",") + "\n"
        for (model, predictions) in models {
            for p in predictions {
                out += [field(model), String(p.caseLine), String(p.term), field(p.usid ?? ""), p.label ? "1" : "0",
                        "\(p.probability)", "\(p.threshold)"].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// Reads the file back, models in first-appearance order. Errors name file:line.
    public static func read(path: String) throws -> [(model: String, predictions: [ScoredPrediction])] {
        let table = try CSVTable(contentsOf: path)
        guard table.header == header || table.header == headerWithoutThreshold else {
            throw PredictionError("predictions header should be \(header.joined(separator: ",")), found \(table.header.joined(separator: ","))",
                                  file: path, line: 1)
        }
        let hasThreshold = table.header == header
        var order: [String] = []
        var byModel: [String: [ScoredPrediction]] = [:]
        for (row, line) in zip(table.rows, table.lines) {
            guard let caseLine = Int(row[1]), let term = Int(row[2]), row[4] == "0" || row[4] == "1",
                  let probability = Double(row[5]), probability >= 0, probability <= 1,
                  let threshold = hasThreshold ? Double(row[6]) : decisionThreshold, threshold >= 0, threshold <= 1 else {
                throw PredictionError("malformed prediction row (case_line and term integers, label 0 or 1, probability and threshold in [0, 1])",
                                      file: path, line: line)
            }
            if byModel[row[0]] == nil { order.append(row[0]) }
            byModel[row[0], default: []].append(ScoredPrediction(caseLine: caseLine, term: term, usid: row[3].isEmpty ? nil : row[3],
                                                                 label: row[4] == "1", probability: probability, threshold: threshold))
        }
        return order.map { ($0, byModel[$0] ?? []) }
    }

    /// Quotes a field holding a comma, quote or newline (RFC 4180).
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
