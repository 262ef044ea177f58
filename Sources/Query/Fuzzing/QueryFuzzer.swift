import Foundation
import GraphStore
import LexgraphCore
import Ontology

/// Runs generated queries (`QueryGenerator`) through the whole engine and sorts what
/// happens: a result, a positioned query error, a limit (rows, time), or a bug (an
/// error without a position, or one that is not a `QueryError`). A crash ends the
/// process, so before each query its seed, number and text go to a log file that the
/// crash leaves behind.
public final class QueryFuzzer: @unchecked Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case ok
        case queryError = "positioned query error"
        case rowLimit = "row limit"
        case timeout
        case bug = "bug (unpositioned or internal error)"
    }

    public struct Finding: Sendable {
        public var index: Int
        public var query: String
        public var error: String
    }

    public struct Summary: Sendable {
        public var seed: UInt64
        public var queries = 0
        public var seconds = 0.0
        public var counts: [Outcome: Int] = [:]
        public var shapes: [QueryGenerator.Shape: [Outcome: Int]] = [:]
        /// The first bugs found (query and error), at most `QueryFuzzer.keptFindings`.
        public var bugs: [Finding] = []
        /// The slowest query and its time.
        public var slowest: (index: Int, seconds: Double, query: String)?

        public var queriesPerSecond: Double { seconds > 0 ? Double(queries) / seconds : 0 }

        /// The lines `lexgraph fuzz-query` prints.
        public func report() -> String {
            var lines = ["queries: \(queries) in " + String(format: "%.1f s (%.1f/s)", seconds, queriesPerSecond) + ", seed \(seed)"]
            for outcome in Outcome.allCases { lines.append("\(outcome.rawValue): \(counts[outcome, default: 0])") }
            for shape in QueryGenerator.Shape.allCases {
                let c = shapes[shape, default: [:]]
                let total = c.values.reduce(0, +)
                lines.append("  \(shape.rawValue): \(total) (" + Outcome.allCases.map { "\($0 == .queryError ? "error" : $0 == .bug ? "bug" : $0.rawValue) \(c[$0, default: 0])" }.joined(separator: ", ") + ")")
            }
            if let slowest {
                lines.append("slowest: query #\(slowest.index), " + String(format: "%.3f s: ", slowest.seconds) + QueryFuzzer.abbreviate(slowest.query))
            }
            for bug in bugs { lines.append("BUG query #\(bug.index): \(QueryFuzzer.abbreviate(bug.query))\n  \(bug.error)") }
            return lines.joined(separator: "\n")
        }
    }

    public static let keptFindings = 20

    let engine: QueryEngine
    var generator: QueryGenerator
    let options: QueryOptions
    public let seed: UInt64
    let log: FileHandle?
    private let lock = NSLock()
    private var running: (index: Int, text: String, started: Date)?

    /// `log`: the file that holds the query being run (rewritten before each query).
    public init(engine: QueryEngine, seed: UInt64, vocabulary: QueryGenerator.Vocabulary, options: QueryOptions, log: URL?) throws {
        self.engine = engine
        self.seed = seed
        self.generator = QueryGenerator(seed: seed, vocabulary: vocabulary)
        self.options = options
        if let log {
            FileManager.default.createFile(atPath: log.path, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: log.path) else {
                throw QueryError(.runtime, "FuzzLog", "cannot write the fuzz log \(log.path)")
            }
            self.log = handle
        } else {
            self.log = nil
        }
    }

    /// The query running now, and since when (for a watchdog).
    public func current() -> (index: Int, text: String, started: Date)? {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// Generates and runs queries until `seconds` have passed or `maxQueries` ran.
    public func run(seconds: Double, maxQueries: Int? = nil) -> Summary {
        var summary = Summary(seed: seed)
        let started = Date()
        while Date().timeIntervalSince(started) < seconds, maxQueries.map({ summary.queries < $0 }) ?? true {
            let index = summary.queries + 1
            let (text, shape) = generator.next()
            record(index, text)
            let queryStarted = Date()
            let outcome = QueryFuzzer.classify { _ = try self.engine.run(text, parameters: self.generator.parameters, options: self.options) }
            let elapsed = Date().timeIntervalSince(queryStarted)
            summary.queries = index
            summary.counts[outcome.0, default: 0] += 1
            summary.shapes[shape, default: [:]][outcome.0, default: 0] += 1
            if outcome.0 == .bug, summary.bugs.count < QueryFuzzer.keptFindings {
                summary.bugs.append(Finding(index: index, query: text, error: outcome.1 ?? ""))
            }
            if elapsed > summary.slowest?.seconds ?? -1 { summary.slowest = (index, elapsed, text) }
        }
        lock.lock()
        running = nil
        lock.unlock()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func record(_ index: Int, _ text: String) {
        lock.lock()
        running = (index, text, Date())
        lock.unlock()
        guard let log else { return }
        // Rewritten in place before the query runs: a crash leaves this query in the file.
        try? log.truncate(atOffset: 0)
        try? log.write(contentsOf: Data("seed \(seed), query #\(index):\n\(text)\n".utf8))
    }

    /// What running `body` came to, with the error's text for a bug.
    public static func classify(_ body: () throws -> Void) -> (Outcome, String?) {
        do {
            try body()
            return (.ok, nil)
        } catch let error as QueryError {
            switch error.kind {
            case .timeout: return (.timeout, nil)
            case .rowLimit: return (.rowLimit, nil)
            default: return error.location == nil ? (.bug, "unpositioned \(error.kind.rawValue) \(error.code): \(error.message)") : (.queryError, nil)
            }
        } catch {
            return (.bug, "not a query error: \(type(of: error)): \(error)")
        }
    }

    /// The start of a long query and its length, for one line of output.
    public static func abbreviate(_ query: String, _ limit: Int = 300) -> String {
        let flat = query.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "... (\(query.utf8.count) bytes)"
    }

    /// The graph queries run against by default: a small schema-free graph in memory
    /// with every kind of value, a cycle, a self-loop, parallel relationships and text
    /// for full-text search.
    public static func fixtureStore() throws -> GraphStore {
        let store = try GraphStore(inMemoryWith: .permissive)
        _ = try QueryEngine(store: store).run("""
            CREATE (a:A {x: 1, name: 'a', l: [1, 2], facts: 'eviction of a tenant'})-[:R {x: 2}]->(b:B {x: 2.5, name: 'b c', facts: 'zoning and eviction'}),
                   (b)-[:S {x: 'y'}]->(c:C:A {name: 'c', x: -1}), (c)-[:R]->(a), (a)-[:R]->(b), (c)-[:T]->(c),
                   (d:B {x: true, k0: 0, name: ''}), (e {x: 9223372036854775807, name: 'é'})-[:S]->(d)
            """, options: QueryOptions(write: true))
        return store
    }

    public static let fixtureVocabulary = QueryGenerator.Vocabulary(labels: ["A", "B", "C", "D"], types: ["R", "S", "T", "U"],
                                                                    keys: ["x", "name", "l", "k0", "facts", "missing"])

    /// The labels, relationship types and property keys of a stored graph (its ontology's
    /// in ontology mode, a sample of the data's otherwise).
    public static func vocabulary(of store: GraphStore) throws -> QueryGenerator.Vocabulary {
        let ontology = try store.read { db in try GraphStore.activeOntology(in: db) }
        if !ontology.isPermissive {
            let labels = ontology.nodeTypes.keys.sorted()
            let keys = Set(labels.flatMap { ontology.properties(ofNodeType: $0).keys })
            return QueryGenerator.Vocabulary(labels: labels, types: ontology.edgeTypes.keys.sorted(), keys: keys.sorted())
        }
        let engine = QueryEngine(store: store)
        func strings(_ query: String) throws -> [String] {
            try engine.run(query).rows.compactMap { if case .string(let s)? = $0.first { return s } else { return nil } }
        }
        let labels = try strings("MATCH (n) WITH labels(n) AS ls LIMIT 2000 UNWIND ls AS l RETURN DISTINCT l ORDER BY l LIMIT 12")
        let types = try strings("MATCH ()-[r]->() WITH type(r) AS t LIMIT 5000 RETURN DISTINCT t ORDER BY t LIMIT 12")
        let keys = try strings("MATCH (n) WITH keys(n) AS ks LIMIT 2000 UNWIND ks AS k RETURN DISTINCT k ORDER BY k LIMIT 12")
        return QueryGenerator.Vocabulary(labels: labels, types: types, keys: keys)
    }
}
