import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GraphAlgorithms
import GraphStore
import LexgraphCore
import Query

/// `lexgraph bench adjacency`: what bringing the query engine's adjacency cache up to
/// date after a write costs, incremental (`AdjacencyCache` applying the writer's listed
/// rows) against reading the edges again in full (what every write cost before), both in
/// the same run on the same graph state; and the cache's memory with one reader and with
/// several at once (one shared copy).
///
/// Works on a copy of `--db` in `--work` (it writes edges), through a writer store and a
/// read-only store on the copy, as the server holds them.
struct BenchAdjacencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjacency",
        abstract: "Time the adjacency cache's update after a write, incremental against a full read, and its memory per reader.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Folder for the working copy of the database (default: a temporary folder, removed after).") var work: String?
    @Option(name: .customLong("type"), help: "Relationship type the cache holds (default: the most common).") var type: String?
    @Option(help: "Edges written per measured write, comma-separated.") var edges = "1,1000"
    @Option(help: "Writes measured per size; the median is reported.") var rounds = 3
    @Option(help: "Readers querying at once for the memory figure.") var readers = 4

    func run() throws {
        let sizes = edges.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }), rounds > 0, readers > 0 else {
            throw ValidationError("--edges, --rounds and --readers must be positive (got --edges \(edges), --rounds \(rounds), --readers \(readers))")
        }
        try database.requireSQLite()
        let source = database.path
        guard FileManager.default.fileExists(atPath: source) else { throw CLIError("no graph database at \(source): pass --db PATH") }
        let folder = work ?? NSTemporaryDirectory() + "lexgraph-bench-adjacency-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copy = (folder as NSString).appendingPathComponent("bench.sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            if work == nil { try? FileManager.default.removeItem(atPath: folder) }
        }
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: source + suffix) {
            try? FileManager.default.removeItem(atPath: copy + suffix)
            try FileManager.default.copyItem(atPath: source + suffix, toPath: copy + suffix)
        }
        let writer = try GraphStore(path: copy, mode: .readWrite)
        let readStore = try GraphStore(path: copy, mode: .readOnly)
        let engine = QueryEngine(store: readStore)
        let cache = engine.adjacency
        let relationship = try type ?? mostCommonType(engine)
        let types = [relationship]

        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print("adjacency cache update on \(source) (type \(relationship)), \(ISO8601DateFormatter().string(from: Date())), "
              + String(format: "load average %.2f %.2f %.2f", load[0], load[1], load[2]))
        // The first read, and the edges new ones are drawn between.
        let (first, ends) = try readStore.read { db -> (AdjacencyCache.Use, [(Int64, Int64)]) in
            guard let found = try cache.graph(db, types: types, asOf: false) else { throw CLIError("the node ids of \(copy) do not fit the adjacency cache") }
            let g = found.graph
            var ends: [(Int64, Int64)] = []
            var state: UInt64 = 0x5DEE_CE66_D1CE_4E5B
            for _ in 0..<min(4096, g.edgeCount) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let v = Int32((state >> 33) % UInt64(g.nodeLimit))
                for slot in g.outgoing.slots(of: v).prefix(1) { ends.append((Int64(v), Int64(g.outgoing.neighbor[slot]))) }
            }
            return (found.use, ends)
        }
        guard !ends.isEmpty else { throw CLIError("no \(relationship) edges in \(source) to draw new ones between") }
        let keys = try writer.read { db in try ends.map { (try GraphReads.nodeKey(db, id: $0.0) ?? "", try GraphReads.nodeKey(db, id: $0.1) ?? "") } }
        print(String(format: "first read: %ld edges, %.1f MiB, %.1f ms", first.edges, Double(first.bytes) / 1_048_576, first.buildSeconds * 1000))

        print("| edges written | incremental (ms) | full read (ms) | full / incremental |")
        print("|---|---|---|---|")
        var written = 0
        for size in sizes {
            var incremental: [Double] = [], full: [Double] = []
            for round in 0..<rounds {
                try writer.write { w in
                    for i in 0..<size {
                        let (a, b) = keys[(written + i) % keys.count]
                        _ = try w.upsert(EdgeInput(key: "bench-adjacency:\(size):\(round):\(i)", type: relationship, from: a, to: b))
                    }
                }
                written += size
                // Both on the same snapshot; alternating which goes first.
                let (applied, read) = try readStore.read { db -> (AdjacencyCache.Use, Double) in
                    func fullRead() throws -> (Double, TraversalGraph?) {
                        let started = DispatchTime.now().uptimeNanoseconds
                        let graph = try TraversalGraph.read(db, types: types)
                        return (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, graph)
                    }
                    var early: (Double, TraversalGraph?)?
                    if round % 2 == 1 { early = try fullRead() }
                    guard let found = try cache.graph(db, types: types, asOf: false) else { throw CLIError("the cache gave up on \(copy)") }
                    let (seconds, fresh) = try early ?? fullRead()
                    guard found.use.applied != nil, found.graph.edgeIDs == fresh?.edgeIDs else {
                        throw CLIError("the cache was not brought forward incrementally, or differs from a full read, after writing \(size) edges")
                    }
                    return (found.use, seconds)
                }
                incremental.append(applied.buildSeconds)
                full.append(read)
            }
            let i = median(incremental) * 1000, f = median(full) * 1000
            print(String(format: "| %ld | %.2f | %.1f | %.0fx |", size, i, f, f / max(i, 1e-9)))
        }

        // Memory: one reader, then several at once on their own pool connections.
        let seed = ends[0].0
        let text = "MATCH (a)-[:\(relationship)*1..2]->(b) WHERE id(a) = \(seed) RETURN count(DISTINCT b) AS n"
        _ = try engine.run(text)
        let one = cache.statistics
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: readers) { _ in
            for _ in 0..<3 {
                do { _ = try engine.run(text) } catch { failures.add("\(error)") }
            }
        }
        if let problem = failures.first { throw CLIError("a reader failed: \(problem)") }
        let many = cache.statistics
        print(String(format: "memory: 1 reader %.1f MiB in %ld snapshot; %ld readers at once %.1f MiB in %ld snapshot(s) (one copy per connection would be %.1f MiB)",
                     Double(one.bytes) / 1_048_576, one.snapshots, readers, Double(many.bytes) / 1_048_576, many.snapshots,
                     Double(readers * one.bytes) / 1_048_576))
    }

    func mostCommonType(_ engine: QueryEngine) throws -> String {
        let rows = try engine.run("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY n DESC LIMIT 1").rows
        guard case .string(let name)? = rows.first?.first else { throw CLIError("no relationships in \(database.path)") }
        return name
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
        var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
    }
}
