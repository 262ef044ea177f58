import LexgraphCore
import Tensor

/// k-center greedy batch selection (Sener and Savarese, ICLR 2018, "Active Learning for
/// Convolutional Neural Networks: A Core-Set Approach", Algorithm 1): keep each
/// candidate's distance to its nearest labelled-or-picked example and repeatedly pick the
/// candidate where that distance is largest (ties: the earlier pool index). With nothing
/// labelled the first pick is a seeded random candidate.
public enum KCenterGreedy {
    public static func select(k: Int, candidates: [Int], labelled: [Int], embeddings: EmbeddingMatrix, seed: UInt64) -> [Int] {
        let k = min(k, candidates.count)
        guard k > 0 else { return [] }
        var nearest = [Float](repeating: .infinity, count: candidates.count)
        if !labelled.isEmpty { update(&nearest, candidates: candidates, centers: labelled, embeddings: embeddings) }
        var picked: [Int] = []
        var taken = Set<Int>()
        if labelled.isEmpty {
            var rng = SplitMix64(seed: seed)
            let first = rng.below(candidates.count)
            picked.append(candidates[first]); taken.insert(first)
            update(&nearest, candidates: candidates, centers: [candidates[first]], embeddings: embeddings)
        }
        while picked.count < k {
            var best = -1
            for i in candidates.indices where !taken.contains(i) && (best < 0 || nearest[i] > nearest[best]) { best = i }
            picked.append(candidates[best]); taken.insert(best)
            update(&nearest, candidates: candidates, centers: [candidates[best]], embeddings: embeddings)
        }
        return picked
    }

    /// nearest[i] = min(nearest[i], min over centers of ‖x_i − c‖²), with the dot products
    /// from one GEMM per chunk of centers (‖x‖² + ‖c‖² − 2 x·c).
    static func update(_ nearest: inout [Float], candidates: [Int], centers: [Int], embeddings: EmbeddingMatrix) {
        let d = embeddings.dimension
        let x = embeddings.rows(candidates).values
        let xNorms = candidates.map { i in embeddings.row(i).reduce(0) { $0 + $1 * $1 } }
        let chunk = 512
        for start in stride(from: 0, to: centers.count, by: chunk) {
            let part = Array(centers[start..<min(start + chunk, centers.count)])
            let c = embeddings.rows(part).values
            let cNorms = part.map { i in embeddings.row(i).reduce(0) { $0 + $1 * $1 } }
            var dots = [Float](repeating: 0, count: candidates.count * part.count)
            x.withUnsafeBufferPointer { xp in
                c.withUnsafeBufferPointer { cp in
                    dots.withUnsafeMutableBufferPointer { dp in
                        BLAS.gemm(transA: false, transB: true, m: candidates.count, n: part.count, k: d, a: xp.baseAddress!, lda: d,
                                  b: cp.baseAddress!, ldb: d, c: dp.baseAddress!, ldc: part.count)
                    }
                }
            }
            for i in candidates.indices {
                var m = nearest[i]
                for j in part.indices { m = min(m, max(0, xNorms[i] + cNorms[j] - 2 * dots[i * part.count + j])) }
                nearest[i] = m
            }
        }
    }
}
