import LexgraphCore

/// Dates as whole day numbers (days since 1970-01-01, proleptic Gregorian), so that the
/// as-of test on every edge of a walk is one integer compare instead of a string compare.
enum DayNumber {
    /// Stands for an open start (`valid_from` NULL): before every day.
    static let openStart = Int32.min
    /// Stands for an open end (`valid_to` NULL): after every day.
    static let openEnd = Int32.max

    /// Days since 1970-01-01.
    static func of(_ date: LegalDate) -> Int32 {
        Int32(CivilCalendar.dayNumber(year: Int64(date.year), month: Int64(date.month), day: Int64(date.day)))
    }

    /// The date of a day number made by `of(_:)`; nil for the open markers.
    static func date(_ day: Int32) -> LegalDate? {
        guard day != openStart, day != openEnd else { return nil }
        let (y, m, d) = CivilCalendar.date(dayNumber: Int64(day))
        return LegalDate(year: Int(y), month: Int(m), day: Int(d))
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
