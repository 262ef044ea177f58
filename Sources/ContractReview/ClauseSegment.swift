/// One clause of a contract as the segmenter found it.
///
/// `path` names it the way the document numbers it: `2`, `2.3`, `2.6(a)`, `3.2(c)(i)`;
/// `Section 4` numbering gives `4`; a paragraph or heading without a number gets `¶1`,
/// `¶2`, ... in document order. `heading` is the clause's own title (a `**bold**` or
/// `Title Case.` lead-in, a short title line after the number, or the Markdown/bold/
/// capitals heading above unnumbered text), without its final period. `text` is the
/// clause's own words without the heading and without its sub-clauses (which are
/// segments of their own), Markdown and HTML markup removed, runs of whitespace made one
/// space, paragraphs separated by a line feed; it is empty for a heading with nothing
/// under it but sub-clauses.
///
/// `characters` is the half-open range of Unicode scalar offsets (Python `str` indices)
/// into the document text, from the clause's number (or first word) to the end of its own
/// last line; `lines` the 1-based first and last line of the same span. Both cover the
/// clause's own lines, not its sub-clauses'.
public struct ClauseSegment: Sendable, Equatable {
    public var path: String
    /// The number as written (`1.`, `(a)`, `Section 4.2`), nil for unnumbered text.
    public var marker: String?
    public var heading: String?
    public var text: String
    /// 1 for a top-level clause, 2 for its sub-clauses, and so on.
    public var depth: Int
    /// The path of the enclosing clause.
    public var parent: String?
    public var characters: Range<Int>
    public var lines: ClosedRange<Int>

    public init(path: String, marker: String?, heading: String?, text: String, depth: Int, parent: String?,
                characters: Range<Int>, lines: ClosedRange<Int>) {
        self.path = path; self.marker = marker; self.heading = heading; self.text = text
        self.depth = depth; self.parent = parent; self.characters = characters; self.lines = lines
    }

    /// Whether the clause has words of its own to label (not just a heading).
    public var hasText: Bool { !text.isEmpty }

    /// The text a model sees: the body, with the heading in front (`Heading. body`) when
    /// `withHeading`.
    public func modelText(withHeading: Bool) -> String {
        guard withHeading, let heading, !heading.isEmpty else { return text }
        return text.isEmpty ? heading + "." : heading + ". " + text
    }
}

/// A segmented contract: its title (the first heading before any clause) and its clauses
/// in document order.
public struct SegmentedContract: Sendable, Equatable {
    public var title: String?
    public var segments: [ClauseSegment]

    public init(title: String?, segments: [ClauseSegment]) {
        self.title = title; self.segments = segments
    }
}
