import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// `lexgraph walk-bench`: latency of as-of walks with personalized PageRank on a
/// synthetic graph the size of the SCOTUS graph. `--export DIR` writes the graph, the
/// walks and their scores so tools/bench_walk_peer.py can time networkx on the very
/// same walks and check the scores agree.
struct WalkBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walk-bench",
        abstract: "Benchmark as-of walks with PageRank on a synthetic SCOTUS-sized graph.")

    @Option(help: "Case nodes.") var cases = 30_000
    @Option(help: "CITES edges.") var citations = 217_000
    @Option(name: .customLong("other-edges"), help: "Edges from cases to provisions/issues.") var otherEdges = 58_000
    @Option(help: "Random seed of the graph and the walks.") var seed: UInt64 = 1
    @Option(help: "Walks per setting.") var walks = 200
    @Option(help: "Comma-separated depths.") var depths = "2,3"
    @Option(help: "Edge direction.") var direction: WalkDirection = .both
    @Option(help: "Folder to write nodes.tsv, edges.tsv and walks.json for tools/bench_walk_peer.py.") var export: String?
    @Option(help: "How many walks per setting to export scores for.") var compare = 20
    @Option(help: "Benchmark on this graph database instead of a synthetic graph (seeds: its dated SupremeCourtCase nodes).")
    var db: String?

    func run() throws {
        let depthList = try depths.split(separator: ",").map { part -> Int in
            guard let d = Int(part.trimmingCharacters(in: .whitespaces)), d >= 0 else { throw CLIError("--depths: '\(part)' is not a depth") }
            return d
        }
        guard cases > 1, walks > 0 else { throw CLIError("--cases must be over 1 and --walks over 0") }
        if db != nil, export != nil { throw CLIError("--export writes the synthetic graph; it cannot be combined with --db") }
        var start = Date()
        let graph = db == nil ? SyntheticCitationGraph.make(cases: cases, citations: citations, otherEdges: otherEdges, seed: seed) : nil
        let snapshot = try graph.map { try GraphSnapshot(nodes: $0.nodes, edges: $0.edges) }
            ?? GraphSnapshot.load(GraphStore(path: db ?? "", mode: .readOnly))
        print("graph: \(snapshot.nodeCount) nodes, \(snapshot.edgeCount) edges, \(db == nil ? "built" : "loaded from \(db ?? "")")"
              + String(format: " in %.0f ms", Date().timeIntervalSince(start) * 1000))

        // Seeds: dated cases after the first tenth (in key order: date order for the
        // synthetic graph), each walked as of its own decision date.
        let dated = (0..<snapshot.nodeCount).compactMap { i -> (String, LegalDate)? in
            guard snapshot.type(ofNode: i) == "SupremeCourtCase", let date = snapshot.validFrom(ofNode: i) else { return nil }
            return (snapshot.keys[i], date)
        }
        guard dated.count > 10 else { throw CLIError("the graph has too few dated SupremeCourtCase nodes to pick seeds from") }
        var picker = seed &* 6_364_136_223_846_793_005 &+ 1
        let seeds = (0..<walks).map { _ -> (String, LegalDate) in
            picker = picker &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return dated[dated.count / 10 + Int((picker >> 33) % UInt64(dated.count - dated.count / 10))]
        }
        var runs: [Value] = []
        print("depth  direction  median_ms  p90_ms  median_cpu_ms  mean_reached  mean_iterations")
        for depth in depthList {
            var times: [Double] = [], cpuTimes: [Double] = [], reached = 0, iterations = 0
            var exported: [Value] = []
            for (n, (key, date)) in seeds.enumerated() {
                let options = WalkOptions(asOf: date, depth: depth, direction: direction, pageRank: PageRankOptions(), includeSeeds: true)
                start = Date()
                let cpuStart = Self.cpuMilliseconds()
                let result = try snapshot.walk(from: [WalkSeed(key: key)], options: options)
                cpuTimes.append(Self.cpuMilliseconds() - cpuStart)
                times.append(Date().timeIntervalSince(start) * 1000)
                reached += result.reachedCount
                iterations += result.pageRankIterations ?? 0
                if n < compare {
                    exported.append(.map(["seed": .string(key), "as_of": .string(date.iso),
                                          "scores": .map(Dictionary(uniqueKeysWithValues: result.hits.map { ($0.key, Value.float($0.score ?? 0)) }))]))
                }
            }
            let sorted = times.sorted()
            let median = sorted[sorted.count / 2], p90 = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
            let label = direction.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            let cpuMedian = cpuTimes.sorted()[cpuTimes.count / 2]
            print(String(format: "%5d  ", depth) + label + String(format: "  %9.2f  %6.2f  %13.2f  %12.0f  %15.1f", median, p90, cpuMedian,
                         Double(reached) / Double(walks), Double(iterations) / Double(walks)))
            runs.append(.map(["depth": .int(Int64(depth)), "median_ms": .float(median), "p90_ms": .float(p90), "median_cpu_ms": .float(cpuMedian),
                              "times_ms": .list(times.map(Value.float)), "walks": .list(exported)]))
        }
        if let export, let graph { try write(graph, runs: runs, to: export) }
    }

    /// CPU time of this thread: on a shared, busy machine it shows what a walk costs
    /// when it has a core to itself, where wall time also counts waiting for one.
    static func cpuMilliseconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }

    func write(_ graph: (nodes: [SnapshotNode], edges: [SnapshotEdge]), runs: [Value], to folder: String) throws {
        let dir = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var nodes = "key\ttype\tvalid_from\n"
        for n in graph.nodes { nodes += "\(n.key)\t\(n.type)\t\(n.validFrom?.iso ?? "")\n" }
        var edges = "source\ttarget\ttype\tvalid_from\n"
        for e in graph.edges { edges += "\(e.source)\t\(e.target)\t\(e.type)\t\(e.validFrom?.iso ?? "")\n" }
        try nodes.write(to: dir.appendingPathComponent("nodes.tsv"), atomically: true, encoding: .utf8)
        try edges.write(to: dir.appendingPathComponent("edges.tsv"), atomically: true, encoding: .utf8)
        let meta = Value.map(["direction": .string(direction.rawValue), "restart": .float(0.15), "tolerance": .float(1e-6),
                              "runs": .list(runs)])
        try meta.jsonText.write(to: dir.appendingPathComponent("walks.json"), atomically: true, encoding: .utf8)
        print("wrote \(dir.path)/{nodes.tsv,edges.tsv,walks.json}")
    }
}
