import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tensor
import Transformer

/// `lexgraph bench model` (also `lexgraph model bench`): forward and full training-step
/// throughput of an encoder at a fixed batch shape, per thread count, next to PyTorch
/// (tools/bench_model_peer.py) in the same invocation; with `--lora-rank R` also a LoRA
/// training step (rank-R adapters on the attention projections, base frozen) next to
/// PyTorch + peft, and its speed and memory against the full step on each side; with
/// `--mlm` also a masked-language-model training step (`BertForMaskedLM`, the same fixed
/// masks on both sides), the one `lexgraph pretrain` takes.
///
/// Every (thread count, kind) measurement runs in a fresh child process on both sides,
/// Swift and PyTorch alternating, so each reports its own peak resident memory
/// (`ru_maxrss`) and neither inherits the other's allocations or thread pools.
struct ModelBenchmark: ParsableArguments {
    @Option(help: "Model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Option(help: "Batch size.") var batch = 16
    @Option(help: "Sequence length.") var seq = 128
    @Option(help: "Thread counts to try, comma-separated.") var threads = "1,2"
    @Option(help: "Timed iterations per measurement (after one warm-up); the median is reported.") var iterations = 5
    @Option(help: "Child processes per side and measurement; the median of their medians is reported.") var rounds = 1
    @Option(name: .customLong("peer-script"), help: "PyTorch peer script, or 'none' to skip it.")
    var peerScript = "tools/bench_model_peer.py"
    @Option(help: "Python interpreter for the peer script.") var python = "python3"
    @Option(name: .customLong("peak-gflops"), help: "The machine's fp32 peak over all its cores, GFLOP/s.")
    var peakGFLOPs = 179.0
    @Flag(help: "Also print where each Swift measurement spends its time, per layer step (OpProfile).") var profile = false
    @Option(name: .customLong("lora-rank"), help: "Also time a LoRA training step with adapters of this rank on the attention projections (0: no).")
    var loraRank = 0
    @Flag(help: "Also time a masked-language-model training step (BertForMaskedLM, every 7th token masked).") var mlm = false
    @Flag(name: .customLong("forward-only"), help: "Time the forward pass only (no training step).") var forwardOnly = false
    @Option(help: .hidden) var child: String?

    var kinds: [String] { ["forward"] + (forwardOnly ? [] : ["train"]) + (loraRank > 0 ? ["lora"] : []) + (mlm ? ["mlm"] : []) }

    /// One child's result: median seconds per step and peak resident memory.
    struct Measurement {
        var seconds: Double
        var maxRSSKiB: Double
    }

    func run() throws {
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 > 0 }), batch > 0, seq > 0, iterations > 0, rounds > 0, loraRank >= 0 else {
            throw ValidationError("batch, seq, iterations, rounds and threads must be positive (and --lora-rank not negative)")
        }
        if let child {
            guard kinds.contains(child), threadCounts.count == 1 else { throw ValidationError("--child needs \(kinds.joined(separator: "|")) and one thread count") }
            try measureInProcess(kind: child, threads: threadCounts[0])
            return
        }
        let dir = try ModelPath.setting(model).require("model folder", folder: true)
        let config = try BertConfig(contentsOf: (dir as NSString).appendingPathComponent("config.json"))
        let flops = Self.forwardFLOPs(config, batch: batch, seq: seq)
        let peer = peerScript == "none" ? nil : peerScript
        if let peer, !FileManager.default.fileExists(atPath: peer) {
            throw ValidationError("peer script \(peer) not found (run from the package root, or pass --peer-script none)")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("model \(dir): batch \(batch) x seq \(seq); forward ≈ \(String(format: "%.1f", flops / 1e9)) GFLOP, train step ≈ \(String(format: "%.1f", 3 * flops / 1e9)) GFLOP")
        print("\(iterations) timed iterations per child, \(rounds) round(s), one fresh process per measurement; peak \(peakGFLOPs) GFLOP/s on \(cores) cores")
        print("load average before: \(Self.loadAverage())")

        var swiftRuns: [String: [Measurement]] = [:], torchRuns: [String: [Measurement]] = [:]
        for _ in 0..<rounds {
            for n in threadCounts {
                for kind in kinds {
                    let key = "\(kind)@\(n)"
                    swiftRuns[key, default: []].append(try runChild(executable: "/proc/self/exe",
                        arguments: ["bench", "model", "--child", kind] + (profile ? ["--profile"] : []) + commonArguments(dir: dir, threads: n)))
                    if let peer {
                        torchRuns[key, default: []].append(try runChild(executable: "/usr/bin/env",
                            arguments: [python, peer, "--child", kind] + commonArguments(dir: dir, threads: n)))
                    }
                }
            }
        }
        print("load average after:  \(Self.loadAverage())")
        print("threads kind     swift seq/s  torch seq/s  ratio  swift GFLOP/s  of peak  swift peak MiB  torch peak MiB")
        for n in threadCounts {
            for kind in kinds {
                let key = "\(kind)@\(n)", work = kind == "forward" ? flops : 3 * flops  // mlm: the encoder's work, head aside
                let ours = Self.median(swiftRuns[key, default: []].map(\.seconds))
                let ourRSS = swiftRuns[key, default: []].map(\.maxRSSKiB).max() ?? 0
                let peakForThreads = peakGFLOPs * Double(min(n, cores)) / Double(cores)
                var line = String(format: "%-7d %-7@ %12.2f", n, kind as NSString, Double(batch) / ours)
                let theirs = torchRuns[key].map { Self.median($0.map(\.seconds)) }
                line += theirs.map { String(format: " %12.2f %6.2f", Double(batch) / $0, $0 / ours) } ?? String(repeating: " ", count: 20)
                line += String(format: " %14.1f %7.0f%% %15.0f", work / ours / 1e9, 100 * work / ours / 1e9 / peakForThreads, ourRSS / 1024)
                if let theirRSS = torchRuns[key]?.map(\.maxRSSKiB).max() { line += String(format: " %15.0f", theirRSS / 1024) }
                print(line)
                if rounds > 1 {
                    let fmt = { (runs: [Measurement]) in runs.map { String(format: "%.2f", Double(batch) / $0.seconds) }.joined(separator: " ") }
                    print("        rounds seq/s: swift \(fmt(swiftRuns[key, default: []]))" + (torchRuns[key].map { "; torch \(fmt($0))" } ?? ""))
                }
            }
        }
        print("(ratio = swift seq/s ÷ torch seq/s; \"of peak\" = share of the fp32 peak of the cores the thread count can use)")
        if loraRank > 0 {
            print("LoRA rank \(loraRank) step against the full training step on the same side (speed-up = full s/step ÷ LoRA s/step):")
            for n in threadCounts {
                func ratios(_ runs: [String: [Measurement]]) -> String? {
                    guard let full = runs["train@\(n)"], let lora = runs["lora@\(n)"] else { return nil }
                    let speed = Self.median(full.map(\.seconds)) / Self.median(lora.map(\.seconds))
                    let memory = (lora.map(\.maxRSSKiB).max() ?? 0) / max(full.map(\.maxRSSKiB).max() ?? 1, 1)
                    return String(format: "speed-up %.2fx, peak memory %.2f of full", speed, memory)
                }
                print("  threads \(n): swift " + (ratios(swiftRuns) ?? "-") + (ratios(torchRuns).map { "; torch+peft " + $0 } ?? ""))
            }
            print("  (the train and lora \"GFLOP/s\" columns both count a full step's 3x forward FLOPs; for LoRA it is a throughput, not the work done)")
        }
    }

