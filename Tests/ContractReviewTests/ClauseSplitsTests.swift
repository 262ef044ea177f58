import ContractReview
import Foundation
import XCTest

/// The committed split files applied to the corpora: every record exactly once, only
/// records the data has, one split per text; each violation an error at file:line.
final class ClauseSplitsTests: XCTestCase {
    typealias D = ClauseTestData

    func testFixtureSplitsAssignItems() throws {
        let types = try ClauseCorpus.load(.clauseTypes, path: D.fixture("clause_types_small.csv"))
        let typeSplits = try ClauseSplits.load(path: D.fixture("clause_types_small_split.csv"), corpus: types)
        XCTAssertEqual(typeSplits.splitOfItem, [.train, .dev, .test, .train])
        XCTAssertEqual(typeSplits.items(.train, of: types).map(\.id), ["clause:clause-corpus:1", "clause:clause-corpus:4"])
        XCTAssertNil(typeSplits.fold)

        let cuad = try ClauseCorpus.load(.cuad, path: D.fixture("cuad_small.tsv"))
        let cuadSplits = try ClauseSplits.load(path: D.fixture("cuad_small_split.csv"), corpus: cuad)
        XCTAssertEqual(cuadSplits.splitOfItem, [.train, .test, .dev])
        XCTAssertEqual(cuadSplits.counts, [.train: 1, .dev: 1, .test: 1])
    }

    func testFoldsMakeTestDevAndTrain() throws {
        let unfair = try ClauseCorpus.load(.unfairTOS, path: D.fixture("unfair_small.tsv"))
        // Items are in folds 1 (rows 1 and 4), 2 and 3.
        let expected: [Int: [ClauseSplitName]] = [1: [.test, .dev, .train], 2: [.train, .test, .dev], 3: [.train, .train, .test],
                                                  4: [.train, .train, .train], 5: [.dev, .train, .train]]
        for (k, splits) in expected {
            let s = try ClauseSplits.load(path: D.fixture("unfair_small_folds.csv"), corpus: unfair, fold: k)
            XCTAssertEqual(s.splitOfItem, splits, "fold \(k)")
            XCTAssertEqual(s.fold, k)
        }
        XCTAssertEqual((1...5).map { ClauseSplits.split(ofFold: $0, testFold: 5) }, [.dev, .train, .train, .train, .test])
    }

