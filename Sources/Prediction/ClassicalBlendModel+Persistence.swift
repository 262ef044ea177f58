import ContractReview
import Foundation
import LexgraphCore

extension ClassicalBlendModel {
    /// File the model is saved as inside a run's `model/` folder.
    public static let fileName = "classical-blend.json"

    /// What `model/classical-blend.json` holds: both parts, the calibration, and the past
    /// outcomes the historical rates are counted from (so `predict` needs no dataset).
    struct Saved: Codable {
        var kind: String
        var name: String
        var options: ClassicalBlendOptions
        var calibration: BlendCalibration
        var encoder: SCDBFeatureEncoder.Saved
        var tabularWeights: [Double]
        var tabularIntercept: Double
        var priorStrength: Double
        var past: SavedOutcomes
        var ngrams: [Int]
        var terms: [String]
        var idf: [Float]
        var textWeights: [Double]
        var textBias: Double

        enum CodingKeys: String, CodingKey {
            case kind, name, options, calibration, encoder, past, ngrams, terms, idf
            case tabularWeights = "tabular_weights", tabularIntercept = "tabular_intercept", priorStrength = "prior_strength"
            case textWeights = "text_weights", textBias = "text_bias"
        }
    }

    /// Past outcome records column by column; `attributes[i]` has one code (or null) per
    /// `HistoricalKey.allCases` entry.
    struct SavedOutcomes: Codable {
        var keys: [String]
        var knownFrom: [LegalDate]
        var petitionerWon: [Bool]
        var attributes: [[Int?]]

        enum CodingKeys: String, CodingKey {
            case keys, attributes
            case knownFrom = "known_from", petitionerWon = "petitioner_won"
        }
    }

    public func save(to directory: String) throws {
        let calibration = try requireFitted()
        let past = SavedOutcomes(keys: HistoricalKey.allCases.map(\.rawValue), knownFrom: pastOutcomes.map(\.knownFrom),
                                 petitionerWon: pastOutcomes.map(\.petitionerWon),
                                 attributes: pastOutcomes.map { r in HistoricalKey.allCases.map { r.attributes[$0] } })
        let saved = Saved(kind: Self.kind, name: name, options: options, calibration: calibration, encoder: tabular.encoder.saved,
                          tabularWeights: tabular.regression.weights, tabularIntercept: tabular.regression.intercept,
                          priorStrength: rates.priorStrength, past: past,
                          ngrams: [text.vectorizer.ngrams.lowerBound, text.vectorizer.ngrams.upperBound],
                          terms: text.terms, idf: text.vectorizer.idf, textWeights: text.weights, textBias: text.bias)
        try RunFiles.writeJSON(saved, to: (directory as NSString).appendingPathComponent(Self.fileName))
    }

    /// Restores a saved model: it predicts and explains as the fitted one did. (It holds no
    /// SCDB-only training cases, so refitting it needs a fresh model over the dataset.)
    public static func load(from directory: String) throws -> ClassicalBlendModel {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let saved: Saved = try RunFiles.readJSON(Saved.self, from: path, what: "classical-blend model")
        func bad(_ message: String) -> PredictionError { PredictionError(message, file: path, line: 1) }
        guard saved.kind == kind else { throw bad("model kind is '\(saved.kind)', expected '\(kind)'") }
        guard saved.past.keys == HistoricalKey.allCases.map(\.rawValue) else {
            throw bad("the saved past outcomes are keyed by \(saved.past.keys.joined(separator: ", ")), not this build's historical keys: retrain the run")
        }
        let n = saved.past.knownFrom.count
        guard saved.past.petitionerWon.count == n, saved.past.attributes.count == n,
              saved.past.attributes.allSatisfy({ $0.count == HistoricalKey.allCases.count }) else {
            throw bad("the saved past outcomes disagree in length (\(n) dates, \(saved.past.petitionerWon.count) outcomes, \(saved.past.attributes.count) attribute rows)")
        }
        let records = (0..<n).map { i -> OutcomeRecord in
            let a = saved.past.attributes[i]
            return OutcomeRecord(attributes: HistoricalAttributes(caseSource: a[0], issue: a[1], issueArea: a[2], petitioner: a[3],
                                                                  respondent: a[4], naturalCourt: a[5]),
                                 knownFrom: saved.past.knownFrom[i], petitionerWon: saved.past.petitionerWon[i])
        }
        var model = ClassicalBlendModel(pastOutcomes: records, scdbOnlyCases: [], options: saved.options, name: saved.name)
        let encoder = try SCDBFeatureEncoder(history: HistoricalFeatures(index: model.rates.index, priorStrength: saved.priorStrength),
                                             saved: saved.encoder, path: path)
        guard saved.tabularWeights.count == encoder.featureCount, (saved.tabularWeights + [saved.tabularIntercept]).allSatisfy(\.isFinite) else {
            throw bad("expected \(encoder.featureCount) finite tabular weights, found \(saved.tabularWeights.count)")
        }
        model.tabular = SCDBLogisticModel(encoder: encoder, regression: LogisticRegression(c: saved.options.tabularC, weights: saved.tabularWeights,
                                                                                           intercept: saved.tabularIntercept))
        guard saved.ngrams.count == 2, saved.ngrams[0] >= 1, saved.ngrams[0] <= saved.ngrams[1],
              let vectorizer = TfidfVectorizer(ngrams: saved.ngrams[0]...saved.ngrams[1], minDocumentFrequency: saved.options.minDocumentFrequency,
                                               sublinearTF: true, terms: saved.terms, idf: saved.idf),
              let text = TfidfLogistic(vectorizer: vectorizer, c: saved.options.textC, weights: saved.textWeights, bias: saved.textBias),
              (saved.textWeights + [saved.textBias]).allSatisfy(\.isFinite), saved.idf.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw bad("the saved TF-IDF part is inconsistent (\(saved.terms.count) terms, \(saved.idf.count) idf, \(saved.textWeights.count) weights, "
                      + "n-grams \(saved.ngrams), or a repeated term)")
        }
        model.text = text
        let c = saved.calibration
        guard [c.weight, c.a, c.b, c.tabularA, c.tabularB, c.threshold].allSatisfy(\.isFinite), (0...1).contains(c.weight) else {
            throw bad("the saved calibration is not finite or its weight is outside 0...1")
        }
        model.calibration = c
        return model
    }
}
