import Foundation
import LexgraphCore

/// openCypher's instant types: `date`, `localtime`, `time`, `localdatetime` and
/// `datetime` (durations and named time zones are not supported; offsets are).
///
/// Values are held as a proleptic Gregorian day number (days since 1970-01-01), the
/// nanoseconds of the day and a UTC offset in seconds, each present only for the kinds
/// that have it. Comparison is within one kind: `time` and `datetime` compare by the
/// instant (UTC), the local kinds by their fields. Text form is what Neo4j and the TCK
/// print: `1984-10-11`, `10:35`, `12:31:14.645876123+01:00`, `...Z` for offset zero.
public struct CypherTemporal: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case date = "Date"
        case localTime = "LocalTime"
        case time = "Time"
        case localDateTime = "LocalDateTime"
        case dateTime = "DateTime"

        var hasDate: Bool { self == .date || self == .localDateTime || self == .dateTime }
        var hasTime: Bool { self != .date }
        var hasOffset: Bool { self == .time || self == .dateTime }
    }

    public let kind: Kind
    /// Days since 1970-01-01 (0 for the time-only kinds).
    public let day: Int64
    /// Nanoseconds since midnight (0 for `date`).
    public let nanosecond: Int64
    /// Offset from UTC in seconds (0 for the local kinds).
    public let offsetSeconds: Int32

    static let nanosPerSecond: Int64 = 1_000_000_000
    static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    init(kind: Kind, day: Int64 = 0, nanosecond: Int64 = 0, offsetSeconds: Int32 = 0) {
        self.kind = kind
        self.day = kind.hasDate ? day : 0
        self.nanosecond = kind.hasTime ? nanosecond : 0
        self.offsetSeconds = kind.hasOffset ? offsetSeconds : 0
    }

    // MARK: Calendar

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 { CivilCalendar.dayNumber(year: year, month: month, day: day) }
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) { CivilCalendar.date(dayNumber: days) }
    static func daysInMonth(year: Int64, month: Int64) -> Int64 { CivilCalendar.daysInMonth(year: year, month: month) }

    // MARK: Components

    public var year: Int64? { kind.hasDate ? Self.civil(day).year : nil }
    public var month: Int64? { kind.hasDate ? Self.civil(day).month : nil }
    public var dayOfMonth: Int64? { kind.hasDate ? Self.civil(day).day : nil }

    /// The value of a component property (`d.year`, `t.hour`, ...), nil when this kind has
    /// no such component.
    public func component(_ name: String) -> CypherValue? {
        let date = kind.hasDate ? Self.civil(day) : nil
        let seconds = nanosecond / Self.nanosPerSecond
        switch name {
        case "year": return date.map { .int($0.year) }
        case "month": return date.map { .int($0.month) }
        case "day": return date.map { .int($0.day) }
        case "hour": return kind.hasTime ? .int(seconds / 3600) : nil
        case "minute": return kind.hasTime ? .int(seconds / 60 % 60) : nil
        case "second": return kind.hasTime ? .int(seconds % 60) : nil
        case "millisecond": return kind.hasTime ? .int(nanosecond % Self.nanosPerSecond / 1_000_000) : nil
        case "microsecond": return kind.hasTime ? .int(nanosecond % Self.nanosPerSecond / 1000) : nil
        case "nanosecond": return kind.hasTime ? .int(nanosecond % Self.nanosPerSecond) : nil
        case "offsetSeconds": return kind.hasOffset ? .int(Int64(offsetSeconds)) : nil
        case "offset", "timezone": return kind.hasOffset ? .string(Self.offsetText(offsetSeconds)) : nil
        default: return nil
        }
    }

    // MARK: Comparison

    /// The key instants of one kind compare by: UTC for `time`/`datetime`, local fields
    /// otherwise. `(seconds, nanoseconds)` so that 9999-12-31 does not overflow.
    var instant: (Int64, Int64) {
        let offsetNanos = Int64(offsetSeconds) * Self.nanosPerSecond
        let n = nanosecond - offsetNanos
        let secondsOfDay = n >= 0 ? n / Self.nanosPerSecond : -((-n + Self.nanosPerSecond - 1) / Self.nanosPerSecond)
        let fraction = n - secondsOfDay * Self.nanosPerSecond
        return (day * 86_400 + secondsOfDay, fraction)
    }

    /// Orders two values of the same kind; nil for different kinds (not comparable).
    func compare(_ other: CypherTemporal) -> ComparisonResult? {
        guard kind == other.kind else { return nil }
        let a = instant, b = other.instant
        if a != b { return a < b ? .orderedAscending : .orderedDescending }
        // Same instant, different offsets: a total order still needs a tie-break.
        if offsetSeconds != other.offsetSeconds { return offsetSeconds < other.offsetSeconds ? .orderedAscending : .orderedDescending }
        return .orderedSame
    }

    // MARK: Text

    /// The TCK/Neo4j text form.
    public var text: String {
        var out = ""
        if kind.hasDate {
            let (y, m, d) = Self.civil(day)
            out += Self.yearText(y) + "-" + Self.two(m) + "-" + Self.two(d)
        }
        if kind.hasTime {
            if kind.hasDate { out += "T" }
            let seconds = nanosecond / Self.nanosPerSecond, fraction = nanosecond % Self.nanosPerSecond
            out += Self.two(seconds / 3600) + ":" + Self.two(seconds / 60 % 60)
            if seconds % 60 != 0 || fraction != 0 { out += ":" + Self.two(seconds % 60) }
            if fraction != 0 {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 9 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                out += "." + digits
            }
        }
        if kind.hasOffset { out += Self.offsetText(offsetSeconds) }
        return out
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func yearText(_ y: Int64) -> String {
        if (0...9999).contains(y) { let s = String(y); return String(repeating: "0", count: 4 - s.count) + s }
        return (y < 0 ? "-" : "+") + String(abs(y))
    }

    static func offsetText(_ seconds: Int32) -> String {
        if seconds == 0 { return "Z" }
        let a = abs(Int64(seconds))
        var out = (seconds < 0 ? "-" : "+") + two(a / 3600) + ":" + two(a / 60 % 60)
        if a % 60 != 0 { out += ":" + two(a % 60) }
        return out
    }
}

