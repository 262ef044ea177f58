/// One key press as the line editor sees it, after `KeyDecoder` has turned the terminal's
/// bytes (control bytes, escape sequences, UTF-8) into something with a meaning.
///
/// Keys are named for what was pressed, not for what it does: `LineEditor` decides that
/// Ctrl-A and Home both move to the start of the line.
public enum Key: Equatable, Sendable {
    /// A printable character (one Unicode scalar as it arrived; the editor merges combining
    /// scalars into the previous `Character`). Invalid UTF-8 arrives as U+FFFD.
    case character(Character)
    /// Return / Enter (CR or LF).
    case enter
    /// Backspace (DEL 0x7F or BS 0x08).
    case backspace
    /// The forward-delete key (`ESC [ 3 ~`).
    case delete
    case up, down, left, right
    /// Home (`ESC [ H`, `ESC O H`, `ESC [ 1 ~`, `ESC [ 7 ~`).
    case home
    /// End (`ESC [ F`, `ESC O F`, `ESC [ 4 ~`, `ESC [ 8 ~`).
    case end
    /// A word to the left: Ctrl-Left (`ESC [ 1 ; 5 D`) or Alt-b (`ESC b`).
    case wordLeft
    /// A word to the right: Ctrl-Right (`ESC [ 1 ; 5 C`) or Alt-f (`ESC f`).
    case wordRight
    /// Tab (0x09).
    case tab
    /// Ctrl plus a letter, other than those above (Ctrl-H is backspace, Ctrl-I tab,
    /// Ctrl-J / Ctrl-M enter). The letter is lowercase ASCII: `.control("a")` is Ctrl-A (0x01).
    case control(Character)
}
