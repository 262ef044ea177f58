import LexgraphCore

extension LegalDate {
    /// The calendar day before this one. Grounding walks the graph as of the day before
    /// the as-of date, so that nothing dated on the as-of date itself (the graph's
    /// "as of D" includes D) can reach a case's context.
    public var dayBefore: LegalDate {
        if day > 1 { return LegalDate(year: year, month: month, day: day - 1) ?? self }
        if month > 1 { return LegalDate(year: year, month: month - 1, day: LegalDate.daysIn(month: month - 1, year: year)) ?? self }
        return LegalDate(year: year - 1, month: 12, day: 31) ?? self
    }
}

extension Array where Element == LegalDate {
    /// In an ascending array: how many dates are strictly before `date`.
    func countBefore(_ date: LegalDate) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < date { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
