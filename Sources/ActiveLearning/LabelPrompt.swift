import Foundation

/// The curator's prompt at a terminal: each example of the batch is shown with the model's
/// suggestion and progress; the curator types a class number (as listed), a class name or
/// an unambiguous start of one, `s` to skip, `u` to undo the last answer, `?` for the class
/// list, `q` (or end of input) to quit. Every answer is saved at once, so quitting or a
/// crash resumes at the same example. Reads lines through `read` (the CLI gives it the
/// `Terminal` line editor, or plain stdin when not at a terminal), so it runs in tests too.
public enum LabelPrompt {
    public enum Command: Equatable, Sendable {
        case label(String)
        case skip
        case undo
        case quit
        case help
    }

    /// What ended a prompt session.
    public enum Outcome: Equatable, Sendable {
        case quit
        /// Every pool example is labelled or skipped.
        case exhausted
        /// `rounds` batches were completed.
        case roundsDone
    }

    /// One typed line as a command; the error says what can be typed. Commands come first:
    /// a class named like one (`s`, `u`, `q`) is chosen by number.
    public static func parse(_ input: String, classes: [String]) -> Result<Command, PromptError> {
        let text = input.trimmingCharacters(in: .whitespaces)
        switch text.lowercased() {
        case "s", "skip": return .success(.skip)
        case "u", "undo": return .success(.undo)
        case "q", "quit": return .success(.quit)
        case "?", "h", "help", "": return .success(.help)
        default: break
        }
        if let n = Int(text) {
            guard (1...classes.count).contains(n) else { return .failure(PromptError("no class number \(n): the classes are numbered 1-\(classes.count)")) }
            return .success(.label(classes[n - 1]))
        }
        if classes.contains(text) { return .success(.label(text)) }
        let lower = text.lowercased()
        let exact = classes.filter { $0.lowercased() == lower }
        if exact.count == 1 { return .success(.label(exact[0])) }
        let starts = classes.filter { $0.lowercased().hasPrefix(lower) }
        if starts.count == 1 { return .success(.label(starts[0])) }
        if starts.count > 1 {
            return .failure(PromptError("\"\(text)\" starts \(starts.count) classes (\(starts.prefix(5).joined(separator: ", "))\(starts.count > 5 ? ", ..." : "")): type more of it or its number"))
        }
        return .failure(PromptError("unknown class \"\(text)\": type a number 1-\(classes.count), a class name, s (skip), u (undo), ? (classes) or q (quit)"))
    }

    public struct PromptError: Error, Equatable, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// The class list as numbered entries.
    public static func menu(_ classes: [String]) -> String {
        classes.enumerated().map { "\($0 + 1) \($1)" }.joined(separator: "   ")
    }

    /// Runs batches until the curator quits, the pool is exhausted or `rounds` batches are done.
    public static func run(session: CuratorSession, rounds: Int? = nil, read: (String) throws -> String?, write: (String) -> Void) throws -> Outcome {
        let classes = session.classes.names
        var completed = 0
        while rounds.map({ completed < $0 }) ?? true {
            let batch = try session.nextBatch()
            if batch.isEmpty {
                write("The pool is exhausted: every example is labelled or skipped.")
                return .exhausted
            }
            write("Round \(session.state.round): \(batch.count) to label (\(session.state.strategy.rawValue)); \(session.labelledCount) labelled so far.")
            write(session.stoppingMessage)
            write(classes.count <= 20 ? "Classes: " + menu(classes) : "\(classes.count) classes: type a name (or its start) or a number; ? lists them.")
            while let id = session.state.remainingQueue.first {
                let queue = session.state.queue
                let position = queue.count - session.state.remainingQueue.count + 1
                guard let p = session.pool.position(of: id) else { break }
                var header = "[\(position)/\(queue.count) · round \(session.state.round) · \(session.labelledCount) labelled] \(id)"
                if let s = session.suggestion(for: id) { header += String(format: " · model: %@ (%.2f)", s.label, s.probability) }
                write(header)
                write("  " + session.pool.items[p].text)
                guard let line = try read("label> ") else { return .quit }
                switch parse(line, classes: classes) {
                case .failure(let error): write(error.message)
                case .success(.label(let name)): try session.label(id, as: name)
                case .success(.skip): try session.skip(id)
                case .success(.undo):
                    if let undone = try session.undo() {
                        write(queue.contains(undone) ? "Took back the answer for \(undone)." : "Took back the answer for \(undone); it returns to the pool.")
                    } else {
                        write("Nothing to undo in this run.")
                    }
                case .success(.quit): return .quit
                case .success(.help): write("Classes: " + menu(classes) + "\ns skip · u undo · q quit")
                }
            }
            completed += 1
        }
        return .roundsDone
    }
}
