import Foundation

/// Whole-string regular-expression matching for identifier formats, with compiled
/// patterns cached (a load checks tens of thousands of identifiers against a handful of
/// patterns).
enum IdentifierMatcher {
    private static let cache = Cache()

    final class Cache: @unchecked Sendable {
        private var compiled: [String: NSRegularExpression] = [:]
        private let lock = NSLock()

        func regex(_ pattern: String) -> NSRegularExpression? {
            lock.lock()
            defer { lock.unlock() }
            if let r = compiled[pattern] { return r }
            guard let r = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") else { return nil }
            compiled[pattern] = r
            return r
        }
    }

    static func isValidPattern(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: pattern)) != nil
    }

    static func matches(_ text: String, pattern: String) -> Bool {
        guard let regex = cache.regex(pattern) else { return false }
        let range = NSRange(text.startIndex..., in: text)
        return regex.firstMatch(in: text, range: range) != nil
    }
}
