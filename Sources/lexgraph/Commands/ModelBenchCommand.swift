import ArgumentParser
import Foundation
import Tensor
import Transformer

/// `lexgraph model bench`: forward and full training-step throughput of an encoder at a
/// fixed batch shape, per BLAS thread count, optionally next to PyTorch numbers written
/// by tools/bench_model_peer.py (`--peer FILE`).
struct ModelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Time forward and train steps (seq/s, GFLOP/s).")

    @Option(help: "Model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Option(help: "Batch size.") var batch = 16
    @Option(help: "Sequence length.") var seq = 128
    @Option(help: "BLAS thread counts to try, comma-separated.") var threads = "1,2"
    @Option(help: "Timed iterations per measurement (after one warm-up).") var iterations = 3
    @Option(help: "JSON from tools/bench_model_peer.py to compare against.") var peer: String?

    func run() async throws {
        let dir = model ?? ModelCommand.defaultModelDirectory
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !threadCounts.isEmpty, batch > 0, seq > 0, iterations > 0 else { throw ValidationError("batch, seq, iterations and threads must be positive") }
        let encoder = try BertModel.load(directory: dir, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification))
        guard seq <= encoder.config.maxPositionEmbeddings else { throw ValidationError("--seq \(seq) exceeds max_position_embeddings \(encoder.config.maxPositionEmbeddings)") }
        var rng = SeededGenerator(seed: 1)
        let ids = (0..<(batch * seq)).map { i in i % seq == 0 ? Int32(101) : Int32(1000 + rng.next() % 20000) }
        let input = try BertBatch(batchSize: batch, sequenceLength: seq, inputIds: ids)
        let labels = Labels.classes((0..<batch).map { $0 % 2 })
        let optimizer = AdamW(parameters: encoder.parameters)
        let flops = Self.forwardFLOPs(encoder.config, batch: batch, seq: seq)
        let peerResults = try peer.map(Self.readPeer) ?? [:]

        print("model \(dir): \(encoder.parameterCount) parameters; batch \(batch) x seq \(seq); \(iterations) timed iterations")
        print("forward ≈ \(String(format: "%.1f", flops / 1e9)) GFLOP, train step ≈ \(String(format: "%.1f", 3 * flops / 1e9)) GFLOP")
        for n in threadCounts {
            BLAS.threadCount = n
            let forward = try Self.time(iterations) { _ = try encoder.forward(input) }
            let train = try Self.time(iterations) {
                encoder.parameters.zeroGrad()
                try encoder.lossAndBackward(input, labels: labels, dropout: true)
                optimizer.update(learningRate: 1e-5)
            }
            for (kind, seconds, work) in [("forward", forward, flops), ("train", train, 3 * flops)] {
                let seqPerSecond = Double(batch) / seconds
                var line = String(format: "threads %d %-7@ %8.1f seq/s  %6.1f GFLOP/s  (%.3f s/step)", n, kind as NSString, seqPerSecond, work / seconds / 1e9, seconds)
                if let torch = peerResults["\(kind)@\(n)"] {
                    line += String(format: "  torch %8.1f seq/s  ratio swift/torch %.2f", torch, seqPerSecond / torch)
                }
                print(line)
            }
        }
    }

    /// Median of `n` runs after one warm-up, in seconds (medians, not minima: this
    /// machine is noisy, and the peer script reports the same statistic).
    static func time(_ n: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var seconds: [Double] = []
        for _ in 0..<max(1, n) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        seconds.sort()
        let mid = seconds.count / 2
        return seconds.count % 2 == 1 ? seconds[mid] : (seconds[mid - 1] + seconds[mid]) / 2
    }

    /// Multiply-adds ×2 of one forward: Q/K/V/output projections, FFN, scores and context.
    static func forwardFLOPs(_ c: BertConfig, batch: Int, seq: Int) -> Double {
        let bt = Double(batch * seq), h = Double(c.hiddenSize), i = Double(c.intermediateSize)
        let perLayer = 2 * bt * (4 * h * h + 2 * h * i) + 2 * 2 * Double(batch) * Double(seq) * Double(seq) * h
        return Double(c.numHiddenLayers) * perLayer + 2 * Double(batch) * h * h
    }

    /// `{"results": [{"kind": "forward", "threads": 1, "seq_per_s": …}, …]}` → "kind@threads": seq/s.
    static func readPeer(_ path: String) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = json["results"] as? [[String: Any]] else {
            throw ValidationError("\(path): not a bench_model_peer.py result file")
        }
        var out: [String: Double] = [:]
        for r in results {
            if let kind = r["kind"] as? String, let t = r["threads"] as? Int, let v = r["seq_per_s"] as? Double { out["\(kind)@\(t)"] = v }
        }
        return out
    }
}
