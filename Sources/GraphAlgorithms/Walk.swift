import LexgraphCore

extension GraphSnapshot {
    /// Typed breadth-first walk from `seeds`, optionally ranked by personalized
    /// PageRank, over the nodes and edges valid as of `options.asOf`. Every hit carries
    /// its hop distance and one shortest explaining path from a seed.
    ///
    /// Leakage: with a date, a node or edge starting after it is invisible to the walk
    /// (neither returned nor stepped along nor counted in PageRank); in particular no
    /// citation from a later case is followed.
    public func walk(from seeds: [WalkSeed], options: WalkOptions) throws -> WalkResult {
        try check(options)
        let window = TimeWindow(asOf: options.asOf)
        let (seedNodes, restartWeights) = try resolve(seeds, asOf: options.asOf, window: window)
        let rule = TraversalRule(window: window, edgeTypes: try edgeTypeMask(options.edgeTypes),
                                 direction: options.direction, skipOverruled: options.skipOverruled)
        let reach = breadthFirst(from: seedNodes, depth: options.depth, rule)

        var scores: [Double] = []  // per node, when ranking by PageRank
        var iterations: Int?
        if let pageRank = options.pageRank {
            let members: [Int32]
            switch pageRank.scope {
            case .reached:
                members = reach.order
            case .graph:
                let isSeed = Set(seedNodes)
                members = (0..<Int32(nodeCount)).filter { isSeed.contains($0) || admits($0, rule) }
            }
            var localIndex = [Int32](repeating: -1, count: nodeCount)
            let local = LocalGraph(members: members, snapshot: self, rule: rule, localIndex: &localIndex)
            var restart = [Double](repeating: 0, count: members.count)
            for (i, node) in members.enumerated() { restart[i] = restartWeights[node] ?? 0 }
            let run = PersonalizedPageRank.run(on: local, restart: restart, options: pageRank)
            scores = [Double](repeating: 0, count: nodeCount)
            for (i, node) in members.enumerated() { scores[Int(node)] = run.scores[i] }
            iterations = run.iterations
        }

        let wantedTypes = try nodeTypeMask(options.resultNodeTypes)
        var candidates = reach.order.filter { node in
            wantedTypes[Int(nodeType[Int(node)])] && (options.includeSeeds || reach.distance[Int(node)] > 0)
        }
        candidates.sort { a, b in
            if !scores.isEmpty, scores[Int(a)] != scores[Int(b)] { return scores[Int(a)] > scores[Int(b)] }
            let da = reach.distance[Int(a)], db = reach.distance[Int(b)]
            if da != db { return da < db }
            return keys[Int(a)] < keys[Int(b)]
        }
        if let limit = options.limit, candidates.count > limit { candidates.removeLast(candidates.count - limit) }

        let hits = candidates.map { node -> WalkHit in
            let (seed, steps) = path(to: node, in: reach)
            return WalkHit(key: keys[Int(node)], type: type(ofNode: Int(node)), distance: Int(reach.distance[Int(node)]),
                           score: scores.isEmpty ? nil : scores[Int(node)], overruled: isOverruled(node, in: window),
                           seed: keys[Int(seed)], path: steps)
        }
        return WalkResult(hits: hits, reachedCount: reach.order.count, pageRankIterations: iterations)
    }

    private func check(_ options: WalkOptions) throws {
        guard options.depth >= 0 else { throw GraphAlgorithmsError(message: "walk depth must be 0 or more, not \(options.depth)") }
        if let limit = options.limit, limit < 0 { throw GraphAlgorithmsError(message: "result limit must be 0 or more, not \(limit)") }
        if let pr = options.pageRank {
            guard pr.restartProbability > 0, pr.restartProbability <= 1 else {
                throw GraphAlgorithmsError(message: "PageRank restart probability must be in (0, 1], not \(pr.restartProbability)")
            }
            guard pr.maxIterations >= 1 else { throw GraphAlgorithmsError(message: "PageRank needs at least 1 iteration, not \(pr.maxIterations)") }
            guard pr.tolerance > 0, pr.tolerance.isFinite else {
                throw GraphAlgorithmsError(message: "PageRank tolerance must be a positive number, not \(pr.tolerance)")
            }
        }
    }

    /// Seed node indices (first-mention order, no repeats) and normalised restart
    /// weights. A seed must exist and be valid as of the date.
    private func resolve(_ seeds: [WalkSeed], asOf: LegalDate?, window: TimeWindow) throws -> ([Int32], [Int32: Double]) {
        guard !seeds.isEmpty else { throw GraphAlgorithmsError(message: "a walk needs at least one seed node") }
        var nodes: [Int32] = [], weights: [Int32: Double] = [:]
        for seed in seeds {
            guard seed.weight > 0, seed.weight.isFinite else {
                throw GraphAlgorithmsError(message: "seed '\(seed.key)' has weight \(seed.weight); weights must be positive numbers")
            }
            let node = try requireNode(seed.key)
            guard isValid(node: node, in: window) else {
                let from = validFrom(ofNode: Int(node)).map { "valid from \($0)" } ?? "valid from the start"
                let to = DayNumber.date(nodeTo[Int(node)]).map { " until \($0)" } ?? ""
                throw GraphAlgorithmsError(message: "seed '\(seed.key)' is not in the graph as of \(asOf?.iso ?? "-") (\(from)\(to))")
            }
            if weights[node] == nil { nodes.append(node) }
            weights[node, default: 0] += seed.weight
        }
        let total = weights.values.reduce(0, +)
        for node in nodes { weights[node]! /= total }
        return (nodes, weights)
    }
}
