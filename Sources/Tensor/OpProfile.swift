import Dispatch

/// Opt-in wall-clock totals per named step of a forward or training pass
/// (`lexgraph bench model --profile`), to see where the time goes. Off by default: a
/// disabled lap is one branch. Use it only on the thread that drives the model, between
/// parallel regions, never inside one.
///
///     var clock = OpProfile.Clock()
///     …GEMM…;    clock.lap("fwd Q/K/V projections")
///     …softmax…; clock.lap("fwd attention")
public enum OpProfile {
    nonisolated(unsafe) public static var enabled = false
    nonisolated(unsafe) private static var totals: [String: (nanoseconds: UInt64, calls: Int)] = [:]
    nonisolated(unsafe) private static var order: [String] = []

    /// Times consecutive steps: each `lap` charges the time since the previous one.
    public struct Clock {
        private var last: UInt64
        public init() { last = OpProfile.enabled ? DispatchTime.now().uptimeNanoseconds : 0 }

        @inline(__always)
        public mutating func lap(_ label: String) {
            guard OpProfile.enabled else { return }
            let now = DispatchTime.now().uptimeNanoseconds
            OpProfile.add(label, nanoseconds: now &- last)
            last = now
        }
    }

    static func add(_ label: String, nanoseconds: UInt64) {
        if totals[label] == nil { order.append(label) }
        totals[label, default: (0, 0)].nanoseconds += nanoseconds
        totals[label, default: (0, 0)].calls += 1
    }

    /// (label, seconds, calls) in first-seen order.
    public static func report() -> [(label: String, seconds: Double, calls: Int)] {
        order.map { ($0, Double(totals[$0]?.nanoseconds ?? 0) / 1e9, totals[$0]?.calls ?? 0) }
    }

    public static func reset() {
        totals = [:]
        order = []
    }
}
