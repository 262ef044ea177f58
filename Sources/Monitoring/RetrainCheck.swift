import Foundation
import LexgraphCore
import Prediction

/// A policy's thresholds against the production model now: drift of incoming cases
/// against its training cases, and its scores on the latest arrived outcomes against its
/// run's test scores. Retrain when any criterion is crossed.
public struct RetrainCheck: Sendable {
    /// One threshold: its policy key, the value measured (nil: not measured, `note` says
    /// why), and whether the value is past the threshold.
    public struct Criterion: Sendable {
        public var key: String
        public var value: Double?
        public var threshold: Double
        public var crossed: Bool
        public var note: String
    }

    public var criteria: [Criterion]
    public var crossed: [Criterion] { criteria.filter(\.crossed) }

    /// `drift`: nil when there were no incoming cases to compare. `outcomes`: the
    /// production version's, in arrival order. `reference`: its run's test scores.
    public static func evaluate(policy: RetrainPolicy, drift: DriftAnalysis?, outcomes: [ArrivedOutcome],
                                reference: [Metric: Double]) throws -> RetrainCheck {
        var criteria: [Criterion] = []
        let measured = drift?.features.filter { $0.psi != nil } ?? []
        if let threshold = policy.maxPSI {
            if let top = measured.max(by: { $0.psi! < $1.psi! }), let psi = top.psi {
                criteria.append(Criterion(key: "drift.max_psi", value: psi, threshold: threshold, crossed: psi > threshold,
                                          note: "largest PSI: \(top.feature) \(fmt(psi)) over \(drift!.currentCases) incoming cases"))
            } else {
                criteria.append(Criterion(key: "drift.max_psi", value: nil, threshold: threshold, crossed: false, note: "no incoming cases to compare"))
            }
        }
        if let threshold = policy.maxDriftedShare {
            if let drift, !drift.features.isEmpty {
                let drifted = drift.driftedFeatures.map(\.feature)
                let share = Double(drifted.count) / Double(drift.features.count)
                criteria.append(Criterion(key: "drift.max_drifted_share", value: share, threshold: threshold, crossed: share > threshold,
                                          note: "\(drifted.count) of \(drift.features.count) features drifted (p < \(DriftAnalysis.alpha))"
                                              + (drifted.isEmpty ? "" : ": " + drifted.joined(separator: ", "))))
            } else {
                criteria.append(Criterion(key: "drift.max_drifted_share", value: nil, threshold: threshold, crossed: false, note: "no incoming cases to compare"))
            }
        }
        let recent = Array(outcomes.suffix(policy.window))
        let now: [Metric: Double] = try outcomes.count >= policy.minOutcomes
            ? Metrics.all(labels: recent.map(\.firstPartyWon), probabilities: recent.map(\.probability)) : [:]
        for (key, metric, threshold) in [("performance.max_auc_drop", Metric.rocAUC, policy.maxAUCDrop),
                                         ("performance.max_accuracy_drop", Metric.accuracy, policy.maxAccuracyDrop)] {
            guard let threshold else { continue }
            let name = metric == .rocAUC ? "ROC AUC" : "accuracy"
            guard outcomes.count >= policy.minOutcomes else {
                criteria.append(Criterion(key: key, value: nil, threshold: threshold, crossed: false,
                                          note: "\(outcomes.count) arrived outcome\(outcomes.count == 1 ? "" : "s"), fewer than performance.min_outcomes \(policy.minOutcomes)"))
                continue
            }
            guard let before = reference[metric] else {
                criteria.append(Criterion(key: key, value: nil, threshold: threshold, crossed: false, note: "the run's evaluation has no test \(name)"))
                continue
            }
            guard let current = now[metric] else {
                criteria.append(Criterion(key: key, value: nil, threshold: threshold, crossed: false,
                                          note: "\(name) is undefined on the latest \(recent.count) outcomes (one class only)"))
                continue
            }
            let drop = before - current
            criteria.append(Criterion(key: key, value: drop, threshold: threshold, crossed: drop > threshold,
                                      note: "\(name) \(fmt(current)) on the latest \(recent.count) outcomes, \(fmt(before)) on the run's test split"))
        }
        return RetrainCheck(criteria: criteria)
    }
}

/// Production and candidate scored on the same held-out cases, and whether the policy
/// promotes the candidate.
public struct PromotionComparison: Sendable {
    public var metric: Metric
    public var cases: Int
    public var production: [Metric: Double]
    public var candidate: [Metric: Double]
    /// Candidate better by this much (positive: better, whichever way the metric points).
    public var improvement: Double?
    public var promote: Bool
    public var reason: String

    public static func compare(policy: RetrainPolicy, labels: [Bool], production: [Double], candidate: [Double]) throws -> PromotionComparison {
        let metric = policy.metric
        guard labels.count >= policy.minOutcomes, !labels.isEmpty else {
            return PromotionComparison(metric: metric, cases: labels.count, production: [:], candidate: [:], improvement: nil, promote: false,
                                       reason: "only \(labels.count) held-out outcome\(labels.count == 1 ? "" : "s") to compare on, fewer than performance.min_outcomes \(policy.minOutcomes)")
        }
        let p = try Metrics.all(labels: labels, probabilities: production)
        let c = try Metrics.all(labels: labels, probabilities: candidate)
        guard let before = p[metric], let after = c[metric] else {
            return PromotionComparison(metric: metric, cases: labels.count, production: p, candidate: c, improvement: nil, promote: false,
                                       reason: "\(metric.rawValue) is undefined on the \(labels.count) held-out outcomes (one class only)")
        }
        let improvement = RetrainPolicy.lowerIsBetter(metric) ? before - after : after - before
        let promote = improvement > 0 && improvement >= policy.minImprovement
        let scores = "candidate \(metric.rawValue) \(fmt(after)), production \(fmt(before)) on \(labels.count) held-out outcomes"
        let reason = promote
            ? "\(scores): better by \(fmt(improvement)) (promotion.min_improvement \(fmt(policy.minImprovement)))"
            : "\(scores): not better by promotion.min_improvement \(fmt(policy.minImprovement)) (difference \(String(format: "%+.3f", improvement)))"
        return PromotionComparison(metric: metric, cases: labels.count, production: p, candidate: c, improvement: improvement,
                                   promote: promote, reason: reason)
    }
}

func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
