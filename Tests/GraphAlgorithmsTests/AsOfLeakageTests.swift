import XCTest
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// A walk as of D must behave exactly as if everything that starts after D (or ended by
/// D) had never been loaded: it returns no later node and steps along no later edge.
final class AsOfLeakageTests: XCTestCase {
    /// Deterministic random numbers (SplitMix64), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    struct Graph {
        var nodes: [NodeInput] = []
        var edges: [EdgeInput] = []
    }

    /// 160 cases decided 1900-2000 citing earlier ones (some treated, a few overruled),
    /// provisions (some enacted late, some repealed), APPLIES edges, and some edges
    /// dated explicitly later than their source (added to the record afterwards).
    func makeGraph() -> Graph {
        var random = Random(state: 7)
        var g = Graph()
        var caseDates: [LegalDate] = []
        for i in 0..<160 {
            let date = LegalDate(year: 1900 + random.below(100), month: 1 + random.below(12), day: 1 + random.below(28))!
            caseDates.append(date)
            g.nodes.append(NodeInput(key: "case\(i)", type: "SupremeCourtCase", properties: ["decision_date": .string(date.iso)]))
        }
        for i in 0..<12 {
            let from = i % 3 == 0 ? LegalDate(year: 1900 + random.below(100), month: 6, day: 1) : nil
            let to = i % 4 == 1 ? LegalDate(year: 1950 + random.below(50), month: 1, day: 1) : nil
            g.nodes.append(NodeInput(key: "prov\(i)", type: "Provision", validFrom: from, validTo: to))
        }
        let treatments = ["followed", "applied", "distinguished", "questioned", "cited", "overruled"]
        for _ in 0..<700 {
            let a = random.below(160), b = random.below(160)
            guard a != b else { continue }
            let (citing, cited) = caseDates[a] >= caseDates[b] ? (a, b) : (b, a)
            let treatment = random.below(4) == 0 ? treatments[random.below(treatments.count)] : nil
            let key = "CITES|\(citing)|\(cited)"
            guard !g.edges.contains(where: { $0.key == key }) else { continue }
            g.edges.append(EdgeInput(key: key, type: "CITES", from: "case\(citing)", to: "case\(cited)",
                                     properties: treatment.map { ["treatment": .string($0)] } ?? [:]))
            if random.below(40) == 0 {
                g.edges.append(EdgeInput(key: "OVERRULES|\(citing)|\(cited)", type: "OVERRULES", from: "case\(citing)", to: "case\(cited)"))
            }
        }
        for i in 0..<160 where random.below(2) == 0 {
            let late = random.below(5) == 0 ? LegalDate(year: caseDates[i].year + 1 + random.below(30), month: 3, day: 3) : nil
            g.edges.append(EdgeInput(key: "APPLIES|\(i)", type: "APPLIES", from: "case\(i)", to: "prov\(random.below(12))", validFrom: late))
        }
        return g
    }

    func write(_ g: Graph) throws -> GraphStore {
        let store = try FixtureGraph.emptyStore()
        try store.write { w in
            for n in g.nodes { try w.upsert(n) }
            for e in g.edges { try w.upsert(e) }
        }
        return store
    }

    func contains(_ from: LegalDate?, _ to: LegalDate?, _ d: LegalDate) -> Bool {
        (from.map { $0 <= d } ?? true) && (to.map { d < $0 } ?? true)
    }

    /// The graph with everything not valid on `d` removed, each edge's start made
    /// explicit the way the store derives it (its source's start).
    func truncated(_ g: Graph, at d: LegalDate) -> Graph {
        func start(_ n: NodeInput) -> LegalDate? { n.validFrom ?? n.properties["decision_date"]?.stringValue.flatMap { LegalDate(iso: $0) } }
        let nodes = g.nodes.filter { contains(start($0), $0.validTo, d) }
        let alive = Dictionary(uniqueKeysWithValues: nodes.map { ($0.key, start($0)) })
        let edges = g.edges.filter { e in
            guard alive[e.from] != nil, alive[e.to] != nil else { return false }
            return contains(e.validFrom ?? alive[e.from]!, e.validTo, d)
        }
        return Graph(nodes: nodes, edges: edges)
    }

    func testWalksAsOfADateSeeNothingLater() throws {
        let graph = makeGraph()
        let fullStore = try write(graph)
        let full = try GraphSnapshot.load(fullStore)
        var random = Random(state: 99)
        var sawLaterNodesWithoutDate = false
        for year in [1930, 1950, 1965, 1980, 1999] {
            let d = LegalDate(year: year, month: 7, day: 1)!
            let past = try GraphSnapshot.load(write(truncated(graph, at: d)))
            for scope in PageRankScope.allCases {
                for _ in 0..<4 {
                    let seedKey = past.keys[random.below(past.nodeCount)]
                    let seeds = [WalkSeed(key: seedKey)]
                    let options = WalkOptions(asOf: d, depth: 3, direction: .both,
                                              pageRank: PageRankOptions(maxIterations: 1000, tolerance: 1e-13, scope: scope),
                                              includeSeeds: true)
                    let asOf = try full.walk(from: seeds, options: options)
                    for hit in asOf.hits {
                        let node = try XCTUnwrap(full.index(ofKey: hit.key))
                        XCTAssertLessThanOrEqual(full.validFrom(ofNode: node) ?? d, d, "\(hit.key) as of \(d)")
                        for step in hit.path { XCTAssertLessThanOrEqual(step.edgeValidFrom ?? d, d, "\(hit.pathDescription) as of \(d)") }
                    }
                    // Same walk on a graph that never had the future: identical results.
                    var undated = options
                    undated.asOf = nil
                    let reference = try past.walk(from: seeds, options: undated)
                    XCTAssertEqual(asOf.hits.map(\.key), reference.hits.map(\.key), "\(seedKey) as of \(d)")
                    XCTAssertEqual(asOf.hits.map(\.pathDescription), reference.hits.map(\.pathDescription))
                    XCTAssertEqual(asOf.hits.map(\.overruled), reference.hits.map(\.overruled))
                    for (a, b) in zip(asOf.hits, reference.hits) { XCTAssertEqual(a.score!, b.score!, accuracy: 1e-12) }
                    // Status too.
                    if full.type(ofNode: full.index(ofKey: seedKey)!) == "SupremeCourtCase" {
                        let s1 = try full.citatorStatus(of: seedKey, asOf: d, hops: 2)
                        let s2 = try past.citatorStatus(of: seedKey, asOf: d, hops: 2)
                        XCTAssertEqual(s1.level, s2.level)
                        XCTAssertEqual(s1.explanation, s2.explanation)
                        XCTAssertEqual(s1.treatmentCounts, s2.treatmentCounts)
                        // The one-off neighborhood loader agrees with the full graph.
                        let s3 = try GraphSnapshot.loadCitatorNeighborhood(fullStore, of: seedKey, hops: 2).citatorStatus(of: seedKey, asOf: d, hops: 2)
                        XCTAssertEqual(s3.level, s1.level)
                        XCTAssertEqual(s3.explanation, s1.explanation)
                        XCTAssertEqual(s3.treatmentCounts, s1.treatmentCounts)
                    }
                    // And the check is not vacuous: without the date, later nodes show up.
                    let everything = try full.walk(from: seeds, options: undated)
                    if everything.hits.contains(where: { hit in (full.validFrom(ofNode: full.index(ofKey: hit.key)!) ?? d) > d }) {
                        sawLaterNodesWithoutDate = true
                    }
                }
            }
        }
        XCTAssertTrue(sawLaterNodesWithoutDate)
    }
}
