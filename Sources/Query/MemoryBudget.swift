import Foundation

/// The memory one query may hold in Swift values, and the account of what it holds.
///
/// SQLite keeps its own memory bounded (its page cache); what grows with a query is
/// what the Swift side materialises: the bag of rows between clauses, aggregates
/// (`collect`), lists from `range()` and comprehensions, strings from concatenation and
/// `replace()`, the per-query cache of element properties. Sizes are estimates of the
/// Swift storage (enum payloads, array and dictionary buffers, string bytes), not
/// malloc's real numbers: within a small factor, which is what a limit needs.
///
/// Three parts are counted, and their sum must stay under `limit`:
/// - `held`: the rows of the running clause (its input bag and its output so far) and its
///   aggregates. Storage shared between rows (a list passed through `WITH`, copied by
///   `UNWIND` into every row) is counted once: buffers are recognised by address. At each
///   clause boundary the account restarts from the new bag (the old one is freed).
/// - `pinned`: caches that live for the whole query.
/// - `transient`: what the evaluation of the current row has built so far (lists,
///   strings); it is dropped when the row is done, and a loop inside an expression keeps
///   only what its items still hold (see `keeping`).
///
/// A request is checked before the allocation wherever the size is known up front
/// (`range()` knows its length, concatenation and `replace()` their result's bound), so
/// an oversized request fails without growing the process.
final class MemoryBudget {
    let limit: Int
    private(set) var held = 0
    private(set) var pinned = 0
    /// Bytes built by the row being evaluated; reset by `endRow()`.
    var transient = 0
    /// Addresses of the shared buffers already in `held`, with the nesting height of the
    /// value each holds (so a buffer met again deeper in another value is still checked
    /// against `maxValueDepth`).
    private var counted: [UnsafeRawPointer: Int] = [:]

    init(limit: Int) { self.limit = limit }

    static let valueStride = MemoryLayout<CypherValue>.stride
    /// Array and string buffers carry a header (object header, count, capacity).
    static let bufferHeader = 32
    /// Below this, a buffer is counted every time it is seen rather than looked up: the
    /// lookup would cost more than the overcount, and the address set stays small.
    static let sharedThreshold = 256

    var used: Int { held + pinned + transient }

    /// Room for `bytes` more that the current row builds, checked before they are allocated.
    func reserve(_ bytes: Int) throws {
        transient += bytes
        try check(needing: bytes)
    }

    /// Adds storage that lives until the query ends (caches).
    func pin(_ bytes: Int) throws {
        pinned += bytes
        try check(needing: bytes)
    }

    /// The current row is done: what it built is either kept (`keep`) or garbage.
    func endRow() { transient = 0 }

    /// Counts a row the clause keeps: its dictionary and the storage of its values that
    /// is not counted yet.
    func keep(row: Bindings) throws {
        var bytes = MemoryBudget.dictionaryBytes(count: row.count)
        for value in row.values { bytes += try newBytes(value) }
        try hold(bytes)
    }

    /// Counts a row that is a counted row plus `value` (UNWIND): only the new parts.
    func keep(row: Bindings, adding value: CypherValue) throws {
        try hold(MemoryBudget.dictionaryBytes(count: row.count) + (try newBytes(value)))
    }

    /// Counts a row of values the clause keeps (projected rows, group keys).
    func keep(values: [CypherValue]) throws {
        var bytes = MemoryBudget.listBytes(count: values.count)
        for value in values { bytes += try newBytes(value) }
        try hold(bytes)
    }

    /// Counts one value an aggregate keeps.
    func keep(value: CypherValue) throws {
        try hold(MemoryBudget.valueStride + (try newBytes(value)))
    }

    private func hold(_ bytes: Int) throws {
        held += bytes
        try check(needing: bytes)
    }

    /// A new clause's bag replaces the old one: the account restarts from `rows`.
    func restart(with rows: [Bindings]) throws {
        held = 0
        transient = 0
        counted.removeAll(keepingCapacity: true)
        held += MemoryBudget.bufferHeader + rows.count * MemoryLayout<Bindings>.stride
        for row in rows { try keep(row: row) }
    }