    func testBadSplitFilesAreErrorsAtFileAndLine() throws {
        let dir = try D.temporaryFolder(self)
        let data = D.fixture("clause_types_small.csv")
        let types = try ClauseCorpus.load(.clauseTypes, path: data)
        func message(_ text: String) throws -> String {
            let path = try D.write(text, "split.csv", in: dir)
            return D.message { _ = try ClauseSplits.load(path: path, corpus: types) }
        }
        let path = dir.appendingPathComponent("split.csv").path
        XCTAssertEqual(try message("row,split\n1,train\n9,dev\n3,test\n4,train\n"), "\(path):3: row '9' is not a record of \(data) (1...4)")
        XCTAssertEqual(try message("row,split\n1,train\nx,dev\n"), "\(path):3: row 'x' is not a record of \(data) (1...4)")
        XCTAssertEqual(try message("row,split\n1,train\n2,dev\n2,test\n"), "\(path):4: row 2 is assigned twice (first at line 3)")
        XCTAssertEqual(try message("row,split\n1,train\n2,valid\n"), "\(path):3: split must be train, dev or test, got 'valid'")
        XCTAssertEqual(try message("row,part\n1,train\n"), "\(path):1: the header must be 'row,split', got 'row,part'")
        XCTAssertEqual(try message("row,split\n1,train\n2,dev\n3,test\n"),
                       "\(path): covers 3 of the 4 records of \(data): no split for row 4 (\(data):6)")
        XCTAssertEqual(try message("row,split\n2,dev\n3,test\n"),
                       "\(path): covers 2 of the 4 records of \(data): no split for row 1 (\(data):2) and 1 more")
        XCTAssertEqual(try message(""), "\(path): the split file is empty")
        let missing = dir.appendingPathComponent("none.csv").path
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: missing, corpus: types) }, "\(missing): no split file here (tools/make_clause_splits.py writes it)")
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: D.fixture("clause_types_small_split.csv"), corpus: types, fold: 1) },
                       "clause-types has a fixed train/dev/test split, not folds (got fold 1)")
    }

    func testATextInTwoSplitsIsAnError() throws {
        let dir = try D.temporaryFolder(self)
        let cuad = try ClauseCorpus.load(.cuad, path: D.fixture("cuad_small.tsv"))
        let path = try D.write("row,split\n1,train\n2,train\n3,test\n4,dev\n5,test\n", "split.csv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: path, corpus: cuad) },
                       "\(path):6: row 5 has the same text as row 1 (line 2) but split test, not train: a text must not be in two splits")

        let unfair = try ClauseCorpus.load(.unfairTOS, path: D.fixture("unfair_small.tsv"))
        let folds = try D.write("row,fold\n1,1\n2,2\n3,3\n4,2\n", "folds.csv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: folds, corpus: unfair, fold: 1) },
                       "\(folds):5: row 4 has the same text as row 1 (line 2) but fold 2, not 1: a text must not be in two splits")
        let badFold = try D.write("row,fold\n1,1\n2,7\n3,3\n4,1\n", "bad.csv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: badFold, corpus: unfair, fold: 1) }, "\(badFold):3: fold must be 1...5, got '7'")
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: D.fixture("unfair_small_folds.csv"), corpus: unfair) },
                       "unfair-tos is scored by 5-fold cross-validation: give the test fold (1...5)")
        XCTAssertEqual(D.message { _ = try ClauseSplits.load(path: D.fixture("unfair_small_folds.csv"), corpus: unfair, fold: 6) },
                       "the test fold must be in 1...5, got 6")
    }

    // MARK: The committed splits on the real data

    func testCommittedSplitsCoverTheRealDataAsPythonCounts() throws {
        for task in [ClauseTask.clauseTypes, .cuad] {
            let corpus = try D.realCorpus(task)
            let splits = try ClauseSplits.load(path: D.splitFile(task), corpus: corpus)
            let expected = try XCTUnwrap(try D.expected(task)["splits"] as? [String: Int])
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: splits.counts.map { ($0.key.rawValue, $0.value) }), expected, task.rawValue)
        }
        let unfair = try D.realCorpus(.unfairTOS)
        let folds = try XCTUnwrap(try D.expected(.unfairTOS)["folds"] as? [String: [String: Int]])
        for k in 1...5 {
            let splits = try ClauseSplits.load(path: D.splitFile(.unfairTOS), corpus: unfair, fold: k)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: splits.counts.map { ($0.key.rawValue, $0.value) }), folds["\(k)"], "fold \(k)")
        }
    }

    /// The promises of tools/make_clause_splits.py: clause types 80/10/10 within each type;
    /// every CUAD category and every unfair label held out in dev and test.
    func testCommittedSplitsAreStratified() throws {
        let types = try D.realCorpus(.clauseTypes)
        let typeSplits = try ClauseSplits.load(path: D.splitFile(.clauseTypes), corpus: types)
        var perType: [String: [ClauseSplitName: Int]] = [:]
        for (i, item) in types.items.enumerated() { perType[item.labels[0], default: [:]][typeSplits.splitOfItem[i], default: 0] += 1 }
        XCTAssertEqual(perType.count, 394)
        for (type, counts) in perType {
            let n = counts.values.reduce(0, +)
            for split in [ClauseSplitName.dev, .test] {
                XCTAssertLessThanOrEqual(abs(Double(counts[split] ?? 0) - Double(n) / 10), 1, "\(type) \(split): \(counts)")
            }
        }

        let cuad = try D.realCorpus(.cuad)
        let cuadSplits = try ClauseSplits.load(path: D.splitFile(.cuad), corpus: cuad)
        for split in [ClauseSplitName.dev, .test] {
            let held = Set(cuadSplits.items(split, of: cuad).flatMap(\.labels))
            XCTAssertEqual(held, Set(cuad.labelNames), "\(split): every category has a positive text")
        }

        let unfair = try D.realCorpus(.unfairTOS)
        for k in 1...5 {
            let s = try ClauseSplits.load(path: D.splitFile(.unfairTOS), corpus: unfair, fold: k)
            XCTAssertEqual(Set(s.items(.test, of: unfair).flatMap(\.labels)), Set(unfair.labelNames), "fold \(k)")
        }
    }
}
