import Foundation

/// A one-line progress display for training on stderr: a bar, updates done of the total,
/// the running mean loss, updates and examples per second, and the time left. On a
/// terminal it redraws in place; otherwise (logs, pipes) it prints a line at most every
/// `logInterval` seconds, and always when the phase finishes.
public final class ProgressBar {
    public let title: String
    public let total: Int
    let isTerminal: Bool
    let write: (String) -> Void
    let logInterval: TimeInterval
    let start = Date()
    var startDone: Int
    var lastLog = Date.distantPast
    var lossSum = 0.0, lossCount = 0, examples = 0, done = 0

    /// `done` counts updates already finished before this display began (a resumed epoch).
    public init(title: String, total: Int, done: Int = 0, isTerminal: Bool = isatty(2) != 0, logInterval: TimeInterval = 10,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.title = title; self.total = max(total, 1); self.startDone = done; self.done = done
        self.isTerminal = isTerminal; self.logInterval = logInterval; self.write = write
    }

    public func update(done: Int, loss: Float, examples newExamples: Int) {
        self.done = done
        lossSum += Double(loss); lossCount += 1; examples += newExamples
        let now = Date()
        if isTerminal {
            write("\r" + line(now: now) + "\u{1B}[K")
        } else if now.timeIntervalSince(lastLog) >= logInterval {
            lastLog = now
            write(line(now: now) + "\n")
        }
    }

    /// Ends the display with the final line and `note` (e.g. the dev metrics).
    public func finish(note: String = "") {
        let text = line(now: Date()) + (note.isEmpty ? "" : "  " + note)
        write(isTerminal ? "\r" + text + "\u{1B}[K\n" : text + "\n")
    }

    func line(now: Date) -> String {
        let seconds = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(done - startDone) / seconds
        let eta = rate > 0 ? Double(total - done) / rate : nil
        return Self.render(title: title, done: done, total: total, meanLoss: lossCount > 0 ? lossSum / Double(lossCount) : nil,
                           updatesPerSecond: rate, examplesPerSecond: Double(examples) / seconds, eta: eta)
    }

    /// The text of one progress line, e.g.
    /// `epoch 1/3 [########------------] 12/30 loss 0.6412 | 1.52 it/s 24.3 ex/s | ETA 0:12`.
    public static func render(title: String, done: Int, total: Int, meanLoss: Double?, updatesPerSecond: Double,
                              examplesPerSecond: Double, eta: Double?, width: Int = 20) -> String {
        let filled = min(width, max(0, done * width / max(total, 1)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let loss = meanLoss.map { String(format: "%.4f", $0) } ?? "-"
        return "\(title) [\(bar)] \(done)/\(total) loss \(loss) | " + String(format: "%.2f it/s %.1f ex/s", updatesPerSecond, examplesPerSecond)
            + " | ETA " + (eta.map(duration) ?? "-")
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
