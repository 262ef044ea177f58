import Foundation

extension LegalDate {
    /// Today's date in UTC: the default "as of" of status checks made now.
    public static var today: LegalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return LegalDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? LegalDate(year: 1970, month: 1, day: 1)!
    }
}
