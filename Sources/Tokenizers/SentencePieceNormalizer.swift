import Foundation

/// The normalizer steps SentencePiece tokenizers carry in tokenizer.json (ALBERT's and
/// XLNet's `Sequence`), each rewriting an `AlignedText` as the peer's does.
enum SentencePieceNormalizerStep: Sendable {
    /// `Replace` with a string pattern.
    case replace([Unicode.Scalar], [Unicode.Scalar])
    /// `Replace` with the regex " {2,}" (runs of two or more spaces).
    case collapseSpaces([Unicode.Scalar])
    case nfkd
    /// Drops every combining mark (General_Category Mark: Mn, Mc, Me, in the peer's tables).
    case stripAccents
    /// Each scalar's full lowercase mapping, without context (no final-sigma rule).
    case lowercase
    case precompiled(PrecompiledCharsmap)

    func apply(_ text: inout AlignedText) {
        switch self {
        case .replace(let pattern, let content):
            text.replace(pattern, with: content)
        case .collapseSpaces(let content):
            text.replaceRuns(of: " ", minimum: 2, with: content)
        case .nfkd:
            Self.nfkd(&text)
        case .stripAccents:
            text.filter { !Self.isMark($0) }
        case .lowercase:
            text.flatMap { s in
                guard s.value >= 0x80 || (s.value >= 0x41 && s.value <= 0x5A) else { return nil }
                guard s.properties.changesWhenLowercased else { return nil }
                return Array(s.properties.lowercaseMapping.unicodeScalars)
            }
        case .precompiled(let charsmap):
            charsmap.normalize(&text)
        }
    }

    /// A combining mark as the peer's (older) Unicode tables say.
    static func isMark(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && BertCharacterClass.contains(SentencePieceUnicodeTables.combiningMarks, s.value)
    }

    /// The canonical combining class for reordering; 0 for what the peer's tables do not
    /// know as a mark.
    static func combiningClass(_ s: Unicode.Scalar) -> UInt8 {
        isMark(s) ? s.properties.canonicalCombiningClass.rawValue : 0
    }

    /// Compatibility decomposition scalar by scalar (the first output replaces, the rest are
    /// inserted), then canonical reordering of combining marks across the whole text. Which
    /// scalars decompose follows the peer's tables; the decomposition itself is Foundation's.
    static func nfkd(_ text: inout AlignedText) {
        var dest: [(Unicode.Scalar, Int)] = []
        dest.reserveCapacity(text.scalars.count)
        var changed = false
        for s in text.scalars {
            if s.value < 0xA0 || !BertCharacterClass.contains(SentencePieceUnicodeTables.compatibilityDecomposable, s.value) {
                dest.append((s, 0))
                continue
            }
            let parts = Array(String(s).decomposedStringWithCompatibilityMapping.unicodeScalars)
            if parts.count == 1 && parts[0] == s {
                dest.append((s, 0))
            } else {
                changed = true
                for (k, p) in parts.enumerated() { dest.append((p, k > 0 ? 1 : 0)) }
            }
        }
        // Canonical ordering: stable sort of each run of non-starters by combining class.
        var i = 0
        while i < dest.count {
            guard combiningClass(dest[i].0) != 0 else { i += 1; continue }
            var j = i
            while j < dest.count && combiningClass(dest[j].0) != 0 { j += 1 }
            if j - i > 1 {
                let sorted = dest[i..<j].enumerated().sorted {
                    let a = combiningClass($0.element.0)
                    let b = combiningClass($1.element.0)
                    return a != b ? a < b : $0.offset < $1.offset
                }.map(\.element)
                if zip(sorted, dest[i..<j]).contains(where: { $0.0 != $1.0 }) { changed = true }
                dest.replaceSubrange(i..<j, with: sorted)
            }
            i = j
        }
        if changed { text.transform(dest) }
    }
}
