import Foundation

/// Text as an array of Unicode scalars, with a bridge from NSRegularExpression's UTF-16
/// ranges: every detector reports scalar offsets, so spans from the regular-expression
/// detectors and the name detector line up, and match Python's `str` indices.
struct ScalarText {
    let string: String
    let scalars: [Unicode.Scalar]
    private let ns: NSString
    /// `scalarAt[u]`: the scalar offset of UTF-16 offset `u` (count + 1 entries).
    private let scalarAt: [Int]

    init(_ string: String) {
        self.string = string
        scalars = Array(string.unicodeScalars)
        ns = string as NSString
        var map: [Int] = []
        map.reserveCapacity(string.utf16.count + 1)
        for (i, s) in scalars.enumerated() {
            map.append(i)
            if s.value > 0xFFFF { map.append(i) }
        }
        map.append(scalars.count)
        scalarAt = map
    }

    var count: Int { scalars.count }

    func text(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[range])
        return String(s)
    }

    /// Every match of `regex`: the whole match and each capture group (nil when the
    /// group did not take part), as scalar ranges.
    func matches(_ regex: NSRegularExpression) -> [[Range<Int>?]] {
        regex.matches(in: string, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { i in
                let r = m.range(at: i)
                guard r.location != NSNotFound else { return nil }
                return scalarAt[r.location]..<scalarAt[r.location + r.length]
            }
        }
    }
}

extension NSRegularExpression {
    /// A pattern compiled once; the patterns are constants, so a failure is a bug.
    static func compiled(_ pattern: String, caseInsensitive: Bool = false) -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : []) }
        catch { fatalError("invalid built-in pattern \(pattern): \(error)") }
    }
}
