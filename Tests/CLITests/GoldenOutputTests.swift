import Foundation
import XCTest

/// What `query`, `context`, `predict` and `review` print, byte for byte, in each format
/// they offer, on fixed inputs: a change to any of these outputs shows up as a changed
/// file under Tests/Fixtures/golden/ in the diff, reviewed like code.
/// `LEXGRAPH_UPDATE_GOLDEN=1 swift test -c release --filter GoldenOutputTests` rewrites
/// them. The values themselves are checked elsewhere (against peers); these pin layout,
/// wording, order and escaping. Times are replaced by `<ms>` / `<s>`, temporary paths by
/// `<dir>`, and the review's probabilities by `0.xxx` (they come from a one-epoch tiny
/// encoder whose float sums depend on the BLAS build).
enum Golden {
    static let folder = CLI.root.appendingPathComponent("Tests/Fixtures/golden")

    static func check(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["LEXGRAPH_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no golden file \(name): run with LEXGRAPH_UPDATE_GOLDEN=1 and review what it wrote", file: file, line: line)
            return
        }
        guard text != expected else { return }
        let want = expected.components(separatedBy: "\n"), got = text.components(separatedBy: "\n")
        let i = (0 ..< min(want.count, got.count)).first { want[$0] != got[$0] } ?? min(want.count, got.count)
        XCTFail("\(name) differs from its golden file at line \(i + 1):\n  golden: \(i < want.count ? want[i] : "<end>")\n  now:    \(i < got.count ? got[i] : "<end>")",
                file: file, line: line)
    }

    /// `text` with every match of `pattern` replaced by `template`.
    static func replacing(_ pattern: String, with template: String, in text: String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}

final class GoldenOutputTests: XCTestCase {
    /// Queries over a small citation graph, in the three formats `query` offers.
    func testQuery() throws {
        let db = try CLI.citationGraph(self, nodes: """
            a,Marbury v. Madison,1803-02-24
            b,"McCulloch v. Maryland, the second",1819-03-06
            c,Gibbons v. Ogden,1824-03-02
            d,Dred Scott v. Sandford,1857-03-06
            """ + "\n", edges: "b,a\nc,a\nc,b\nd,c\nd,a\n")
        let queries = [
            ("cited", "MATCH (c:SupremeCourtCase)-[:CITES]->(p:SupremeCourtCase) RETURN c.name AS citing, p.name AS cited, p.decision_date AS decided ORDER BY citing, cited"),
            ("counts", "MATCH (p:SupremeCourtCase)<-[:CITES]-(c) RETURN p.name AS name, count(c) AS citations ORDER BY citations DESC, name"),
            ("reach", "MATCH (d:SupremeCourtCase {name: 'Dred Scott v. Sandford'})-[:CITES*1..3]->(p) RETURN DISTINCT p.name AS reached, p.decision_date < '1810-01-01' AS early ORDER BY reached"),
        ]
        for (name, text) in queries {
            for format in ["table", "json", "csv"] {
                let r = try CLI.run(["query", text, "--format", format, "--db", db])
                XCTAssertEqual(r.status, 0, "\(r)")
                try Golden.check("$ lexgraph query \"\(text)\" --format \(format)\n" + r.stdout, "query-\(name).\(format).txt")
            }
        }
    }

    /// A SCOTUS case's as-of context from the real graph (built by the README's command).
    func testContext() throws {
        let db = try SharedGraph.database()
        for format in ["table", "json"] {
            let r = try CLI.run(["context", "Mapp v. Ohio", "--budget", "900", "--format", format, "--db", db])
            XCTAssertEqual(r.status, 0, "\(r)")
            let text = Golden.replacing(#"grounded in [0-9.]+ ms"#, with: "grounded in <ms> ms", in: r.stdout)
            try Golden.check("$ lexgraph context \"Mapp v. Ohio\" --budget 900 --format \(format)\n" + text, "context-mapp.\(format).txt")
        }
    }

    /// Explained predictions of two pending 2013 cases by a graph-logistic run trained on
    /// split_full of the shared data.
    func testPredict() throws {
        let db = try SharedGraph.database()
        let data = CLI.root.appendingPathComponent("../shared/data").standardizedFileURL
        let dir = try CLI.temporaryFolder(self)
        let run = dir.appendingPathComponent("glr").path
        let train = try CLI.run(["train", "--split", "split_full", "--model", "graph-logistic", "--out", run, "--db", db, "--data", data.path])
        XCTAssertEqual(train.status, 0, "\(train)")
        try (try RunFolderPathTests.pendingCases(2, data: data).joined(separator: "\n") + "\n")
            .write(to: dir.appendingPathComponent("pending.jsonl"), atomically: true, encoding: .utf8)
        for format in ["table", "json"] {
            let r = try CLI.run(["predict", "--run", run, "--cases", "pending.jsonl", "--top", "3", "--format", format], in: dir)
            XCTAssertEqual(r.status, 0, "\(r)")
            try Golden.check("$ lexgraph predict --run RUN --cases pending.jsonl --top 3 --format \(format)\n" + r.stdout, "predict-glr.\(format).txt")
        }
    }
}

extension ReviewCommandTests {
    /// The review of the short NDA with the tiny clause models, in the three formats.
    func testReviewGoldens() throws {
        let setup = try makeSetup()
        let file = path(setup.dir, "nda.md")
        try Self.contract.write(toFile: file, atomically: true, encoding: .utf8)
        for format in ["table", "json", "markdown"] {
            let r = try CLI.run(["review", file, "--types-model", setup.typesRun, "--unfair-model", setup.unfairRun, "--db", setup.db, "--format", format])
            XCTAssertEqual(r.status, 0, "\(r)")
            var text = r.stdout.replacingOccurrences(of: setup.dir.path, with: "<dir>")
            text = Golden.replacing(#"\b0\.[0-9]+"#, with: "0.xxx", in: text)
            text = Golden.replacing(#"reviewed in [0-9.]+ (m?s)"#, with: "reviewed in <$1>", in: text)
            text = Golden.replacing(#""(elapsed_ms|seconds|elapsed_s)":[0-9.e+-]+"#, with: "\"$1\":<t>", in: text)
            try Golden.check("$ lexgraph review nda.md --format \(format)\n" + text, "review-nda.\(format).txt")
        }
    }
}
