import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Row-major single-precision GEMM over OpenBLAS, plus the BLAS thread-count setting.
///
/// Threads: OpenBLAS would otherwise start one thread per core. Lexgraph defaults to 1
/// (deterministic, and friendly to test runners sharing a machine); the environment variable
/// `LEXGRAPH_BLAS_THREADS` overrides that default the first time any GEMM runs, and
/// `BLAS.threadCount` sets it explicitly at any time.
public enum BLAS {
    /// Environment variable read once for the default thread count.
    public static let threadsEnvironmentVariable = "LEXGRAPH_BLAS_THREADS"

    /// The thread count OpenBLAS uses for the next call.
    public static var threadCount: Int {
        get { _ = environmentApplied; return Int(openblas_get_num_threads()) }
        set { _ = environmentApplied; openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// The thread count the environment asks for (`LEXGRAPH_BLAS_THREADS`), or 1.
    public static var environmentThreadCount: Int {
        if let raw = getenv(threadsEnvironmentVariable), let n = Int(String(cString: raw)), n >= 1 { return n }
        return 1
    }

    /// Applied lazily, once, before the first GEMM or thread-count access.
    private static let environmentApplied: Void = {
        openblas_set_num_threads(Int32(environmentThreadCount))
    }()

    /// `C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C`, all row-major, with leading
    /// dimensions so that head slices of a `[B*T, H]` matrix can be used in place.
    @inline(__always)
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = environmentApplied
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `batch` independent GEMMs whose operands sit at fixed strides from the first ones
    /// (attention: one GEMM per batch item and head).
    public static func gemmStridedBatched(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, strideA: Int,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, batch: Int
    ) {
        for i in 0..<batch {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                 beta: beta, c: c + i * strideC, ldc: ldc)
        }
    }
}

/// Dense layers in the PyTorch layout: weight `[out, in]`, bias `[out]`, inputs `[rows, in]`.
public enum Linear {
    /// `y[rows, out] = x[rows, in] · Wᵀ + b`.
    public static func forward(x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        if let bias {
            for r in 0..<rows { (y + r * outFeatures).update(from: bias, count: outFeatures) }
        }
        BLAS.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
                  a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
    }

    /// Backward of `forward`: `dW += dyᵀ·x`, `db += Σ_rows dy`, and `dx = dy·W` (overwritten,
    /// or added when `accumulateInput`). Pass `dx: nil` when the input needs no gradient.
    public static func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                                weight: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
                                dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false) {
        BLAS.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows,
                  a: dy, lda: outFeatures, b: x, ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias { Kernels.addColumnSums(dy, rows: rows, cols: outFeatures, into: dBias) }
        if let dx {
            BLAS.gemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures,
                      a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures)
        }
    }
}
