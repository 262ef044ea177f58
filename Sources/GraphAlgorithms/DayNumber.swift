import LexgraphCore

/// Dates as whole day numbers (days since 1970-01-01, proleptic Gregorian), so that the
/// as-of test on every edge of a walk is one integer compare instead of a string compare.
enum DayNumber {
    /// Stands for an open start (`valid_from` NULL): before every day.
    static let openStart = Int32.min
    /// Stands for an open end (`valid_to` NULL): after every day.
    static let openEnd = Int32.max

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    static func of(_ date: LegalDate) -> Int32 {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (date.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + date.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146097 + doe - 719468)
    }

    /// The date of a day number made by `of(_:)`; nil for the open markers.
    static func date(_ day: Int32) -> LegalDate? {
        guard day != openStart, day != openEnd else { return nil }
        let z = Int(day) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return LegalDate(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }
}

/// Which validity ranges count: "as of D" keeps a node or edge when
/// `valid_from <= D < valid_to` (open ends always pass); no date keeps everything,
/// also what has ended.
struct TimeWindow: Sendable {
    let fromLimit: Int32
    let toLimit: Int32

    init(asOf date: LegalDate?) {
        if let date {
            let day = DayNumber.of(date)
            fromLimit = day
            toLimit = day
        } else {
            fromLimit = DayNumber.openEnd
            toLimit = DayNumber.openStart
        }
    }

    @inline(__always)
    func contains(from: Int32, to: Int32) -> Bool {
        from <= fromLimit && toLimit < to
    }
}
