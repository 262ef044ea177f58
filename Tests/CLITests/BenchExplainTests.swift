import Foundation
import XCTest

/// `lexgraph bench explain`: a fused run (a tiny 2-layer BERT, segment context and the graph
/// head, trained by `lexgraph train` on the real SCOTUS graph) timed on two pending cases,
/// both paths; the two paths agree, and the shared path runs fewer encoder passes.
final class BenchExplainTests: XCTestCase {
    func testBenchExplainTimesBothPathsOnAFusedRun() throws {
        let database = try SharedGraph.database()
        let data = CLI.root.appendingPathComponent("../shared/data").standardizedFileURL
        let dir = try CLI.temporaryFolder(self)
        // The tiny encoder fixture with a vocabulary of its 99 rows (the fixture has none).
        let encoder = dir.appendingPathComponent("tiny-bert")
        try FileManager.default.createDirectory(at: encoder, withIntermediateDirectories: true)
        let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert")
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: encoder.appendingPathComponent(file))
        }
        // Whole words only (no ## pieces): any other word is one [UNK], so a verbalized fact
        // stays a few tokens long and several fit the context budget.
        var vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0...9).map(String.init)
        vocabulary += ["the", "of", "court", "state", "united", "states", "law", "case", "v", ".", ",", "(", ")", "-", "'", ":", ";", "/", "and",
                       "in", "to", "a", "for", "on", "by", "act", "federal", "right", "rights", "appeals", "is", "was", "issue", "area",
                       "party", "petitioner", "respondent", "decided", "won", "lost", "cases", "prior", "earlier", "cited", "provision"]
        vocabulary += (0..<(99 - vocabulary.count)).map { "[unused\($0)]" }
        XCTAssertEqual(vocabulary.count, 99)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: encoder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)

        let train = try CLI.run(["train", "--split", "split_graph_window", "--model", "fused-transformer", "--fusion", "segment", "--graph-head", "on",
                                 "--encoder", encoder.path, "--max-length", "64", "--context-tokens", "40", "--epochs", "1", "--trainable-layers", "1",
                                 "--resamples", "10", "--out", dir.appendingPathComponent("run").path, "--db", database, "--data", data.path])
        XCTAssertEqual(train.status, 0, "\(train)")

        var pending: [String] = []
        let cases = try String(contentsOf: data.appendingPathComponent("scotus/cases.jsonl"), encoding: .utf8)
        for line in cases.split(separator: "\n") where pending.count < 2 {
            guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  c["term_for_split"] as? Int == 2013, (c["facts"] as? String)?.isEmpty == false else { continue }
            let kept = c.filter { RunFolderPathTests.allowed.contains($0.key) }
            pending.append(String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self))
        }
        let pendingFile = dir.appendingPathComponent("pending.jsonl")
        try (pending.joined(separator: "\n") + "\n").write(to: pendingFile, atomically: true, encoding: .utf8)

        let bench = try CLI.run(["bench", "explain", "--run", dir.appendingPathComponent("run").path, "--cases", pendingFile.path, "--top", "3"])
        XCTAssertEqual(bench.status, 0, "\(bench)")
        let out = bench.stdout
        print(out)
        XCTAssertTrue(out.contains("2 case(s), top 3, 1 repeat(s)"), out)
        XCTAssertTrue(out.contains("load average before: ") && out.contains("load average after: "), out)
        for path in ["every occlusion its own pass", "shared passes"] {
            XCTAssertTrue(out.split(separator: "\n").contains { $0.hasPrefix(path) }, "\(path): \(out)")
        }
        XCTAssertNotNil(out.range(of: #"ratio \(every occlusion / shared, medians\): [0-9.]+x"#, options: .regularExpression), out)
        // Passes: the prediction, the case and every variant against the case and its context-fact variants.
        let passes = try XCTUnwrap(out.firstMatch(of: #/occlusion variants (\d+) \((\d+) context facts\); encoder passes: every occlusion (\d+), shared (\d+)/#), out)
        let (variants, facts, full, shared) = (Int(passes.1)!, Int(passes.2)!, Int(passes.3)!, Int(passes.4)!)
        XCTAssertGreaterThan(facts, 0, out)
        XCTAssertGreaterThan(variants, facts, "the head's features and seeds are occluded too: \(out)")
        XCTAssertEqual(full, variants + 2, out)
        XCTAssertLessThanOrEqual(shared, facts + 1, out)
        let difference = try XCTUnwrap(out.firstMatch(of: #/largest difference: probability ([0-9.e+-]+), effect ([0-9.e+-]+)/#), out)
        XCTAssertLessThan(try XCTUnwrap(Double(difference.1)), 1e-5, out)
        XCTAssertLessThan(try XCTUnwrap(Double(difference.2)), 1e-5, out)

        // A run of another kind is refused with the run and its kind named.
        let glr = try CLI.run(["train", "--split", "split_graph_window", "--model", "graph-logistic", "--resamples", "10",
                               "--out", dir.appendingPathComponent("glr").path, "--db", database, "--data", data.path])
        XCTAssertEqual(glr.status, 0, "\(glr)")
        let refused = try CLI.run(["bench", "explain", "--run", dir.appendingPathComponent("glr").path, "--cases", pendingFile.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("holds a graph-logistic model"), "\(refused)")
    }
}
