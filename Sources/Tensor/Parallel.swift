import Dispatch

/// Splits kernel and GEMM work over the configured thread count (`BLAS.threadCount`).
///
/// Lexgraph owns its worker threads: OpenBLAS itself always runs single-threaded (see
/// `BLAS`), and every parallel region here hands each worker a contiguous chunk that it
/// finishes with serial code. That way a tiny per-head GEMM never pays OpenBLAS's thread
/// hand-off, OpenBLAS's spinning workers never compete with ours for the two cores, and
/// row-wise kernels give bit-identical results at any thread count (each row, and each
/// column of a column sum, is still computed by one thread in the same order).
public enum Parallel {
    /// Runs `body(worker, range)` over contiguous chunks of `0..<count`: one chunk per
    /// worker, at most `BLAS.threadCount` workers, each with at least `grain` items. With
    /// one thread configured, or too little work to pay for a hand-off, it runs
    /// `body(0, 0..<count)` on the calling thread. `body` must not start parallel work itself.
    @inline(__always)
    public static func chunks(_ count: Int, grain: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = min(BLAS.threadCount, count / max(grain, 1))
        guard workers > 1 else { body(0, 0..<count); return }
        // Dispatch wants a @Sendable closure; the chunks are disjoint by construction, and
        // concurrentPerform returns only after every chunk ran, so `body` never escapes.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBody(run: body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                shared.run(w, (count * w / workers)..<(count * (w + 1) / workers))
            }
        }
    }

    private struct UncheckedBody: @unchecked Sendable {
        let run: (Int, Range<Int>) -> Void
    }

    /// Rows per chunk so that a chunk holds at least `minimumElements` (32K floats by
    /// default: below that a thread hand-off costs more than the work).
    @inline(__always)
    public static func grain(rowLength: Int, minimumElements: Int = 32_768) -> Int {
        max(1, minimumElements / max(rowLength, 1))
    }
}
