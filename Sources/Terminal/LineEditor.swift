/// The editing state of one input line plus the history it can recall: a pure state
/// machine (no I/O), so every key's effect can be tested without a terminal.
///
/// Keys (Emacs / readline conventions):
/// - Left / Right / Ctrl-B / Ctrl-F: one character; Ctrl-Left / Ctrl-Right / Alt-B / Alt-F:
///   one word; Home / End / Ctrl-A / Ctrl-E: start / end of the line.
/// - Backspace / Ctrl-H: delete before the cursor; Delete: delete under the cursor;
///   Ctrl-D: delete under the cursor, or end of input on an empty line.
/// - Ctrl-U: kill to the start of the line; Ctrl-K: kill to the end; Ctrl-W: kill the word
///   before the cursor (and the blanks after it); Ctrl-T: swap the two characters around
///   the cursor.
/// - Up / Down / Ctrl-P / Ctrl-N: walk the history. Leaving the line being typed for the
///   history saves it; coming back down past the newest entry restores it. Edits made to a
///   recalled entry are used if it is submitted but do not change the history itself.
/// - Enter: submit; Ctrl-C: cancel the line; Ctrl-L: redraw. Tab inserts a space.
///   Other control keys are ignored.
///
/// The cursor counts `Character`s (grapheme clusters), so é, § or 中 is one step whether it
/// is one scalar or several; a combining scalar typed after a character joins it.
public struct LineEditor: Sendable {
    /// What the caller should do after a key.
    public enum Action: Equatable, Sendable {
        /// Nothing visible changed.
        case none
        /// The line or the cursor changed: draw it again.
        case redraw
        /// Enter: the line as typed; the editor is empty again.
        case submit(String)
        /// Ctrl-C: the line was abandoned; the editor is empty again.
        case cancel
        /// Ctrl-D on an empty line.
        case endOfInput
    }

    public private(set) var buffer: [Character] = []
    /// Insertion point, 0...buffer.count.
    public private(set) var cursor = 0
    /// Oldest first.
    public private(set) var history: [String]
    /// Index into `history` while walking it; nil while editing the new line.
    public private(set) var historyPosition: Int?
    /// The line being typed before the walk through the history began.
    public private(set) var savedLine: [Character] = []
    /// How many entries `history` keeps (the oldest go first).
    public let historyLimit: Int

    public init(history: [String] = [], historyLimit: Int = 1_000) {
        self.historyLimit = max(1, historyLimit)
        self.history = Array(history.suffix(self.historyLimit))
    }

    /// The current line as text.
    public var line: String { String(buffer) }

    /// Appends an entry to the history (skipping an empty one and a repeat of the newest).
    public mutating func addHistory(_ entry: String) {
        guard !entry.isEmpty, entry != history.last else { return }
        history.append(entry)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }

    /// Forgets the current line and any history walk.
    public mutating func reset() {
        buffer = []
        cursor = 0
        historyPosition = nil
        savedLine = []
    }

    public mutating func handle(_ key: Key) -> Action {
        switch key {
        case .character(let character): return insert(character)
        case .tab: return insert(" ")
        case .enter:
            let text = line
            reset()
            return .submit(text)
        case .backspace, .control("h"): return deleteBackward()
        case .delete: return deleteForward()
        case .left, .control("b"): return moveCursor(to: cursor - 1)
        case .right, .control("f"): return moveCursor(to: cursor + 1)
        case .home, .control("a"): return moveCursor(to: 0)
        case .end, .control("e"): return moveCursor(to: buffer.count)
        case .wordLeft: return moveCursor(to: startOfWord(before: cursor))
        case .wordRight: return moveCursor(to: endOfWord(after: cursor))
        case .up, .control("p"): return recall(olderBy: 1)
        case .down, .control("n"): return recall(olderBy: -1)
        case .control("d"):
            if buffer.isEmpty { reset(); return .endOfInput }
            return deleteForward()
        case .control("c"):
            reset()
            return .cancel
        case .control("u"): return kill(0..<cursor)
        case .control("k"): return kill(cursor..<buffer.count)
        case .control("w"): return kill(startOfWord(before: cursor)..<cursor)
        case .control("t"): return transpose()
        case .control("l"): return .redraw
        case .control: return .none
        }
    }

    // MARK: Editing

    private mutating func insert(_ character: Character) -> Action {
        let character = Self.printable(character)
        // A combining scalar (accent, variation selector, ZWJ sequence part) typed after a
        // character belongs to it: keep one Character so the cursor never splits them.
        if cursor > 0 {
            let merged = String(buffer[cursor - 1]) + String(character)
            if merged.count == 1, let joined = merged.first {
                buffer[cursor - 1] = joined
                return .redraw
            }
        }
        buffer.insert(character, at: cursor)
        cursor += 1
        return .redraw
    }

    private mutating func deleteBackward() -> Action {
        guard cursor > 0 else { return .none }
        buffer.remove(at: cursor - 1)
        cursor -= 1
        return .redraw
    }

    private mutating func deleteForward() -> Action {
        guard cursor < buffer.count else { return .none }
        buffer.remove(at: cursor)
        return .redraw
    }

    private mutating func kill(_ range: Range<Int>) -> Action {
        guard !range.isEmpty else { return .none }
        buffer.removeSubrange(range)
        cursor = range.lowerBound
        return .redraw
    }

    private mutating func transpose() -> Action {
        guard buffer.count >= 2, cursor > 0 else { return .none }
        let right = min(cursor, buffer.count - 1)  // at the end, swap the last two
        buffer.swapAt(right - 1, right)
        cursor = right + 1
        return .redraw
    }

    private mutating func moveCursor(to position: Int) -> Action {
        let clamped = min(max(position, 0), buffer.count)
        guard clamped != cursor else { return .none }
        cursor = clamped
        return .redraw
    }

    // MARK: Words

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Start of the word before `position`, skipping non-word characters first (readline's
    /// backward-word). Ctrl-W uses the same boundary.
    private func startOfWord(before position: Int) -> Int {
        var index = position
        while index > 0, !Self.isWordCharacter(buffer[index - 1]) { index -= 1 }
        while index > 0, Self.isWordCharacter(buffer[index - 1]) { index -= 1 }
        return index
    }

    private func endOfWord(after position: Int) -> Int {
        var index = position
        while index < buffer.count, !Self.isWordCharacter(buffer[index]) { index += 1 }
        while index < buffer.count, Self.isWordCharacter(buffer[index]) { index += 1 }
        return index
    }

    // MARK: History

    /// Moves `steps` entries back in time (negative: forward), clamped to the history.
    private mutating func recall(olderBy steps: Int) -> Action {
        guard !history.isEmpty else { return .none }
        let current = historyPosition ?? history.count
        let target = min(max(current - steps, 0), history.count)
        guard target != current else { return .none }
        if historyPosition == nil { savedLine = buffer }
        if target == history.count {
            historyPosition = nil
            buffer = savedLine
            savedLine = []
        } else {
            historyPosition = target
            buffer = history[target].map(Self.printable)
        }
        cursor = buffer.count
        return .redraw
    }

    /// Control characters (a tab or newline from a history file) shown as a space, so that
    /// what is drawn always has the width the cursor arithmetic assumes.
    private static func printable(_ character: Character) -> Character {
        character.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) } ? " " : character
    }
}
