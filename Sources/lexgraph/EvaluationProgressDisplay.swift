import Foundation
import Prediction

/// Lines to stderr; on a terminal the last line can be redrawn in place.
final class StderrLog {
    let isTerminal = isatty(2) != 0
    func line(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    func redraw(_ text: String) { FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8)) }
}

/// The progress of an evaluation on stderr: a bar over (folds x models) steps with the
/// step in progress, and one line per model and fold when it finishes.
final class EvaluationProgressDisplay {
    let log: StderrLog
    let modelsPerFold: Int
    let start = Date()
    var done = 0

    init(log: StderrLog, modelsPerFold: Int) {
        self.log = log
        self.modelsPerFold = max(1, modelsPerFold)
    }

    func update(_ p: EvaluationProgress) {
        let total = max(1, p.foldCount * modelsPerFold)
        switch p.phase {
        case .fitting, .predicting:
            if log.isTerminal {
                log.redraw("\(bar(done, total)) \(p.fold) (\(p.foldIndex)/\(p.foldCount)): \(p.model) \(p.phase == .fitting ? "fitting" : "predicting")")
            }
        case .finished:
            done += 1
            let text = "\(bar(done, total)) \(p.fold) (\(p.foldIndex)/\(p.foldCount)): \(p.model) "
                + String(format: "%.1f s (elapsed %.0f s)", p.seconds ?? 0, Date().timeIntervalSince(start))
            if log.isTerminal { log.redraw(text); FileHandle.standardError.write(Data("\n".utf8)) } else { log.line(text) }
        }
    }

    /// The fused transformer's phases inside one fit: a bar with rate and ETA per phase
    /// (redrawn on a terminal; otherwise a line every tenth of the phase).
    func model(_ p: FusionProgress) {
        let now = Date()
        if p.phase != phase || p.epoch != epoch || p.done < lastDone {
            phase = p.phase; epoch = p.epoch; phaseStart = now; lastLine = -1
        }
        lastDone = p.done
        let elapsed = now.timeIntervalSince(phaseStart)
        let rate = elapsed > 0 ? Double(p.done) / elapsed : 0
        let eta = rate > 0 ? Double(p.total - p.done) / rate : 0
        var text = "  \(p.phase.rawValue)\(p.epoch.map { " epoch \($0)" } ?? "") \(bar(p.done, p.total)) \(p.done)/\(p.total)"
        if let loss = p.loss { text += String(format: " loss %.4f", loss) }
        text += String(format: " %.1f/s ETA %.0f s", rate, eta)
        if log.isTerminal {
            log.redraw(text)
            if p.done == p.total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if p.done * 10 / max(p.total, 1) > lastLine || p.done == p.total {
            lastLine = p.done * 10 / max(p.total, 1)
            log.line(text)
        }
    }

    private var phase: FusionProgress.Phase?
    private var epoch: Int?
    private var phaseStart = Date()
    private var lastDone = 0
    private var lastLine = -1

    private func bar(_ done: Int, _ total: Int, width: Int = 20) -> String {
        let filled = min(width, done * width / max(total, 1))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}
