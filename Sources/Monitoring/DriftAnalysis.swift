import Foundation
import LexgraphCore
import Prediction

/// One feature's comparison of incoming cases with the training cases. A numeric column
/// is one feature; a text column gives two numeric ones, `<column>.words` and
/// `<column>.oov_rate`.
public struct FeatureDrift: Sendable {
    public enum Test: String, Sendable { case kolmogorovSmirnov = "ks", chiSquare = "chi-square" }
    /// PSI below 0.1: stable; 0.1 to 0.25: moderate shift; 0.25 and more: major shift.
    public enum PSILevel: String, Sendable { case stable, moderate, major }

    public var feature: String
    public var column: String
    public var test: Test
    public var statistic: Double?
    public var pValue: Double?
    public var psi: Double?
    /// Values present / missing in the training cases and the incoming ones.
    public var referenceCount: Int
    public var referenceMissing: Int
    public var currentCount: Int
    public var currentMissing: Int
    /// Numeric features: the means; categorical: nil.
    public var referenceMean: Double?
    public var currentMean: Double?
    /// Categorical features: incoming values the training cases never had.
    public var unseenCategories: [Int]
    /// Why no test was run (a sample without values), else nil.
    public var note: String?

    /// The test's verdict at the 5% level.
    public var drifted: Bool { (pValue ?? 1) < DriftAnalysis.alpha }

    public var psiLevel: PSILevel? {
        guard let psi else { return nil }
        return psi >= DriftAnalysis.psiMajor ? .major : psi >= DriftAnalysis.psiModerate ? .moderate : .stable
    }
}

/// Incoming cases against a run's training cases, feature by feature.
public struct DriftAnalysis: Sendable {
    public static let alpha = 0.05
    public static let psiModerate = 0.1
    public static let psiMajor = 0.25

    public var referenceCases: Int
    public var currentCases: Int
    public var features: [FeatureDrift]
    /// Whether out-of-vocabulary rates were measured (the run has a WordPiece vocabulary).
    public var hasVocabulary: Bool

    public var driftedFeatures: [FeatureDrift] { features.filter(\.drifted) }

    public static func compare(reference: [CaseInput], current: [CaseInput], columns: [DriftColumn] = DriftColumn.all,
                               profile: TextProfile) throws -> DriftAnalysis {
        guard !reference.isEmpty else { throw MonitoringError("the run has no training cases to compare with") }
        guard !current.isEmpty else { throw MonitoringError("no incoming cases") }
        var features: [FeatureDrift] = []
        for column in columns {
            switch column.kind {
            case .numeric:
                features.append(numeric(column.name, column: column.name, reference.map(column.number), current.map(column.number)))
            case .categorical:
                features.append(categorical(column, reference, current))
            case .text:
                let ref = reference.map { column.text($0).map(profile.figures) }
                let cur = current.map { column.text($0).map(profile.figures) }
                features.append(numeric(column.name + ".words", column: column.name,
                                        ref.map { $0.map { Double($0.words) } }, cur.map { $0.map { Double($0.words) } }))
                if profile.vocabulary != nil {
                    features.append(numeric(column.name + ".oov_rate", column: column.name,
                                            ref.map { $0?.outOfVocabularyRate }, cur.map { $0?.outOfVocabularyRate }))
                }
            }
        }
        return DriftAnalysis(referenceCases: reference.count, currentCases: current.count, features: features,
                             hasVocabulary: profile.vocabulary != nil)
    }

    static func numeric(_ feature: String, column: String, _ reference: [Double?], _ current: [Double?]) -> FeatureDrift {
        let ref = reference.compactMap { $0 }, cur = current.compactMap { $0 }
        var result = FeatureDrift(feature: feature, column: column, test: .kolmogorovSmirnov,
                                  referenceCount: ref.count, referenceMissing: reference.count - ref.count,
                                  currentCount: cur.count, currentMissing: current.count - cur.count,
                                  referenceMean: mean(ref), currentMean: mean(cur), unseenCategories: [])
        if let note = emptyNote(ref, cur) { result.note = note; return result }
        let ks = DriftStatistics.kolmogorovSmirnov(ref, cur)
        result.statistic = ks.statistic
        result.pValue = ks.pValue
        result.psi = DriftStatistics.populationStabilityIndex(reference: ref, current: cur, numeric: true)
        return result
    }

    static func categorical(_ column: DriftColumn, _ reference: [CaseInput], _ current: [CaseInput]) -> FeatureDrift {
        let ref = reference.compactMap(column.number), cur = current.compactMap(column.number)
        let seen = Set(ref)
        var result = FeatureDrift(feature: column.name, column: column.name, test: .chiSquare,
                                  referenceCount: ref.count, referenceMissing: reference.count - ref.count,
                                  currentCount: cur.count, currentMissing: current.count - cur.count,
                                  unseenCategories: Set(cur).subtracting(seen).map { Int($0) }.sorted())
        if let note = emptyNote(ref, cur) { result.note = note; return result }
        let categories = seen.union(cur).sorted()
        var refCounts: [Double: Int] = [:], curCounts: [Double: Int] = [:]
        for v in ref { refCounts[v, default: 0] += 1 }
        for v in cur { curCounts[v, default: 0] += 1 }
        let chi = DriftStatistics.chiSquare(referenceCounts: categories.map { refCounts[$0, default: 0] },
                                       currentCounts: categories.map { curCounts[$0, default: 0] })
        result.statistic = chi.statistic
        result.pValue = chi.pValue
        result.psi = DriftStatistics.populationStabilityIndex(reference: ref, current: cur, numeric: false)
        return result
    }

    static func emptyNote(_ ref: [Double], _ cur: [Double]) -> String? {
        if ref.isEmpty && cur.isEmpty { return "no values in either sample" }
        if ref.isEmpty { return "no values in the training cases" }
        if cur.isEmpty { return "no values in the incoming cases" }
        return nil
    }

    static func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
}