    func commonArguments(dir: String, threads n: Int) -> [String] {
        ["--model", dir, "--batch", "\(batch)", "--seq", "\(seq)", "--threads", "\(n)", "--iterations", "\(iterations)"]
            + (loraRank > 0 ? ["--lora-rank", "\(loraRank)"] : []) + (mlm ? ["--mlm"] : [])
    }

    /// Runs one child and reads the JSON line it prints last: `{"seconds": …, "max_rss_kib": …}`.
    func runChild(executable: String, arguments: [String]) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let command = ([executable] + arguments).joined(separator: " ")
        guard process.terminationStatus == 0 else { throw CLIError("\(command) exited with status \(process.terminationStatus): \(text)") }
        let lines = text.split(separator: "\n")
        for extra in lines.dropLast() { print(extra) }  // a child's profile, if asked for
        guard let line = lines.last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let seconds = json["seconds"] as? Double, let rss = json["max_rss_kib"] as? Double else {
            throw CLIError("\(command) printed no result line: \(text)")
        }
        return Measurement(seconds: seconds, maxRSSKiB: rss)
    }

    /// The child side: load, build the batch, time `kind` at `threads`, print one JSON line.
    func measureInProcess(kind: String, threads n: Int) throws {
        BLAS.threadCount = n
        let dir = model ?? ModelCommand.defaultModelDirectory
        if kind == "mlm" { return try measureMLM(directory: dir, threads: n) }
        let encoder = try BertModel.load(directory: dir, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification))
        guard seq <= encoder.config.maxPositionEmbeddings else { throw ValidationError("--seq \(seq) exceeds max_position_embeddings \(encoder.config.maxPositionEmbeddings)") }
        var rng = SeededGenerator(seed: 1)
        let ids = (0..<(batch * seq)).map { i in i % seq == 0 ? Int32(101) : Int32(1000 + rng.next() % 20000) }
        let input = try BertBatch(batchSize: batch, sequenceLength: seq, inputIds: ids)
        let seconds: Double
        let beforeTimedRuns = { OpProfile.reset(); OpProfile.enabled = profile }
        let whole = kind == "forward" ? "forward (whole)" : "forward + backward (whole)"
        if kind == "forward" {
            seconds = try Self.time(iterations, beforeTimedRuns: beforeTimedRuns) {
                var clock = OpProfile.Clock()
                _ = try encoder.forward(input, forBackward: false)
                clock.lap(whole)
            }
        } else {
            let labels = Labels.classes((0..<batch).map { $0 % 2 })
            if kind == "lora" {
                try encoder.attachLoRA(LoRAConfig(rank: loraRank, alpha: Double(2 * loraRank), dropout: 0.1, targets: LoRATarget.attention))
            }
            let optimizer = AdamW(parameters: encoder.trainableParameters)
            seconds = try Self.time(iterations, beforeTimedRuns: beforeTimedRuns) {
                var clock = OpProfile.Clock()
                encoder.trainableParameters.zeroGrad()
                clock.lap("zero gradients")
                try encoder.lossAndBackward(input, labels: labels, dropout: true)
                clock.lap(whole)
                optimizer.update(learningRate: 1e-5)
                clock.lap("AdamW update")
            }
        }
        if profile { printProfile(kind: kind, threads: n, whole: whole) }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print("{\"kind\": \"\(kind)\", \"threads\": \(n), \"seconds\": \(seconds), \"max_rss_kib\": \(Double(usage.ru_maxrss))}")
    }

    /// The masks of the MLM step, the same on both sides (tools/bench_model_peer.py): the
    /// tokens at flat positions p with p % 7 == 3 (never [CLS]) become [MASK] (id 103) and
    /// are the labels, about the 15% of tokens BERT's recipe masks.
    static func fixedMasks(_ ids: [Int32], seq: Int) -> (input: [Int32], labels: [Int32]) {
        var input = ids, labels = [Int32](repeating: Int32(Loss.ignoreIndex), count: ids.count)
        for p in ids.indices where p % 7 == 3 && p % seq != 0 { labels[p] = ids[p]; input[p] = 103 }
        return (input, labels)
    }

    /// The MLM child: a `BertForMaskedLM` training step (forward, masked-token loss,
    /// backward, AdamW with the pooler frozen); it also prints the masked-token loss alone,
    /// vectorized (`Loss.wideCrossEntropy`) beside the scalar Double `Loss.crossEntropy`.
    func measureMLM(directory dir: String, threads n: Int) throws {
        let (model, _) = try MaskedLanguageModel.load(directory: dir, seed: 1)
        guard seq <= model.config.maxPositionEmbeddings else { throw ValidationError("--seq \(seq) exceeds max_position_embeddings \(model.config.maxPositionEmbeddings)") }
        var rng = SeededGenerator(seed: 1)
        let ids = (0..<(batch * seq)).map { i in i % seq == 0 ? Int32(101) : Int32(1000 + rng.next() % 20000) }
        let (masked, labels) = Self.fixedMasks(ids, seq: seq)
        let input = try BertBatch(batchSize: batch, sequenceLength: seq, inputIds: masked)
        let optimizer = AdamW(parameters: model.parameters)
        optimizer.frozenParameters = model.unusedParameterNames
        let beforeTimedRuns = { OpProfile.reset(); OpProfile.enabled = profile }
        let seconds = try Self.time(iterations, beforeTimedRuns: beforeTimedRuns) {
            var clock = OpProfile.Clock()
            model.parameters.zeroGrad()
            clock.lap("zero gradients")
            try model.lossAndBackward(input, maskedLabels: labels, dropout: true)
            clock.lap("forward + backward (whole)")
            optimizer.update(learningRate: 1e-5)
            clock.lap("AdamW update")
        }
        if profile { printProfile(kind: "mlm", threads: n, whole: "forward + backward (whole)") }
        let rows = labels.filter { Int($0) != Loss.ignoreIndex }.count, v = model.config.vocabSize
        let logits = Tensor(shape: [rows, v]), work = Tensor(shape: [rows, v])
        for i in 0..<(rows * v) { logits[i] = Float(i % 9973) * 1e-3 - 5 }
        let targets = labels.filter { Int($0) != Loss.ignoreIndex }
        let scalar = try Self.time(iterations) {
            _ = try Loss.crossEntropy(logits: logits.data, rows: rows, classes: v, labels: targets.map(Int.init), dLogits: work.data)
        }
        let vectorized = try Self.time(iterations) {
            work.data.update(from: logits.data, count: rows * v)
            _ = try Loss.wideCrossEntropy(logits: work.data, rows: rows, classes: v, labels: targets, gradient: true)
        }
        print(String(format: "mlm threads %d: masked-token loss + gradient over [%d, %d]: scalar Double %.1f ms, vectorized %.1f ms (%.1fx); the step %.1f ms",
                     n, rows, v, scalar * 1000, vectorized * 1000, scalar / vectorized, seconds * 1000))
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print("{\"kind\": \"mlm\", \"threads\": \(n), \"seconds\": \(seconds), \"max_rss_kib\": \(Double(usage.ru_maxrss))}")
    }

    /// The child's OpProfile as ms per step: layer steps (summed over layers), the rest of
    /// the pass (embeddings, pooler, head, masks of the embeddings), and step-level parts.
    func printProfile(kind: String, threads n: Int, whole: String) {
        let rows = OpProfile.report()
        let perStep = { (seconds: Double) in 1000 * seconds / Double(iterations) }
        let wholeSeconds = rows.first { $0.label == whole }?.seconds ?? 0
        let layerSeconds = rows.filter { $0.label.hasPrefix("fwd ") || $0.label.hasPrefix("bwd ") }.reduce(0) { $0 + $1.seconds }
        print("profile \(kind) threads \(n): ms per step (share of the whole pass)")
        for row in rows where row.label != whole {
            print(String(format: "  %8.1f ms  %5.1f%%  %@", perStep(row.seconds), 100 * row.seconds / max(wholeSeconds, 1e-12), row.label as NSString))
        }
        print(String(format: "  %8.1f ms  %5.1f%%  rest of the pass (embeddings, pooler, head, loss)", perStep(wholeSeconds - layerSeconds),
                     100 * (wholeSeconds - layerSeconds) / max(wholeSeconds, 1e-12)))
        print(String(format: "  %8.1f ms          %@", perStep(wholeSeconds), whole as NSString))
    }

    /// Median of `n` runs after one warm-up, in seconds (medians, not minima: this
    /// machine is noisy, and the peer script reports the same statistic).
    static func time(_ n: Int, beforeTimedRuns: () -> Void = {}, _ body: () throws -> Void) throws -> Double {
        try body()
        beforeTimedRuns()
        var seconds: [Double] = []
        for _ in 0..<max(1, n) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return median(seconds)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted(), mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Multiply-adds ×2 of one forward: Q/K/V/output projections, FFN, scores and context.
    static func forwardFLOPs(_ c: BertConfig, batch: Int, seq: Int) -> Double {
        let bt = Double(batch * seq), h = Double(c.hiddenSize), i = Double(c.intermediateSize)
        // Longformer: each token scores the keys of its window (+ [CLS]), with three more projections.
        let long = c.architecture.isLongformer
        let keys = long ? Double(min(seq, (c.attentionWindow.max() ?? 0) + 2)) : Double(seq), projections: Double = long ? 7 : 4
        let perLayer = 2 * bt * (projections * h * h + 2 * h * i) + 2 * 2 * bt * keys * h
        return Double(c.numHiddenLayers) * perLayer + 2 * Double(batch) * h * h
    }

    /// `/proc/loadavg`'s first three fields (1, 5, 15 minutes), or "unknown".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// `lexgraph bench model`.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Time forward and train steps against PyTorch (seq/s, GFLOP/s, peak memory).")
    @OptionGroup var options: ModelBenchmark
    func run() throws { try options.run() }
}

/// `lexgraph model bench`: the same benchmark under the model command group.
struct ModelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Time forward and train steps against PyTorch (seq/s, GFLOP/s, peak memory).")
    @OptionGroup var options: ModelBenchmark
    func run() throws { try options.run() }
}
