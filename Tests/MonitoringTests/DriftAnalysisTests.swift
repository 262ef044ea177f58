import Foundation
import Monitoring
import Prediction
import Tokenizers
import XCTest

/// DriftAnalysis over hand-made cases: which feature gets which test, missing values left
/// out and counted, unseen categories, a sample without values, and the text figures.
final class DriftAnalysisTests: XCTestCase {
    func input(term: Int, facts: String, issueArea: Int?) -> CaseInput {
        var c = CaseInput(term: term, facts: facts)
        c.scdbIssueArea = issueArea
        return c
    }

    func testFeaturesTestsMissingValuesAndUnseenCategories() throws {
        let reference = (0..<60).map { input(term: 1990 + $0 % 10, facts: "The court held the statute void.", issueArea: [1, 2, 8][$0 % 3]) }
        let current = (0..<30).map { input(term: 2010 + $0 % 3, facts: $0 % 2 == 0 ? "" : "Zyxwv qqqq held.", issueArea: $0 < 5 ? nil : [1, 9][$0 % 2]) }
        let vocabulary = Vocabulary(tokens: ["[PAD]", "[UNK]", "the", "court", "held", "statute", "void", "."])
        let analysis = try DriftAnalysis.compare(reference: reference, current: current,
                                                 columns: try DriftColumn.selected(["term", "issueArea", "lawType", "facts"]),
                                                 profile: TextProfile(vocabulary: vocabulary))
        XCTAssertEqual(analysis.features.map(\.feature), ["term", "issueArea", "lawType", "facts.words", "facts.oov_rate"])
        let term = analysis.features[0], area = analysis.features[1], law = analysis.features[2]
        XCTAssertEqual(term.test, .kolmogorovSmirnov)
        XCTAssertEqual(term.statistic, 1)
        XCTAssertTrue(term.drifted)
        XCTAssertEqual(area.test, .chiSquare)
        XCTAssertEqual([area.referenceCount, area.referenceMissing, area.currentCount, area.currentMissing], [60, 0, 25, 5])
        XCTAssertEqual(area.unseenCategories, [9])
        XCTAssertEqual(area.pValue, 0, "an incoming category the training cases never had: infinite chi-square, as Evidently")
        XCTAssertEqual(law.note, "no values in either sample")
        XCTAssertNil(law.pValue)
        XCTAssertFalse(law.drifted)
        let words = analysis.features[3], oov = analysis.features[4]
        // "" has no facts (missing); "Zyxwv qqqq held." is 4 words, 2 not in the vocabulary.
        XCTAssertEqual([words.currentCount, words.currentMissing], [15, 15])
        XCTAssertEqual(words.referenceMean, 7)
        XCTAssertEqual(words.currentMean, 4)
        XCTAssertEqual(oov.referenceMean, 0)
        XCTAssertEqual(oov.currentMean, 0.5)
        XCTAssertTrue(oov.drifted)
    }

    func testWithoutVocabularyThereIsNoOOVFeature() throws {
        let cases = (0..<10).map { input(term: 2000, facts: "Text \($0).", issueArea: 1) }
        let analysis = try DriftAnalysis.compare(reference: cases, current: cases, columns: try DriftColumn.selected(["facts"]),
                                                 profile: TextProfile(vocabulary: nil))
        XCTAssertEqual(analysis.features.map(\.feature), ["facts.words"])
        XCTAssertEqual(analysis.features[0].pValue, 1)
        XCTAssertFalse(analysis.hasVocabulary)
    }

    func testBadInput() {
        XCTAssertThrowsError(try DriftColumn.selected(["term", "winner"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown column 'winner' (columns: term, issueArea,"), "\(error)")
        }
        let one = [input(term: 2000, facts: "x", issueArea: 1)]
        XCTAssertThrowsError(try DriftAnalysis.compare(reference: one, current: [], profile: TextProfile(vocabulary: nil))) { error in
            XCTAssertEqual("\(error)", "no incoming cases")
        }
    }

    func testTextProfileLowercasesAndSplitsPunctuationLikeBERT() {
        let profile = TextProfile(vocabulary: Vocabulary(tokens: ["the", "court", "held", ",", "."]))
        // the, court, held, ",", obiter, "." : six words, one ("obiter") not in the vocabulary.
        XCTAssertEqual(profile.figures("The COURT held, obiter."), .init(words: 6, outOfVocabularyRate: 1.0 / 6))
        XCTAssertEqual(TextProfile(vocabulary: nil).figures("a b").outOfVocabularyRate, nil)
    }
}
