/// A text being normalized, with where each of its scalars came from in the original text:
/// Hugging Face's `NormalizedString` over Unicode scalars. Every rewrite goes through
/// `transform`, the peer's one rule for alignments (a kept or replaced scalar takes the
/// alignment of the scalar it replaces, an inserted one that of the scalar before it), so
/// offsets come out as the peer's, quirks included.
struct AlignedText {
    var scalars: [Unicode.Scalar]
    /// Per scalar: the original scalar range it came from (absolute in the encoded text).
    var alignments: [Range<Int>]

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self.scalars = Array(scalars)
        alignments = scalars.indices.map { $0..<($0 + 1) }
    }

    init(scalars: [Unicode.Scalar], alignments: [Range<Int>]) {
        self.scalars = scalars
        self.alignments = alignments
    }

    var isEmpty: Bool { scalars.isEmpty }

    /// The peer's `transform(dest, initial_offset)` over the whole text: each output scalar
    /// with its change (0 replaces the next old scalar, +1 is inserted, -n replaces the next
    /// one and removes n more); `initialRemoved` old scalars are dropped first.
    mutating func transform(_ dest: [(Unicode.Scalar, Int)], initialRemoved: Int = 0) {
        transformRange(0..<scalars.count, dest, initialRemoved: initialRemoved)
    }

    mutating func transformRange(_ range: Range<Int>, _ dest: [(Unicode.Scalar, Int)], initialRemoved: Int) {
        var old = range.lowerBound + min(initialRemoved, range.count)
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [Range<Int>] = []
        newScalars.reserveCapacity(dest.count)
        newAlignments.reserveCapacity(dest.count)
        for (c, change) in dest {
            let align: Range<Int>
            if change > 0 {
                align = old < 1 ? 0..<0 : alignments[old - 1]
            } else {
                align = old < alignments.count ? alignments[old] : (alignments.last.map { $0.upperBound..<$0.upperBound } ?? 0..<0)
                if old < range.upperBound { old += 1 }
                if change < 0 { old = min(old - change, range.upperBound) }
            }
            newScalars.append(c)
            newAlignments.append(align)
        }
        scalars.replaceSubrange(range, with: newScalars)
        alignments.replaceSubrange(range, with: newAlignments)
    }

    /// Replaces each non-overlapping match (leftmost first) of `pattern` by `content`
    /// (the peer's `replace`: the new scalars take the alignment of the match's last scalar).
    mutating func replace(_ pattern: [Unicode.Scalar], with content: [Unicode.Scalar]) {
        replace(matches: literalMatches(pattern), with: content)
    }

    /// Replaces runs of at least `minimum` copies of `scalar` (the regex " {2,}").
    mutating func replaceRuns(of scalar: Unicode.Scalar, minimum: Int, with content: [Unicode.Scalar]) {
        var matches: [Range<Int>] = []
        var i = 0
        while i < scalars.count {
            guard scalars[i] == scalar else { i += 1; continue }
            var j = i
            while j < scalars.count && scalars[j] == scalar { j += 1 }
            if j - i >= minimum { matches.append(i..<j) }
            i = j
        }
        replace(matches: matches, with: content)
    }

    private func literalMatches(_ pattern: [Unicode.Scalar]) -> [Range<Int>] {
        guard !pattern.isEmpty, pattern.count <= scalars.count else { return [] }
        var matches: [Range<Int>] = []
        var i = 0
        while i + pattern.count <= scalars.count {
            if scalars[i] == pattern[0] && Array(scalars[i..<(i + pattern.count)]) == pattern {
                matches.append(i..<(i + pattern.count))
                i += pattern.count
            } else {
                i += 1
            }
        }
        return matches
    }

    private mutating func replace(matches: [Range<Int>], with content: [Unicode.Scalar]) {
        var shift = 0
        for m in matches {
            let range = (m.lowerBound + shift)..<(m.upperBound + shift)
            transformRange(range, content.map { ($0, 1) }, initialRemoved: m.count)
            shift += content.count - m.count
        }
    }

    /// Keeps the scalars `keep` accepts (the peer's `filter`: a removed scalar after a kept
    /// one vanishes into it; removed ones at the start are dropped first).
    mutating func filter(_ keep: (Unicode.Scalar) -> Bool) {
        var dest: [(Unicode.Scalar, Int)] = []
        dest.reserveCapacity(scalars.count)
        var removed = 0
        var removedStart = 0
        var last: Unicode.Scalar?
        for c in scalars {
            if keep(c) {
                if let l = last { dest.append((l, -removed)) } else { removedStart = removed }
                last = c
                removed = 0
            } else {
                removed += 1
            }
        }
        if let l = last { dest.append((l, -removed)) }
        transform(dest, initialRemoved: removedStart)
    }

    /// Each scalar through `map` (its first output replaces it, the others are inserted).
    mutating func flatMap(_ map: (Unicode.Scalar) -> [Unicode.Scalar]?) {
        var dest: [(Unicode.Scalar, Int)] = []
        dest.reserveCapacity(scalars.count)
        var changed = false
        for c in scalars {
            if let out = map(c) {
                changed = true
                for (k, o) in out.enumerated() { dest.append((o, k > 0 ? 1 : 0)) }
                if out.isEmpty { dest.append((c, 0)) }  // an empty mapping keeps the scalar (lowercase mappings never are)
            } else {
                dest.append((c, 0))
            }
        }
        if changed { transform(dest) }
    }

    /// Puts `prefix` before the first scalar (the peer's `prepend`; nothing on an empty text).
    mutating func prepend(_ prefix: Unicode.Scalar) {
        guard let first = scalars.first else { return }
        transformRange(0..<1, [(prefix, 0), (first, 1)], initialRemoved: 0)
    }

    /// The original range a run of normalized scalars covers (the smallest start to the
    /// largest end of their alignments); an empty run maps to its position.
    func originalRange(_ range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let at = range.lowerBound < alignments.count ? alignments[range.lowerBound].lowerBound : (alignments.last?.upperBound ?? 0)
            return at..<at
        }
        var lo = Int.max, hi = Int.min
        for a in alignments[range] {
            lo = min(lo, a.lowerBound)
            hi = max(hi, a.upperBound)
        }
        return lo..<hi
    }

    func slice(_ range: Range<Int>) -> AlignedText {
        AlignedText(scalars: Array(scalars[range]), alignments: Array(alignments[range]))
    }
}