    /// Same, for a bag of value rows (a RETURN's result, a pushed-down projection).
    func restart(with rows: [[CypherValue]]) throws {
        held = 0
        transient = 0
        counted.removeAll(keepingCapacity: true)
        held += MemoryBudget.listBytes(count: rows.count)
        for row in rows { try keep(values: row) }
    }

    /// Evaluates `body` for one item of a loop inside an expression and keeps, of what it
    /// built, no more than its result's size: the rest was garbage of the item.
    func keeping(_ body: () throws -> CypherValue) throws -> CypherValue {
        let mark = transient
        let value = try body()
        let built = transient - mark
        if built > 0 { transient = mark + MemoryBudget.size(of: value, atMost: built) }
        return value
    }

    func check(needing bytes: Int) throws {
        if used > limit { throw QueryError.memoryLimit(limit, needed: bytes, used: used - bytes) }
    }

    // MARK: Sizes

    /// The deepest nesting of lists and maps a value the query holds may have. Every pass
    /// over a value (this account, comparing, hashing, printing, and Swift releasing it)
    /// recurses once per level, so an unbounded depth (`WITH [x] AS x` repeated 60,000
    /// times) overflows the stack. Values are checked whenever a clause keeps them; one
    /// clause can add at most `QueryLimits.maxExpressionDepth` levels on top, so no value
    /// ever nests deeper than about 1,500 levels, a few hundred kilobytes of stack.
    static let maxValueDepth = 1_000

    /// The heap storage reachable from `value` that is not counted yet (its own inline
    /// `valueStride` is its container's); registers the shared buffers it counts. Throws
    /// when the value nests deeper than `maxValueDepth`, before recursing any deeper.
    func newBytes(_ value: CypherValue) throws -> Int {
        try measure(value, level: 1).bytes
    }

    /// `level` is the nesting of `value` within the value being kept (1 at the top);
    /// `height` the nesting within `value` (1 for a list of scalars).
    private func measure(_ value: CypherValue, level: Int) throws -> (bytes: Int, height: Int) {
        switch value {
        case .string(let s):
            let n = s.utf8.count
            guard n > 15 else { return (0, 0) }  // small strings live inline
            if n + MemoryBudget.bufferHeader >= MemoryBudget.sharedThreshold,
               let address = s.utf8.withContiguousStorageIfAvailable({ $0.baseAddress.map(UnsafeRawPointer.init) }) ?? nil {
                if counted[address] != nil { return (0, 0) }
                counted[address] = 0
            }
            return (n + MemoryBudget.bufferHeader, 0)
        case .list(let items):
            guard !items.isEmpty else { return (0, 1) }
            guard level <= MemoryBudget.maxValueDepth else { throw QueryError.valueTooDeep }
            let own = MemoryBudget.bufferHeader + items.count * MemoryBudget.valueStride
            var shared: UnsafeRawPointer?
            if own >= MemoryBudget.sharedThreshold,
               let address = items.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) }) {
                if let height = counted[address] {
                    guard level - 1 + height <= MemoryBudget.maxValueDepth else { throw QueryError.valueTooDeep }
                    return (0, height)
                }
                shared = address
            }
            var bytes = own, height = 0
            for item in items {
                let inner = try measure(item, level: level + 1)
                bytes += inner.bytes
                height = max(height, inner.height)
            }
            if let shared { counted[shared] = height + 1 }
            return (bytes, height + 1)
        case .map(let m):
            guard !m.isEmpty else { return (0, 1) }
            guard level <= MemoryBudget.maxValueDepth else { throw QueryError.valueTooDeep }
            var bytes = MemoryBudget.dictionaryBytes(count: m.count), height = 0
            for (k, v) in m {
                let inner = try measure(v, level: level + 1)
                bytes += (k.utf8.count > 15 ? k.utf8.count + MemoryBudget.bufferHeader : 0) + inner.bytes
                height = max(height, inner.height)
            }
            return (bytes, height + 1)
        case .path(let nodes, let relationships):
            return (2 * MemoryBudget.bufferHeader + 8 * (nodes.count + relationships.count), 1)
        case .null, .bool, .int, .float, .node, .relationship, .temporal:
            return (0, 0)
        }
    }

    /// The heap storage reachable from `value`, shared or not, as far as `limit`: the walk
    /// stops there, so a loop pays for no more than it built.
    static func size(of value: CypherValue, atMost limit: Int) -> Int {
        var total = 0
        func walk(_ v: CypherValue) {
            guard total < limit else { return }
            switch v {
            case .string(let s):
                let n = s.utf8.count
                if n > 15 { total += n + bufferHeader }
            case .list(let items):
                guard !items.isEmpty else { return }
                total += bufferHeader + items.count * valueStride
                for item in items {
                    walk(item)
                    if total >= limit { return }
                }
            case .map(let m):
                total += dictionaryBytes(count: m.count)
                for v in m.values { walk(v) }
            case .path(let nodes, let relationships):
                total += 2 * bufferHeader + 8 * (nodes.count + relationships.count)
            case .null, .bool, .int, .float, .node, .relationship, .temporal:
                break
            }
        }
        walk(value)
        return min(total, limit)
    }

    /// A dictionary's buffer with String keys: a header, and buckets at most 3/4 full
    /// holding a key, a value and a bit of metadata each. (Keys are variable names and
    /// map keys, short enough to live inline.)
    static func dictionaryBytes(count: Int) -> Int {
        guard count > 0 else { return 0 }
        return 48 + count * (MemoryLayout<String>.stride + valueStride) * 4 / 3
    }

    /// The bytes of a list of `count` values.
    static func listBytes(count: Int) -> Int { bufferHeader + count * valueStride }

    /// The bytes of a string of `utf8Count` UTF-8 bytes.
    static func stringBytes(utf8Count: Int) -> Int { utf8Count > 15 ? utf8Count + bufferHeader : 0 }
}

