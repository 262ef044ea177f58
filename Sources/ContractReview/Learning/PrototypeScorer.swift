import Foundation
import Tensor

/// Clause-type scores from frozen sentence embeddings, without training a head: the
/// labelled clauses (and any extra prototypes) are the model. All vectors are
/// L2-normalized, so a dot product is the cosine.
///
/// - `knn`: the k most similar labelled clauses vote for their type with weight
///   exp(cos/τ); a type's probability is its share of the votes (no vote: 0).
/// - `centroid`: nearest prototype; each type is the normalized mean of its clauses,
///   probabilities softmax(cos/τ).
/// - label embeddings: a type's centroid moved towards the embedding of its graph
///   neighbourhood's text, normalize(centroid + β·label) (β = 0 is `centroid`).
/// - families: log p(type) + γ·log p(family of type), with p(family) the softmax of the
///   query's cosine to each family's centroid: a two-level score over the taxonomy.
public struct PrototypeScorer: Sendable {
    public let dimension: Int
    public let classes: Int
    /// Labelled rows `[n, dimension]` and their class.
    let rows: [Float]
    let labels: [Int]

    public init(vectors: [[Float]], labels: [Int], classes: Int) throws {
        guard vectors.count == labels.count, let d = vectors.first?.count, d > 0 else {
            throw ContractReviewError("\(vectors.count) prototype vectors for \(labels.count) labels")
        }
        if let bad = labels.first(where: { !(0..<classes).contains($0) }) { throw ContractReviewError("prototype label \(bad) outside 0..<\(classes)") }
        dimension = d; self.classes = classes; self.labels = labels
        rows = vectors.flatMap { Self.normalized($0) }
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = sqrt(v.reduce(Float(0)) { $0 + $1 * $1 })
        return n > 0 ? v.map { $0 / n } : v
    }

    /// Cosines `[queries.count, m]` of the queries against `m` normalized rows.
    static func cosines(_ queries: [[Float]], against matrix: [Float], count m: Int, dimension d: Int) -> [[Float]] {
        let q = queries.flatMap { normalized($0) }
        var y = [Float](repeating: 0, count: queries.count * m)
        q.withUnsafeBufferPointer { qp in
            matrix.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    Linear.forward(x: qp.baseAddress!, rows: queries.count, inFeatures: d, outFeatures: m, weight: wp.baseAddress!, bias: nil, y: yp.baseAddress!)
                }
            }
        }
        return (0..<queries.count).map { Array(y[($0 * m)..<(($0 + 1) * m)]) }
    }

    /// The `k` nearest labelled rows of each query, as (row, cosine), most similar first
    /// (ties: lower row first). Queries go in chunks so memory stays bounded.
    public func neighbours(of queries: [[Float]], k: Int) -> [[(row: Int, cosine: Float)]] {
        let n = labels.count, kk = min(k, n)
        var out: [[(row: Int, cosine: Float)]] = []
        out.reserveCapacity(queries.count)
        for start in stride(from: 0, to: queries.count, by: 256) {
            let part = Array(queries[start..<min(start + 256, queries.count)])
            for sims in Self.cosines(part, against: rows, count: n, dimension: dimension) {
                // Keep the k best in a small sorted buffer: one pass over n.
                var best: [(row: Int, cosine: Float)] = []
                best.reserveCapacity(kk + 1)
                for (j, s) in sims.enumerated() {
                    if best.count == kk, let last = best.last, s <= last.cosine { continue }
                    let at = best.firstIndex { s > $0.cosine } ?? best.count
                    best.insert((j, s), at: at)
                    if best.count > kk { best.removeLast() }
                }
                out.append(best)
            }
        }
        return out
    }

    /// kNN probabilities from precomputed neighbours (the first `k` of each list).
    public func knnProbabilities(_ neighbours: [[(row: Int, cosine: Float)]], k: Int, temperature: Double) -> [[Double]] {
        neighbours.map { list in
            var p = [Double](repeating: 0, count: classes)
            for (row, cosine) in list.prefix(k) { p[labels[row]] += exp((Double(cosine) - 1) / temperature) }
            let s = p.reduce(0, +)
            return s > 0 ? p.map { $0 / s } : p
        }
    }

    /// Each class's normalized mean row, `[classes, dimension]` (a class without rows: zero).
    public func centroids() -> [[Float]] {
        var sums = [[Float]](repeating: [Float](repeating: 0, count: dimension), count: classes)
        for (i, c) in labels.enumerated() { for k in 0..<dimension { sums[c][k] += rows[i * dimension + k] } }
        return sums.map { Self.normalized($0) }
    }

    /// Centroids of groups of classes (families): the normalized mean of their rows.
    public func groupCentroids(group: [Int], groups: Int) -> [[Float]] {
        var sums = [[Float]](repeating: [Float](repeating: 0, count: dimension), count: groups)
        for (i, c) in labels.enumerated() { for k in 0..<dimension { sums[group[c]][k] += rows[i * dimension + k] } }
        return sums.map { Self.normalized($0) }
    }

    /// Log-softmax over `prototypes` (one per class or group) of cos/τ, per query.
    public static func logSoftmaxCosines(_ queries: [[Float]], prototypes: [[Float]], temperature: Double) -> [[Double]] {
        let d = prototypes.first?.count ?? 0
        let matrix = prototypes.flatMap { normalized($0) }
        return cosines(queries, against: matrix, count: prototypes.count, dimension: d).map { row in
            let z = row.map { Double($0) / temperature }
            let m = z.max() ?? 0
            let l = log(z.reduce(0) { $0 + exp($1 - m) }) + m
            return z.map { $0 - l }
        }
    }

    /// normalize(centroid + β·label) per class: the label embeddings from the graph as a
    /// prior on each type's prototype.
    public static func blended(_ centroids: [[Float]], labels: [[Float]], beta: Float) -> [[Float]] {
        zip(centroids, labels).map { c, l in
            let ln = normalized(l)
            return normalized(zip(c, ln).map { $0 + beta * $1 })
        }
    }

    /// Softmax of log p(type) + γ·log p(family(type)).
    public static func familyFused(typeLogProbabilities: [[Double]], familyLogProbabilities: [[Double]], family: [Int], gamma: Double) -> [[Double]] {
        zip(typeLogProbabilities, familyLogProbabilities).map { t, f in
            let z = t.indices.map { t[$0] + gamma * f[family[$0]] }
            let m = z.max() ?? 0
            let e = z.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }
}
