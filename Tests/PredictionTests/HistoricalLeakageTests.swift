import Grounding
import LexgraphCore
import Prediction
import XCTest

/// Leakage test (b): a case's historical-rate features (and the past-outcome baseline)
/// depend only on outcomes known strictly before its reference date. Altering every
/// outcome known on or after that date (flipping the winner and rewriting the attributes
/// to match the case, the most tempting change) leaves them unchanged; altering one
/// earlier outcome changes them (the test can fail).
final class HistoricalLeakageTests: XCTestCase {
    static func date(_ s: String) -> LegalDate { LegalDate(iso: s)! }

    func testCountsAreStrictlyBeforeTheDate() {
        let a = HistoricalAttributes(caseSource: 1, issue: 2, issueArea: 3, petitioner: 4, respondent: 5, naturalCourt: 6)
        let records = [
            OutcomeRecord(attributes: a, knownFrom: Self.date("2000-01-01"), petitionerWon: true),
            OutcomeRecord(attributes: a, knownFrom: Self.date("2000-06-01"), petitionerWon: false),
            OutcomeRecord(attributes: a, knownFrom: Self.date("2000-06-02"), petitionerWon: true),
        ]
        let index = HistoricalOutcomeIndex(records: records.reversed())
        let counts = index.counts(for: a, asOf: Self.date("2000-06-02"))
        XCTAssertEqual(counts.overall, Tally(cases: 2, petitionerWins: 1))
        XCTAssertEqual(counts.byKey[.issue], Tally(cases: 2, petitionerWins: 1))
        XCTAssertEqual(index.counts(for: a, asOf: Self.date("2000-01-01")).overall, Tally(cases: 0, petitionerWins: 0))
        // Beta smoothing: p0 = (1+1)/(2+2) = 0.5; issue rate (1 + 10*0.5)/(2 + 10) = 0.5.
        XCTAssertEqual(counts.overallRate, 0.5)
        XCTAssertEqual(counts.rate(.issue, priorStrength: 2), (1 + 2 * 0.5) / (2 + 2))
        // An attribute value never seen before falls back to the overall rate.
        let unseen = HistoricalAttributes(caseSource: 99, issue: nil, issueArea: nil, petitioner: nil, respondent: nil, naturalCourt: nil)
        XCTAssertEqual(index.counts(for: unseen, asOf: Self.date("2001-01-01")).rate(.caseSource, priorStrength: 10),
                       (2 + 1) / (3 + 2))
    }

    func testRealHistoricalFeaturesIgnoreLaterOutcomes() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        let records = dataset.pastOutcomes
        let history = HistoricalFeatures(index: HistoricalOutcomeIndex(records: records))
        // Cases spread over time, with SCDB attributes so every rate is exercised.
        let candidates = dataset.labelledCases.filter { $0.input.scdb != nil && $0.input.scdbIssue != nil }
        let sample = stride(from: 0, to: candidates.count, by: max(1, candidates.count / 12)).map { candidates[$0] }
        XCTAssertGreaterThanOrEqual(sample.count, 12)
        var controls = 0
        for c in sample {
            let query = c.query
            XCTAssertLessThanOrEqual(query.asOf, c.outcomeKnownFrom)
            let own = c.input.historicalAttributes
            let later = records.map { r -> OutcomeRecord in
                guard r.knownFrom >= query.asOf else { return r }
                return OutcomeRecord(attributes: own, knownFrom: r.knownFrom, petitionerWon: !r.petitionerWon)
            }
            XCTAssertTrue(later != records, "case line \(c.line): nothing later to perturb")
            let perturbed = HistoricalFeatures(index: HistoricalOutcomeIndex(records: later))
            XCTAssertEqual(perturbed.values(for: query), history.values(for: query), "case line \(c.line)")
            XCTAssertEqual(try PastOutcomeModel(history: perturbed).predictProbabilities([query]),
                           try PastOutcomeModel(history: history).predictProbabilities([query]))

            // Control: flipping one earlier outcome changes the rates: the latest one on the
            // case's issue, else (a first case on its issue) the latest one at all, which
            // moves the overall past rate. It must run for every sampled case: a control
            // that cannot run is a failure, not a quiet pass.
            let before = records.indices.filter { records[$0].knownFrom < query.asOf }
            let latest = { (indices: [Int]) in indices.max(by: { records[$0].knownFrom < records[$1].knownFrom }) }
            guard let earlier = latest(before.filter { records[$0].attributes[.issue] == c.input.scdbIssue }) ?? latest(before) else {
                XCTFail("case line \(c.line): no earlier outcome at all, so the control cannot run")
                continue
            }
            controls += 1
            var flipped = records
            flipped[earlier].petitionerWon.toggle()
            XCTAssertNotEqual(HistoricalFeatures(index: HistoricalOutcomeIndex(records: flipped)).values(for: query),
                              history.values(for: query), "case line \(c.line): control")
        }
        XCTAssertEqual(controls, sample.count, "the control ran for every sampled case")
    }
}
