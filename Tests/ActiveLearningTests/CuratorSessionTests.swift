import ActiveLearning
import Foundation
import LexgraphCore
import XCTest

/// The curator loop on a synthetic pool (two clusters of embeddings, "a" and "b"): resume
/// after a crash, the answers-file round trip, the prompt, and bad input.
final class CuratorSessionTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-al-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ text: String, _ name: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// 40 items: even ids near (1, 0, 0), odd ones near (0, 1, 0).
    func fixture() throws -> (LabelPool, ClassList, EmbeddingMatrix) {
        var rng = SplitMix64(seed: 5)
        var lines: [String] = [], rows: [[Float]] = []
        for i in 0..<40 {
            lines.append("{\"id\": \"c\(i)\", \"text\": \"clause number \(i)\"}")
            let noise = (0..<3).map { _ in Float(rng.unit() - 0.5) * 0.6 }
            rows.append(i % 2 == 0 ? [1 + noise[0], noise[1], noise[2]] : [noise[0], 1 + noise[1], noise[2]])
        }
        let pool = try LabelPool.load(path: try write(lines.joined(separator: "\n") + "\n", "pool.jsonl"))
        let classes = try ClassList.load(path: try write("# classes\na\nb\n\nc\n", "classes.txt"))
        return (pool, classes, EmbeddingMatrix(rows: rows))
    }

    func truth(_ id: String) -> String { Int(id.dropFirst())! % 2 == 0 ? "a" : "b" }

    func session(_ strategy: QueryStrategy = .margin, k: Int = 4) throws -> CuratorSession {
        let (pool, classes, matrix) = try fixture()
        return try CuratorSession(pool: pool, classes: classes, embeddings: matrix, directory: path("state"), strategy: strategy, k: k, seed: 7)
    }

    func testResumesTheSameBatchAfterACrash() throws {
        var first: CuratorSession? = try session()
        let batch = try first!.nextBatch()
        XCTAssertEqual(batch.count, 4)
        try first!.label(batch[0], as: truth(batch[0]))
        try first!.skip(batch[1])
        first = nil  // the process dies here: nothing more is written
        // A write cut short leaves only a temporary file beside state.json, which is ignored.
        try "{\"version\": 1, \"po".write(toFile: path("state/.state.json.tmp"), atomically: false, encoding: .utf8)

        let resumed = try session()
        XCTAssertEqual(resumed.state.labels.map(\.id), [batch[0]])
        XCTAssertEqual(resumed.state.skipped, [batch[1]])
        XCTAssertEqual(try resumed.nextBatch(), Array(batch[2...]), "the rest of the batch, not a new one")
        XCTAssertEqual(resumed.state.round, 1)
        for id in batch[2...] { try resumed.label(id, as: truth(id)) }
        let next = try resumed.nextBatch()
        XCTAssertEqual(resumed.state.round, 2)
        XCTAssertTrue(Set(next).isDisjoint(with: batch), "labelled and skipped examples are not proposed again")
        // labels.jsonl mirrors the state, one object a line.
        let labels = try String(contentsOfFile: path("state/labels.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(labels.count, 3)
    }

    func testCorruptStateIsAnErrorNamingTheFile() throws {
        _ = try session()
        try "{ not json".write(toFile: path("state/state.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try session()) { error in
            XCTAssertTrue("\(error)".hasPrefix(self.path("state/state.json") + ": unreadable session state"), "\(error)")
        }
    }

    func testAnotherPoolIsRefused() throws {
        _ = try session()
        let (_, classes, matrix) = try fixture()
        let other = try LabelPool.load(path: try write("{\"text\": \"something else\"}\n", "other.jsonl"))
        XCTAssertThrowsError(try CuratorSession(pool: other, classes: classes, embeddings: EmbeddingMatrix(rows: [[0, 0, 0]]),
                                                directory: path("state"), strategy: .margin, k: 4)) {
            XCTAssertTrue("\($0)".contains("this session was started on another pool"), "\($0)")
        }
        _ = matrix
    }

    func testAnswersFileRoundTrip() throws {
        let s = try session(.entropy)
        let batch = try s.nextBatch()
        // The queue file: the batch, with an empty label for the curator to fill in.
        let queue = try String(contentsOfFile: path("state/queue.jsonl"), encoding: .utf8)
        var answers = ""
        for (i, line) in queue.split(separator: "\n").enumerated() {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["id"] as? String, batch[i])
            XCTAssertTrue(object["label"] is NSNull)
            XCTAssertEqual(object["text"] as? String, "clause number \(batch[i].dropFirst())")
            object["label"] = i == 3 ? NSNull() : truth(batch[i])
            answers += String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self) + "\n"
        }
        let applied = try s.applyAnswers(path: try write(answers, "answers.jsonl"))
        XCTAssertEqual(applied.labelled, 3)
        XCTAssertEqual(applied.skipped, 1)
        XCTAssertEqual(s.state.labels.map(\.label), batch.prefix(3).map(truth))
        let next = try s.nextBatch()
        XCTAssertEqual(next.count, 4)
        XCTAssertTrue(Set(next).isDisjoint(with: batch))
        // Now the model suggests: queue.jsonl carries its guess for each example.
        let suggested = try String(contentsOfFile: path("state/queue.jsonl"), encoding: .utf8)
        XCTAssertEqual(suggested.components(separatedBy: "\"suggested\"").count - 1, 4)
        // TSV answers work too.
        let tsv = "id\tlabel\n" + next.map { "\($0)\t\(truth($0))" }.joined(separator: "\n") + "\n"
        XCTAssertEqual(try s.applyAnswers(path: try write(tsv, "answers.tsv")).labelled, 4)
    }

    func testBadAnswersNameFileLineAndValueAndChangeNothing() throws {
        let s = try session()
        let batch = try s.nextBatch()
        let file = try write("{\"id\": \"\(batch[0])\", \"label\": \"a\"}\n{\"id\": \"\(batch[1])\", \"label\": \"Arbitration\"}\n", "bad.jsonl")
        XCTAssertThrowsError(try s.applyAnswers(path: file)) {
            XCTAssertEqual("\($0)", "\(file):2: unknown class \"Arbitration\" (classes: a, b, c)")
        }
        XCTAssertTrue(s.state.labels.isEmpty, "nothing applied when one answer is bad")
        let unknownID = try write("{\"id\": \"c1\", \"label\": \"a\"}\n\n{\"id\": \"zz\", \"label\": \"a\"}\n", "unknown.jsonl")
        XCTAssertThrowsError(try s.applyAnswers(path: unknownID)) { XCTAssertEqual("\($0)", "\(unknownID):3: id \"zz\" is not in the pool") }
        let twice = try write("{\"id\": \"c1\", \"label\": \"a\"}\n{\"id\": \"c1\", \"label\": \"b\"}\n", "twice.jsonl")
        XCTAssertThrowsError(try s.applyAnswers(path: twice)) { XCTAssertEqual("\($0)", "\(twice):2: id \"c1\" is answered twice (first on line 1)") }
        XCTAssertTrue(s.state.labels.isEmpty)
    }

    func testPoolDuplicatesAndEmptyPools() throws {
        let dupText = try write("{\"id\": \"x\", \"text\": \"same\"}\n{\"id\": \"y\", \"text\": \"other\"}\n{\"id\": \"z\", \"text\": \"same\"}\n", "dup.jsonl")
        let pool = try LabelPool.load(path: dupText)
        XCTAssertEqual(pool.items.map(\.id), ["x", "y"])
        XCTAssertEqual(pool.duplicateMessage, "\(dupText): 1 duplicate text dropped from the pool (line 3 repeats line 1)")
        let dupID = try write("{\"id\": \"x\", \"text\": \"one\"}\n{\"id\": \"x\", \"text\": \"two\"}\n", "dupid.jsonl")
        XCTAssertThrowsError(try LabelPool.load(path: dupID)) {
            XCTAssertEqual("\($0)", "\(dupID):2: id \"x\" is used twice in the pool (lines 1 and 2)")
        }
        let empty = try write("\n\n", "empty.jsonl")
        XCTAssertThrowsError(try LabelPool.load(path: empty)) { XCTAssertEqual("\($0)", "\(empty): the pool is empty: no examples to label") }
        let header = try write("text\n", "empty.tsv")
        XCTAssertThrowsError(try LabelPool.load(path: header)) { XCTAssertEqual("\($0)", "\(header): the pool is empty: no examples to label") }
        // TSV without an id column: ids are line numbers.
        XCTAssertEqual(try LabelPool.load(path: try write("text\nfirst\nsecond\n", "pool.tsv")).items.map(\.id), ["2", "3"])
    }

    func testLabelsFiles() throws {
        let twice = try write("a\nb\na\n", "twice.txt")
        XCTAssertThrowsError(try ClassList.load(path: twice)) { XCTAssertEqual("\($0)", "\(twice):3: class \"a\" is listed twice (first on line 1)") }
        let none = try write("# nothing\n\n", "none.txt")
        XCTAssertThrowsError(try ClassList.load(path: none)) { XCTAssertEqual("\($0)", "\(none): the labels file names no class") }
        // A seed set: its classes, and its examples start the session labelled.
        let (pool, _, matrix) = try fixture()
        let seed = try ClassList.load(path: try write("{\"id\": \"c0\", \"text\": \"clause number 0\", \"label\": \"a\"}\n{\"text\": \"clause number 1\", \"label\": \"b\"}\n", "seed.jsonl"))
        XCTAssertEqual(seed.names, ["a", "b"])
        let s = try CuratorSession(pool: pool, classes: seed, embeddings: matrix, directory: path("seeded"), strategy: .margin, k: 3)
        XCTAssertEqual(s.state.labels.map(\.id), ["c0", "c1"])
        XCTAssertNil(s.suggestion(for: "c2"), "no model before the first retraining")
        let stranger = try write("{\"text\": \"not in the pool\", \"label\": \"a\"}\n", "stranger.jsonl")
        XCTAssertThrowsError(try CuratorSession(pool: pool, classes: try ClassList.load(path: stranger), embeddings: matrix, directory: path("s2"),
                                                strategy: .margin, k: 3)) {
            XCTAssertEqual("\($0)", "\(stranger):1: seed example is not in the pool (no row with its id or its text)")
        }
        XCTAssertThrowsError(try CuratorSession(pool: pool, classes: seed, embeddings: matrix, directory: path("s3"), strategy: .margin, k: 0)) {
            XCTAssertEqual("\($0)", "--k must be at least 1, got 0")
        }
    }

    func testPromptCommands() {
        let classes = ["Arbitration", "Choice of law", "Jurisdiction", "Other"]
        func parse(_ s: String) -> LabelPrompt.Command? { try? LabelPrompt.parse(s, classes: classes).get() }
        XCTAssertEqual(parse("2"), .label("Choice of law"))
        XCTAssertEqual(parse("jurisdiction"), .label("Jurisdiction"))
        XCTAssertEqual(parse("arb"), .label("Arbitration"))
        XCTAssertEqual(parse(" u "), .undo)
        XCTAssertEqual(parse("s"), .skip)
        XCTAssertEqual(parse("q"), .quit)
        XCTAssertEqual(parse("?"), .help)
        guard case .failure(let far) = LabelPrompt.parse("9", classes: classes) else { return XCTFail("9 is no class") }
        XCTAssertEqual(far.message, "no class number 9: the classes are numbered 1-4")
        guard case .failure(let unknown) = LabelPrompt.parse("Venue", classes: classes) else { return XCTFail("Venue is no class") }
        XCTAssertTrue(unknown.message.hasPrefix("unknown class \"Venue\""))
        guard case .failure(let ambiguous) = LabelPrompt.parse("a", classes: ["ab", "ac"]) else {
            return XCTFail("a starts two classes")
        }
        XCTAssertEqual(ambiguous.message, "\"a\" starts 2 classes (ab, ac): type more of it or its number")
    }

    func testPromptLabelsUndoesSkipsAndQuits() throws {
        let s = try session(k: 3)
        var input = ["1", "u", "2", "nonsense", "s", "1", "q"][...]
        var output: [String] = []
        let outcome = try LabelPrompt.run(session: s, read: { _ in input.popFirst() }, write: { output.append($0) })
        XCTAssertEqual(outcome, .quit)
        // 1 then undo: the first example is asked again and gets 2 (b); the second is
        // skipped after a bad entry; the third gets 1 (a); then a new batch and quit.
        XCTAssertEqual(s.state.labels.map(\.label), ["b", "a"])
        XCTAssertEqual(s.state.skipped.count, 1)
        XCTAssertEqual(s.state.round, 2, "the batch was finished, so a second one was proposed before quitting")
        XCTAssertTrue(output.contains { $0.hasPrefix("Took back the answer for") })
        XCTAssertTrue(output.contains { $0.hasPrefix("unknown class \"nonsense\"") })
        XCTAssertTrue(output.contains { $0.hasPrefix("[1/3 · round 1 · 0 labelled]") }, output.joined(separator: "\n"))
        // End of input quits too, and a new run resumes the open batch.
        let again = try session(k: 3)
        XCTAssertEqual(try LabelPrompt.run(session: again, read: { _ in nil }, write: { _ in }), .quit)
        XCTAssertEqual(again.state.round, 2)
    }

    func testHeadLearnsTheClustersDeterministically() throws {
        let s = try session(k: 4)
        for _ in 0..<3 {
            for id in try s.nextBatch() { try s.label(id, as: truth(id)) }
        }
        try s.retrain()
        let guesses = s.pool.items.map { s.suggestion(for: $0.id)!.label }
        XCTAssertEqual(guesses, s.pool.items.map { truth($0.id) }, "12 labels separate the two clusters")
        let first = try XCTUnwrap(s.model).parameters.values
        try s.retrain()
        let second = try XCTUnwrap(s.model).parameters.values
        XCTAssertEqual(Array(UnsafeBufferPointer(start: first.base, count: first.count)),
                       Array(UnsafeBufferPointer(start: second.base, count: second.count)))
    }
}
