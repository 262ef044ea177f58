import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Row-major single-precision GEMM over OpenBLAS, plus the thread-count setting.
///
/// Threads: `threadCount` is how many threads Lexgraph's GEMMs and kernels use. Lexgraph
/// defaults to 1 (deterministic, and friendly to test runners sharing a machine); the
/// environment variable `LEXGRAPH_BLAS_THREADS` overrides that default the first time it
/// is read, and `BLAS.threadCount` sets it explicitly at any time.
///
/// OpenBLAS itself is pinned to one thread: a large GEMM is split into row (or column)
/// blocks that `Parallel` hands to its workers, each calling single-threaded `sgemm`.
/// Measured on the 2-core machine this beats OpenBLAS's own threading for BERT shapes and,
/// more importantly, lets the many small attention GEMMs run one (batch item, head) pair per
/// worker instead of each being split across threads that then spin idle.
public enum BLAS {
    /// Environment variable read once for the default thread count.
    public static let threadsEnvironmentVariable = "LEXGRAPH_BLAS_THREADS"

    /// Set from the main thread between passes; workers only read it.
    nonisolated(unsafe) private static var configuredThreads: Int = {
        openblas_set_num_threads(1)
        return environmentThreadCount
    }()

    /// The number of threads the next GEMM or kernel may use.
    public static var threadCount: Int {
        get { configuredThreads }
        set { configuredThreads = max(1, newValue) }
    }

    /// The thread count the environment asks for (`LEXGRAPH_BLAS_THREADS`), or 1.
    public static var environmentThreadCount: Int {
        if let raw = getenv(threadsEnvironmentVariable), let n = Int(String(cString: raw)), n >= 1 { return n }
        return 1
    }

    /// Below this many multiply-adds a GEMM runs on one thread (a split would cost more
    /// than it saves).
    static let parallelMultiplyAdds = 1 << 22

    /// `C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C`, all row-major, with leading
    /// dimensions so that head slices of a `[B*T, H]` matrix can be used in place. Large
    /// products are split over `threadCount` workers along the longer side of C.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard threadCount > 1, m * n * k >= parallelMultiplyAdds else {
            gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= n {  // row blocks of C: rows of op(A)
            Parallel.chunks(m, grain: 32) { _, rows in
                gemmSerial(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
                           a: transA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {  // column blocks of C: columns of op(B)
            Parallel.chunks(n, grain: 32) { _, cols in
                gemmSerial(transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a, lda: lda,
                           b: transB ? b + cols.lowerBound * ldb : b + cols.lowerBound, ldb: ldb,
                           beta: beta, c: c + cols.lowerBound, ldc: ldc)
            }
        }
    }

    /// `gemm` on the calling thread only: for work that is already inside a parallel
    /// region (one attention head per worker).
    @inline(__always)
    public static func gemmSerial(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configuredThreads  // pins OpenBLAS to one thread before its first call
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Dense layers in the PyTorch layout: weight `[out, in]`, bias `[out]`, inputs `[rows, in]`.
public enum Linear {
    /// `y[rows, out] = x[rows, in] · Wᵀ + b`.
    public static func forward(x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        if let bias {
            Parallel.chunks(rows, grain: Parallel.grain(rowLength: outFeatures)) { _, range in
                for r in range { (y + r * outFeatures).update(from: bias, count: outFeatures) }
            }
        }
        BLAS.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
                  a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
    }

    /// Backward of `forward`: `dW += dyᵀ·x`, `db += Σ_rows dy`, and `dx = dy·W` (overwritten,
    /// or added when `accumulateInput`). Pass `dx: nil` when the input needs no gradient, and
    /// `dWeight`/`dBias: nil` for a frozen layer (LoRA's base), which then costs one GEMM, not two.
    public static func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                                weight: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
                                dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false) {
        if let dWeight {
            BLAS.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows,
                      a: dy, lda: outFeatures, b: x, ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        }
        if let dBias { Kernels.addColumnSums(dy, rows: rows, cols: outFeatures, into: dBias) }
        if let dx {
            BLAS.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures,
                      a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures)
        }
    }
}
