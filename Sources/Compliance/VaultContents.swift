import Foundation

/// The reverse mapping of a masked corpus: each masked form (placeholder or
/// substitute) and the original it stands for. Plaintext only in memory; on disk it
/// is always encrypted (`Vault`).
public struct VaultContents: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var type: String
        public var original: String
        public var masked: String
    }

    public var format = "lexgraph-vault"
    public var version = 1
    public var mode: String
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    enum CodingKeys: String, CodingKey { case format, version, mode, entries }

    public init(mode: String) { self.mode = mode }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        mode = try c.decode(String.self, forKey: .mode)
        entries = try c.decode([Entry].self, forKey: .entries)
        for (i, e) in entries.enumerated() { index[e.masked] = i }
    }

    mutating func record(type: EntityType, original: String, masked: String) {
        // One original per masked form: a later spelling of the same name that got
        // the same placeholder keeps the first (unmasking restores that spelling).
        if index[masked] != nil { return }
        index[masked] = entries.count
        entries.append(Entry(type: type.rawValue, original: original, masked: masked))
    }

    /// `text` with every masked form put back, in one pass that takes the longest
    /// masked form at each place (a full name before the surname inside it), matched
    /// as whole words; text that was put back is never looked at again.
    public func unmask(_ text: String) -> String {
        guard !entries.isEmpty else { return text }
        var original: [String: String] = [:]
        for e in entries where original[e.masked] == nil { original[e.masked] = e.original }
        let alternatives = original.keys.sorted { ($0.count, $0) > ($1.count, $1) }.map(NSRegularExpression.escapedPattern(for:))
        let regex = NSRegularExpression.compiled("(?<![\\p{L}\\p{N}_])(?:" + alternatives.joined(separator: "|") + ")(?![\\p{L}\\p{N}_])")
        let ns = text as NSString
        var out = ""
        var position = 0
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: position, length: m.range.location - position))
            let found = ns.substring(with: m.range)
            out += original[found] ?? found
            position = m.range.location + m.range.length
        }
        out += ns.substring(from: position)
        return out
    }
}
