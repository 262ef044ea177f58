import Foundation
import GraphStore
import Query
import TestRequirements
import XCTest

/// The query fuzzer (`lexgraph fuzz-query`): its generator is deterministic and its valid
/// queries are valid; the crashers it found stay fixed (Tests/Fixtures/query-crashers.txt);
/// the command prints its summary and leaves the query being run in its log.
final class QueryFuzzerTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testGeneratorIsDeterministicFromItsSeed() {
        var a = QueryGenerator(seed: 99, vocabulary: QueryFuzzer.fixtureVocabulary)
        var b = QueryGenerator(seed: 99, vocabulary: QueryFuzzer.fixtureVocabulary)
        var c = QueryGenerator(seed: 100, vocabulary: QueryFuzzer.fixtureVocabulary)
        let first = (0..<200).map { _ in a.next().text }
        XCTAssertEqual(first, (0..<200).map { _ in b.next().text })
        XCTAssertNotEqual(first, (0..<200).map { _ in c.next().text })
    }

    /// The grammar's valid queries parse, nearly all bind and most return a result on the
    /// fixture graph; none is a bug.
    func testValidGeneratedQueriesParseAndMostlyRun() throws {
        let engine = QueryEngine(store: try QueryFuzzer.fixtureStore())
        var generator = QueryGenerator(seed: 7, vocabulary: QueryFuzzer.fixtureVocabulary)
        var outcomes: [QueryFuzzer.Outcome: Int] = [:]
        var unparsed: [String] = []
        let options = QueryOptions(rowLimit: 1000, timeLimit: 2)
        for _ in 0..<400 {
            let query = generator.validQuery()
            do { _ = try Parser.parse(query) } catch { unparsed.append("\(query)\n  \(error)") }
            let (outcome, problem) = QueryFuzzer.classify { _ = try engine.run(query, parameters: generator.parameters, options: options) }
            outcomes[outcome, default: 0] += 1
            XCTAssertNotEqual(outcome, .bug, "\(query): \(problem ?? "")")
        }
        XCTAssertEqual(unparsed, [])
        XCTAssertGreaterThan(outcomes[.ok, default: 0], 280, "\(outcomes)")
    }

    /// Every query the fuzzer (or a person) found to crash, hang or leak a raw error:
    /// each must now give a result or a positioned query error. Entries are separated by
    /// blank lines; `⟦N*TEXT⟧` stands for TEXT repeated N times.
    func testCrasherCorpusGivesResultsOrPositionedErrors() throws {
        let url = Self.root.appendingPathComponent("Tests/Fixtures/query-crashers.txt")
        let entries = try Self.corpus(String(contentsOf: url, encoding: .utf8))
        XCTAssertGreaterThanOrEqual(entries.count, 20)
        let engine = QueryEngine(store: try QueryFuzzer.fixtureStore())
        let parameters = QueryGenerator(seed: 1, vocabulary: QueryFuzzer.fixtureVocabulary).parameters
        for query in entries {
            let (outcome, problem) = QueryFuzzer.classify {
                _ = try engine.run(query, parameters: parameters, options: QueryOptions(rowLimit: 1000, timeLimit: 2))
            }
            XCTAssertTrue(outcome == .ok || outcome == .queryError, "\(QueryFuzzer.abbreviate(query)): \(outcome) \(problem ?? "")")
        }
    }

    static func corpus(_ text: String) throws -> [String] {
        var entries: [String] = []
        var current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !current.isEmpty { entries.append(current.joined(separator: "\n")); current = [] }
                continue
            }
            current.append(String(line))
        }
        if !current.isEmpty { entries.append(current.joined(separator: "\n")) }
        return try entries.map(expand)
    }

    /// `⟦N*TEXT⟧` → TEXT repeated N times.
    static func expand(_ entry: String) throws -> String {
        var out = ""
        var rest = entry[...]
        while let open = rest.range(of: "⟦") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "⟧"),
                  let star = rest[open.upperBound..<close.lowerBound].firstIndex(of: "*"),
                  let count = Int(rest[open.upperBound..<star]) else {
                throw NSError(domain: "corpus", code: 1, userInfo: [NSLocalizedDescriptionKey: "bad ⟦N*TEXT⟧ in \(entry.prefix(80))"])
            }
            out += String(repeating: String(rest[rest.index(after: star)..<close.lowerBound]), count: count)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    // MARK: The command


    func testFuzzQueryCommandPrintsItsSummaryAndKeepsTheCurrentQueryInItsLog() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-fuzz-\(UUID().uuidString).log")
        addTeardownBlock { try? FileManager.default.removeItem(at: log) }
        let run = try LexgraphBinary.run(["fuzz-query", "--seconds", "2", "--seed", "11", "--log", log.path])
        let text = run.output
        XCTAssertEqual(run.status, 0, text)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("fuzz-query: seed 11, graph in-memory fixture, log \(log.path)") ?? false, text)
        let summary = try XCTUnwrap(lines.first { $0.hasPrefix("queries: ") }, text)
        let counted = try XCTUnwrap(Int(summary.dropFirst("queries: ".count).prefix { $0.isNumber }))
        XCTAssertGreaterThan(counted, 20, text)
        XCTAssertTrue(summary.contains("/s), seed 11"), summary)
        var total = 0
        for outcome in QueryFuzzer.Outcome.allCases {
            let line = try XCTUnwrap(lines.first { $0.hasPrefix(outcome.rawValue + ": ") }, "\(outcome) in\n\(text)")
            total += try XCTUnwrap(Int(line.dropFirst(outcome.rawValue.count + 2)))
        }
        XCTAssertEqual(total, counted)
        XCTAssertTrue(lines.contains("bug (unpositioned or internal error): 0"), text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  valid: ") }, text)
        // The log holds the last query the run started, under its seed and number.
        let logged = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(logged.hasPrefix("seed 11, query #\(counted):\n"), logged)
    }
}
