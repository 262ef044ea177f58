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

    private func bar(_ done: Int, _ total: Int, width: Int = 20) -> String {
        let filled = min(width, done * width / max(total, 1))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}
