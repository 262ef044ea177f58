import Foundation
import LexgraphCore

/// A random graph shaped like the SCOTUS graph, for benchmarks (`lexgraph walk-bench`):
/// dated cases in date order, each citing earlier cases chosen mostly by preferential
/// attachment (a power-law in-degree, like a citation network), a few citations
/// treated or overruling, and "other" edges from cases to a few hundred undated
/// provisions/issues with a skewed popularity. Deterministic for a given seed.
public enum SyntheticCitationGraph {
    public static func make(cases: Int, citations: Int, otherEdges: Int, provisions: Int = 600, seed: UInt64 = 1)
        -> (nodes: [SnapshotNode], edges: [SnapshotEdge]) {
        var random = SplitMix64(seed: seed)
        let first = LegalDate(year: 1790, month: 2, day: 1)!, last = LegalDate(year: 2002, month: 6, day: 30)!
        let firstDay = Double(DayNumber.of(first)), span = Double(DayNumber.of(last)) - firstDay
        // More decisions per year later on: day = first + span * u^0.6 for sorted u.
        var days = (0..<cases).map { _ in Int32(firstDay + span * pow(random.unit(), 0.6)) }
        days.sort()
        var nodes = days.enumerated().map { i, day in
            SnapshotNode(key: "case:\(i)", type: "SupremeCourtCase", validFrom: DayNumber.date(day))
        }
        nodes += (0..<provisions).map { SnapshotNode(key: "provision:\($0)", type: "Provision") }

        var edges: [SnapshotEdge] = []
        edges.reserveCapacity(citations + otherEdges + citations / 500)
        let treatments = ["followed", "applied", "distinguished", "limited", "criticised", "questioned", "cited"]
        var pool: [Int32] = []  // each case once, plus once per citation it received
        pool.reserveCapacity(cases + citations)
        let perCase = Double(citations) / Double(max(cases - 1, 1))
        var made = 0
        var chosen = Set<Int32>(), picked: [Int32] = []  // `picked`: in draw order, for determinism
        for i in 0..<cases {
            let remainingCases = cases - i
            let budget = citations - made
            // Out-degree: exponential around the mean, rounded, capped by what is left.
            var degree = i == 0 ? 0 : Int((-log(1 - random.unit()) * perCase).rounded())
            if remainingCases == 1 { degree = budget }
            degree = min(degree, budget, i)
            chosen.removeAll(keepingCapacity: true)
            picked.removeAll(keepingCapacity: true)
            var attempts = 0
            while chosen.count < degree && attempts < degree * 20 {
                attempts += 1
                let target = random.unit() < 0.7 && !pool.isEmpty ? pool[random.below(pool.count)] : Int32(random.below(i))
                guard chosen.insert(target).inserted else { continue }
                picked.append(target)
                let day = DayNumber.date(days[i])
                let roll = random.unit()
                let treatment: String? = roll < 0.02 ? treatments[random.below(treatments.count)] : roll < 0.021 ? "overruled" : nil
                edges.append(SnapshotEdge(source: i, target: Int(target), type: "CITES", treatment: treatment, validFrom: day))
                if roll > 0.999 {
                    edges.append(SnapshotEdge(source: i, target: Int(target), type: "OVERRULES", validFrom: day))
                }
            }
            made += chosen.count
            pool.append(contentsOf: picked)
            pool.append(Int32(i))
        }
        let types = ["APPLIES", "HAS_ISSUE", "CITES_STATUTE"]
        for _ in 0..<otherEdges {
            let source = random.below(cases)
            // Skewed popularity: provision index ~ provisions * u^3.
            let provision = cases + min(provisions - 1, Int(Double(provisions) * pow(random.unit(), 3)))
            edges.append(SnapshotEdge(source: source, target: provision, type: types[random.below(types.count)],
                                      validFrom: DayNumber.date(days[source])))
        }
        return (nodes, edges)
    }
}
