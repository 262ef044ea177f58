import Foundation
import LexgraphCore
import PretrainingCorpus
import TestRequirements
import XCTest

/// The pretraining corpus on tiny shared-data folders written here: every downstream test
/// text is kept out (also when another source repeats it), duplicates are kept once,
/// junk is counted and skipped, the held-out split is stable, and the files read back.
final class PretrainingCorpusTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func jsonLine(_ object: [String: Value]) -> String { Value.map(object).jsonText + "\n" }

    /// A data folder (root/data) and split folder (root) with one text of each kind.
    func writeTinyData() throws {
        func scotusCase(_ facts: String, term: Int, full: String, window: String) -> String {
            jsonLine(["facts": .string(facts), "term_for_split": .int(Int64(term)), "split_full": .string(full), "split_graph_window": .string(window)])
        }
        try write("data/scotus/cases.jsonl",
                  scotusCase("An early case about the commerce clause and a railroad.", term: 1960, full: "train", window: "train")
                  + scotusCase("A graph-window test case about search and seizure.", term: 1997, full: "train", window: "test")
                  + scotusCase("A walk-forward year case about habeas corpus petitions.", term: 2004, full: "train", window: "excluded_no_graph")
                  + scotusCase("A split_full test case about patent eligibility.", term: 2012, full: "test", window: "excluded_no_graph")
                  + scotusCase("An unlabelled case in a test year about the census.", term: 1997, full: "excluded_no_label", window: "excluded_no_label")
                  + scotusCase("A dev case about the freedom of speech in schools.", term: 1993, full: "train", window: "dev"))
        try write("data/clauses/clause_types_395.csv", """
            clause_text,clause_type
            "Governing Law. This Agreement is governed by the laws of Delaware.",Governing Laws
            "Notices. All notices shall be in writing and delivered by hand.",Notices
            "Severability. If any provision is invalid, the rest remains in force.",Severability

            """)
        try write("graphs/contracts/splits/clause_types_395.csv", "row,split\n1,train\n2,test\n3,dev\n")
        try write("data/clauses/cuad.tsv", """
            category\tlabel\tsplit\ttext
            Governing Law\tYes\ttrain\tThis Agreement shall be governed by the laws of New York.
            Anti-Assignment\tNo\ttrain\tThis Agreement shall be governed by the laws of New York.
            Anti-Assignment\tYes\ttest\tNeither party may assign this Agreement without consent.

            """)
        try write("graphs/contracts/splits/cuad.csv", "row,split\n1,train\n2,train\n3,test\n")
        try write("data/clauses/unfair_tos.tsv", "text\tlabel\nwe may terminate your account at any time .\tOther\n")
        // LEDGAR repeats a clause-type test text (re-punctuated) and a kept clause text.
        try write("data/clauses/ledgar_100.tsv", """
            text\tlabel
            NOTICES: all notices shall be in writing, and delivered by hand!\tNotices
            Severability.  If any provision is invalid, the rest remains in force.\tSeverability
            Short.\tX
            We may terminate your account at any time.\tTermination

            """)
        try write("data/statutes/echr_articles_en.json", """
            [{"id": "2", "title": "Right to life", "text": "Everyone's right to life shall be protected by law."},
             {"id": "3", "title": "Prohibition of torture", "text": "No one shall be subjected to torture\\u0007 or to inhuman treatment."}]
            """)
        try write("data/legalbench/legalbench_tasks.jsonl", jsonLine(["task": .string("hearsay"), "split": .string("test"),
                                                                      "text": .string("The witness testified about what her neighbour said.")]))
        try write("data/contracts/nda.txt", "Mutual Non-Disclosure Agreement\n\n1. Confidential Information means any information\ndisclosed by a party.\n\n   \n2. Term. This agreement lasts two years.\n")
        try write("data/contracts/nda.md", "# A Markdown copy that is never read\n")
    }

    func options(_ sources: [CorpusSource] = CorpusSource.allCases, heldOut: Double = 0) -> PretrainingCorpus.Options {
        PretrainingCorpus.Options(dataFolder: root.appendingPathComponent("data").path, splitsRoot: root.path, sources: sources,
                                  heldOutFraction: heldOut, minimumCharacters: 20)
    }

    func testTestTextsDuplicatesAndJunkStayOut() throws {
        try writeTinyData()
        let corpus = try PretrainingCorpus.build(options())
        let texts = corpus.train.map(\.text)
        XCTAssertTrue(corpus.heldOut.isEmpty)
        XCTAssertEqual(texts, [
            "An early case about the commerce clause and a railroad.",
            "A dev case about the freedom of speech in schools.",
            "Governing Law. This Agreement is governed by the laws of Delaware.",
            "Severability. If any provision is invalid, the rest remains in force.",
            "This Agreement shall be governed by the laws of New York.",
            "Right to life. Everyone's right to life shall be protected by law.",
            "The witness testified about what her neighbour said.",
            "Mutual Non-Disclosure Agreement",
            "1. Confidential Information means any information\ndisclosed by a party.",
            "2. Term. This agreement lasts two years.",
        ])
        let t = corpus.tallies
        // SCOTUS: graph-window test, walk-forward term, split_full test, unlabelled in a test year.
        XCTAssertEqual(t["scotus-facts"]?.read, 6); XCTAssertEqual(t["scotus-facts"]?.test, 4)
        XCTAssertEqual(t["clause-types"]?.test, 1)
        XCTAssertEqual(t["cuad"]?.read, 2, "one item per text"); XCTAssertEqual(t["cuad"]?.test, 1)
        XCTAssertEqual(t["unfair-tos"]?.read, 1); XCTAssertEqual(t["unfair-tos"]?.test, 1, "every UNFAIR-ToS text is a fold's test text")
        // LEDGAR: a clause-type test text and an UNFAIR-ToS text re-punctuated, a duplicate, a short one.
        XCTAssertEqual(t["ledgar"], {
            var x = PretrainingCorpus.Tally(); x.read = 4; x.test = 2; x.duplicates = 1; x.tooShort = 1; return x
        }())
        XCTAssertEqual(t["echr-articles"]?.junk, 1)
        XCTAssertEqual(t["echr-articles"]?.firstJunk?.hasSuffix("echr_articles_en.json:2"), true, "\(t["echr-articles"]?.firstJunk ?? "")")
        XCTAssertEqual(corpus.train.first?.id, "scotus-facts:1")
        XCTAssertEqual(corpus.train.last?.id, "contracts:nda.txt:3")
    }

    /// Test texts are kept out even when their own source is not asked for.
    func testDownstreamTestTextsAreExcludedFromOtherSourcesAlone() throws {
        try writeTinyData()
        let corpus = try PretrainingCorpus.build(options([.ledgar]))
        XCTAssertEqual(corpus.train.map(\.text), ["Severability.  If any provision is invalid, the rest remains in force."])
        XCTAssertEqual(Array(corpus.tallies.keys), ["ledgar"])
    }

    func testHeldOutSplitIsStableAndByText() throws {
        var docs: [String] = []
        for i in 0..<400 { docs.append("Provision number \(i) of the agreement binds both parties.") }
        try write("data/legalbench/legalbench_tasks.jsonl", docs.map { jsonLine(["text": .string($0)]) }.joined())
        try writeMinimalDownstream()
        let corpus = try PretrainingCorpus.build(options([.legalbench], heldOut: 0.1))
        XCTAssertEqual(corpus.train.count + corpus.heldOut.count, 400)
        XCTAssertTrue((20...60).contains(corpus.heldOut.count), "\(corpus.heldOut.count) of 400 held out at 10%")
        for d in corpus.heldOut { XCTAssertTrue(PretrainingCorpus.isHeldOut(key: CorpusDocument.duplicateKey(d.text), fraction: 0.1)) }
        // The same text is held out whatever else the corpus holds.
        try write("data/legalbench/legalbench_tasks.jsonl", docs.reversed().prefix(100).map { jsonLine(["text": .string($0)]) }.joined())
        let smaller = try PretrainingCorpus.build(options([.legalbench], heldOut: 0.1))
        XCTAssertEqual(Set(smaller.heldOut.map(\.text)), Set(corpus.heldOut.map(\.text)).intersection(docs.suffix(100)))
    }

    func writeMinimalDownstream() throws {
        try write("data/scotus/cases.jsonl", jsonLine(["facts": .string("x"), "term_for_split": .int(1960), "split_full": .string("train"), "split_graph_window": .string("train")]))
        try write("data/clauses/clause_types_395.csv", "clause_text,clause_type\nA,B\n")
        try write("graphs/contracts/splits/clause_types_395.csv", "row,split\n1,train\n")
        try write("data/clauses/cuad.tsv", "category\tlabel\tsplit\ttext\nA\tYes\ttrain\tB\n")
        try write("graphs/contracts/splits/cuad.csv", "row,split\n1,train\n")
        try write("data/clauses/unfair_tos.tsv", "text\tlabel\nq\tOther\n")
    }

    func testWrittenFilesReadBack() throws {
        try writeTinyData()
        let corpus = try PretrainingCorpus.build(options(heldOut: 0.3))
        let folder = root.appendingPathComponent("out").path
        try corpus.write(to: folder)
        XCTAssertEqual(try PretrainingCorpus.read(path: folder + "/train.jsonl"), corpus.train)
        XCTAssertEqual(try PretrainingCorpus.read(path: folder + "/heldout.jsonl"), corpus.heldOut)
        let manifest = try Value.parseJSON(String(contentsOfFile: folder + "/manifest.json", encoding: .utf8))
        guard case .map(let m) = manifest, case .map(let sources) = m["sources"] ?? .null, case .map(let ledgar) = sources["ledgar"] ?? .null else {
            return XCTFail("manifest \(manifest)")
        }
        XCTAssertEqual(ledgar["test_excluded"], .int(2))
        XCTAssertEqual(m["train"], .int(Int64(corpus.train.count)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/train.jsonl.partial"))
    }

    func testBadCorpusLinesAreErrorsAtTheirLine() throws {
        let path = root.appendingPathComponent("bad.jsonl").path
        for (text, expected) in [
            ("{\"text\": \"fine text\"}\n{\"text\": \"junk \\u0000 here\"}\n", "bad.jsonl:2: the text holds the control character U+0000"),
            ("{\"text\": \"fine text\"}\n\n{\"id\": \"x\"}\n", "bad.jsonl:3: a corpus line needs a non-empty string \"text\""),
            ("{\"text\": 5}\n", "bad.jsonl:1: a corpus line needs a non-empty string \"text\""),
            ("{\"text\": \"a\"\n", "bad.jsonl:1"),
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try PretrainingCorpus.read(path: path)) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
        try Data([0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PretrainingCorpus.read(path: path)) { XCTAssertTrue("\($0)".contains("bad.jsonl:1:"), "\($0)") }
        XCTAssertThrowsError(try PretrainingCorpus.read(path: root.appendingPathComponent("none.jsonl").path)) {
            XCTAssertTrue("\($0)".contains("none.jsonl: no corpus file here"), "\($0)")
        }
    }

    func testMissingDataNamesTheFile() throws {
        XCTAssertThrowsError(try PretrainingCorpus.build(options())) {
            XCTAssertTrue("\($0)".contains("scotus/cases.jsonl: missing data file for the scotus-facts source"), "\($0)")
        }
        try writeMinimalDownstream()
        XCTAssertThrowsError(try PretrainingCorpus.build(options(heldOut: 1))) { XCTAssertTrue("\($0)".contains("held-out fraction"), "\($0)") }
    }

    /// The real shared data: no text of a downstream test split gets in.
    func testSharedDataCorpusHoldsNoTestText() throws {
        let data = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"] ?? LexgraphBinary.packageRoot.appendingPathComponent("../shared/data").standardized.path
        try TestRequirements.requireFile(data + "/scotus/cases.jsonl", "the shared data (../shared/data or LEXGRAPH_DATA)")
        let corpus = try PretrainingCorpus.build(.init(dataFolder: data, splitsRoot: LexgraphBinary.packageRoot.path))
        let t = corpus.tallies
        XCTAssertEqual(t["unfair-tos"]?.train, 0)
        XCTAssertEqual(t["unfair-tos"]?.heldOut, 0)
        XCTAssertGreaterThan(t["scotus-facts"]?.train ?? 0, 1000)
        XCTAssertGreaterThan(corpus.heldOut.count, 0)
        let total = corpus.train.count + corpus.heldOut.count
        print("[pretraining corpus] \(corpus.train.count) train + \(corpus.heldOut.count) held out; "
              + CorpusSource.allCases.map { s in "\(s.rawValue) \(t[s.rawValue].map { "\($0.train + $0.heldOut)/\($0.read) (test \($0.test), dup \($0.duplicates), junk \($0.junk))" } ?? "-")" }.joined(separator: ", "))
        XCTAssertEqual(Set(corpus.train.map { CorpusDocument.duplicateKey($0.text) }).union(corpus.heldOut.map { CorpusDocument.duplicateKey($0.text) }).count, total)
    }
}