// MARK: - Construction

/// Why a temporal value could not be built; the caller turns it into a positioned error.
struct TemporalError: Error {
    let message: String
}

extension CypherTemporal {
    /// `date({year: 1984, month: 10, day: 11})`, `localtime({hour: 12, minute: 31})`,
    /// `datetime({..., timezone: '+01:00'})`: calendar-date and clock-time fields only.
    static func from(map: [String: CypherValue], kind: Kind) throws -> CypherTemporal {
        var allowed: Set<String> = []
        if kind.hasDate { allowed.formUnion(["year", "month", "day"]) }
        if kind.hasTime { allowed.formUnion(["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"]) }
        if kind.hasOffset { allowed.insert("timezone") }
        if let unknown = map.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw TemporalError(message: "\(kind.rawValue.lowercased())() does not take the field '\(unknown)' (fields: \(allowed.sorted().joined(separator: ", ")))")
        }
        func int(_ key: String, default value: Int64, _ range: ClosedRange<Int64>) throws -> Int64 {
            guard let v = map[key], !v.isNull else { return value }
            guard case .int(let i) = v else { throw TemporalError(message: "field '\(key)' must be an Integer, got \(v.typeName)") }
            guard range.contains(i) else { throw TemporalError(message: "field '\(key)' = \(i) is outside \(range.lowerBound)...\(range.upperBound)") }
            return i
        }
        var day: Int64 = 0
        if kind.hasDate {
            guard map["year"] != nil else { throw TemporalError(message: "\(kind.rawValue.lowercased())() needs at least the field 'year'") }
            let y = try int("year", default: 0, -999_999_999...999_999_999)
            let m = try int("month", default: 1, 1...12)
            let d = try int("day", default: 1, 1...31)
            guard d <= daysInMonth(year: y, month: m) else { throw TemporalError(message: "\(y)-\(two(m)) has no day \(d)") }
            day = days(year: y, month: m, day: d)
        }
        var nanos: Int64 = 0
        if kind.hasTime {
            let h = try int("hour", default: 0, 0...23), mi = try int("minute", default: 0, 0...59), s = try int("second", default: 0, 0...59)
            let ms = try int("millisecond", default: 0, 0...999), us = try int("microsecond", default: 0, 0...999_999)
            let ns = try int("nanosecond", default: 0, 0...999_999_999)
            // Given together, each smaller field counts below the larger one (Neo4j's rule).
            if map["millisecond"] != nil, us >= 1000 || (map["microsecond"] == nil && ns >= 1_000_000) {
                throw TemporalError(message: "with 'millisecond' given, 'microsecond' must be below 1000 and 'nanosecond' below 1000000")
            }
            if map["microsecond"] != nil, ns >= 1000 {
                throw TemporalError(message: "with 'microsecond' given, 'nanosecond' must be below 1000")
            }
            nanos = ((h * 60 + mi) * 60 + s) * nanosPerSecond + ms * 1_000_000 + us * 1000 + ns
        }
        var offset: Int32 = 0
        if kind.hasOffset, let tz = map["timezone"], !tz.isNull {
            guard case .string(let text) = tz else { throw TemporalError(message: "field 'timezone' must be a String like '+01:00', got \(tz.typeName)") }
            offset = try parseOffset(Substring(text))
        }
        return CypherTemporal(kind: kind, day: day, nanosecond: nanos, offsetSeconds: offset)
    }

    /// ISO 8601 text of the kind: `2015-07-21`, `21:40:32.142`, `21:40:32+01:00`,
    /// `2015-07-21T21:40`, `2015-07-21T21:40:32.142Z`. Local kinds refuse an offset,
    /// offset kinds default to UTC without one.
    static func parse(_ text: String, kind: Kind) throws -> CypherTemporal {
        func fail() -> TemporalError { TemporalError(message: "'\(text)' is not an ISO \(kind.rawValue.lowercased()) (e.g. \(example(kind)))") }
        var rest = Substring(text)
        var day: Int64 = 0
        if kind.hasDate {
            let datePart: Substring
            if let t = rest.firstIndex(of: "T") { datePart = rest[..<t]; rest = rest[rest.index(after: t)...] } else { datePart = rest; rest = "" }
            let fields = datePart.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
                  let y = Int64(fields[0]), let m = Int64(fields[1]), let d = Int64(fields[2]),
                  (1...12).contains(m), d >= 1, d <= daysInMonth(year: y, month: m) else { throw fail() }
            day = days(year: y, month: m, day: d)
            if kind == .date { guard rest.isEmpty else { throw fail() } }
        }
        var nanos: Int64 = 0, offset: Int32 = 0
        if kind.hasTime {
            var clock = rest
            if let z = rest.firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
                guard kind.hasOffset else { throw fail() }
                clock = rest[..<z]
                offset = try parseOffset(rest[z...])
            }
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count), parts[0].count == 2, parts[1].count == 2,
                  let h = Int64(parts[0]), let mi = Int64(parts[1]), (0...23).contains(h), (0...59).contains(mi) else { throw fail() }
            var s: Int64 = 0, fraction: Int64 = 0
            if parts.count == 3 {
                let sec = parts[2].split(separator: ".", omittingEmptySubsequences: false)
                guard (1...2).contains(sec.count), sec[0].count == 2, let sv = Int64(sec[0]), (0...59).contains(sv) else { throw fail() }
                s = sv
                if sec.count == 2 {
                    guard (1...9).contains(sec[1].count), let f = Int64(sec[1]) else { throw fail() }
                    fraction = f * Int64(pow(10.0, Double(9 - sec[1].count)))
                }
            }
            nanos = ((h * 60 + mi) * 60 + s) * nanosPerSecond + fraction
        }
        return CypherTemporal(kind: kind, day: day, nanosecond: nanos, offsetSeconds: offset)
    }

    /// `Z`, `+01:00`, `-08:00`, `+0530`, `+05`.
    static func parseOffset(_ text: Substring) throws -> Int32 {
        if text == "Z" { return 0 }
        func fail() -> TemporalError { TemporalError(message: "'\(text)' is not a UTC offset like '+01:00' or 'Z' (named time zones are not supported)") }
        guard let sign = text.first, sign == "+" || sign == "-" else { throw fail() }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard [2, 4].contains(digits.count), digits.allSatisfy(\.isASCII), let value = Int32(digits) else { throw fail() }
        let h = digits.count == 2 ? value : value / 100, m = digits.count == 2 ? 0 : value % 100
        guard h <= 18, m < 60 else { throw fail() }
        return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
    }

    static func example(_ kind: Kind) -> String {
        switch kind {
        case .date: return "'2015-07-21'"
        case .localTime: return "'21:40:32.142'"
        case .time: return "'21:40:32+01:00'"
        case .localDateTime: return "'2015-07-21T21:40:32'"
        case .dateTime: return "'2015-07-21T21:40:32Z'"
        }
    }
}