/// Memory sizes as the CLI reads them and messages print them.
public enum MemorySize {
    /// Reads a size such as `512M`, `2G`, `1.5GB`, `64MiB` or `1048576` (bytes). K, M and
    /// G are powers of 1024, with or without a trailing `B` or `iB`. Nil when it is not one.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let k = 1024.0, m = k * k, g = m * k
        let units: [(String, Double)] = [("KIB", k), ("MIB", m), ("GIB", g), ("KB", k), ("MB", m), ("GB", g),
                                         ("K", k), ("M", m), ("G", g), ("B", 1)]
        var number = t, scale = 1.0
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }),
              let value = Double(number), value.isFinite else { return nil }
        let bytes = (value * scale).rounded()
        guard bytes > -9e18, bytes < 9e18 else { return nil }
        return Int(bytes)
    }

    /// `1 GiB`, `64 MiB`, `1.5 GiB`, `512 KiB`, `100 B`: for messages.
    public static func describe(_ bytes: Int) -> String {
        let units: [(String, Double)] = [("GiB", Double(1 << 30)), ("MiB", Double(1 << 20)), ("KiB", 1024)]
        for (name, factor) in units where Double(bytes) >= factor {
            let v = Double(bytes) / factor
            return (v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)) + " " + name
        }
        return "\(bytes) B"
    }
}

extension QueryError {
    static let valueTooDeep = QueryError(.memoryLimit, "ValueTooDeep",
        "a value nests lists or maps more than \(MemoryBudget.maxValueDepth) levels deep; the engine holds no deeper values")

    static func memoryLimit(_ limit: Int, needed: Int, used: Int) -> QueryError {
        QueryError(.memoryLimit, "MemoryLimit",
                   "the query needs more than its memory limit of \(MemorySize.describe(limit)) "
                   + "(it holds about \(MemorySize.describe(max(0, used))) and asked for \(MemorySize.describe(needed)) more); "
                   + "narrow it or raise the limit (--memory-limit, QueryOptions.memoryLimit)")
    }
}
