import Foundation

/// The identifiers with a fixed shape: e-mail addresses, phone numbers, SSNs and other
/// national ids, IBANs and cue-introduced bank accounts, card numbers, dates of birth,
/// docket numbers and street addresses. A shape alone is not enough where a checksum
/// exists (cards: Luhn; IBANs: mod-97; SSNs: the never-issued ranges; Canadian SINs:
/// Luhn; UK NI numbers: prefix rules); dates count as birth dates only after a cue.
struct PatternDetector {
    private static let month = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?"
    private static let date = "(?:\(month)\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?\(month),?\\s+\\d{4}|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2})"

    static let email = NSRegularExpression.compiled("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}")
    static let ssnDashed = NSRegularExpression.compiled("(?<![\\d-])(\\d{3})[- ](\\d{2})[- ](\\d{4})(?![\\d-])")
    static let ssnCued = NSRegularExpression.compiled("\\b(?:SSN|social\\s+security\\s+(?:number|no\\.?|#))\\s*(?:is|of|:|#)?\\s*(\\d{3})(\\d{2})(\\d{4})\\b", caseInsensitive: true)
    static let card = NSRegularExpression.compiled("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])")
    static let iban = NSRegularExpression.compiled("\\b[A-Z]{2}\\d{2}(?:[ ]?[A-Z0-9]){11,30}\\b")
    static let accountCued = NSRegularExpression.compiled("\\b(?:bank\\s+)?(?:account|acct\\.?)\\s*(?:number|no\\.?|#)?\\s*(?:is|:)?\\s*(\\d{6,17})\\b", caseInsensitive: true)
    static let sin = NSRegularExpression.compiled("(?<![\\d-])\\d{3}[ -]\\d{3}[ -]\\d{3}(?![\\d-])")
    static let nino = NSRegularExpression.compiled("\\b[A-Z]{2}\\s?\\d{2}\\s?\\d{2}\\s?\\d{2}\\s?[A-D]\\b")
    /// North American numbers ("(312) 997-8000", "415-427-4015", "1-800-778-7879"; one
    /// separator throughout, so "DFARS 252.227-7015" is not one) and international ones
    /// ("+49 69 667747 95412", "(+972) 3-607-4444"), with ordinary or no-break spaces.
    static let phone = NSRegularExpression.compiled(
        "(?<![\\w.-])(?:\\+?1([-. ]?))?(?:\\(\\d{3}\\)[ \\u00A0]?\\d{3}[-. ]|\\d{3}([-. ])\\d{3}\\2)\\d{4}(?![\\w-])"
        + "|(?<![\\w+])(?:\\+\\d{1,3}|\\(\\+\\d{1,3}\\))(?:[ \\u00A0-]?\\(?\\d{1,4}\\)?)(?:[ \\u00A0-]?\\d{2,6}){1,4}(?!\\w)")
    static let birthDate = NSRegularExpression.compiled("\\b(?:born(?:\\s+on)?|date\\s+of\\s+birth|birth\\s*date|d\\.o\\.b\\.?|dob)\\s*(?:is|was|:|,)?\\s*(\(date))", caseInsensitive: true)
    static let docket = NSRegularExpression.compiled("\\b(?:Docket|Case|Civil\\s+Action|Criminal\\s+Action|Index|Cause)\\s+(?:No|Number)\\.?\\s*((?:\\d{1,2}:)?\\d{2,4}-(?:[A-Za-z]{1,4}-)?\\d{1,6}(?:-[A-Z]{1,4})*|\\d{4,9})\\b|\\b(\\d:\\d{2}-(?:cv|cr|mj|bk|mc)-\\d{3,6}(?:-[A-Z]{1,4})*)\\b|(?<!Order )(?<!L\\. )\\bNos?\\.\\s*((?:\\d{1,2}:)?\\d{2,4}-(?:[A-Za-z]{1,4}-)?\\d{1,6}(?:-[A-Z]{1,4})*)\\b")
    /// "1973 Supreme Court decision" has the shape of "12 Oak Court": a court's name is not an address.
    static let courtName = NSRegularExpression.compiled("\\b(?:Supreme|District|Circuit|Appeals|Superior|County|State|Federal|Municipal|Family|Tax|Bankruptcy|Claims|Juvenile|Probate|Trial|High|Appellate)\\s+(?:Court|Ct\\.?)(?![A-Za-z])", caseInsensitive: true)
    /// State names that end an address line ("Boston, Massachusetts 02109").
    private static let usStates = "(?:Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia)"
    /// A street line ("1100 North Market Street", "One Baxter Parkway", with a suite or
    /// floor) and what follows it on the envelope: city, state (two letters or the
    /// name) and ZIP code, with or without commas.
    static let street = NSRegularExpression.compiled("\\b(?:\\d{1,6}|One|Two)\\s+(?:[NSEW]\\.?\\s+)?(?:[A-Z][A-Za-z'-]*\\.?\\s+){1,4}(?:Street|St\\.?|Avenue|Ave\\.?|Road|Rd\\.?|Boulevard|Blvd\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Court|Ct\\.?|Place|Pl\\.?|Way|Terrace|Parkway|Pkwy\\.?|Highway|Hwy\\.?|Circle|Square)(?![A-Za-z])(?:,?\\s+(?:(?:Apt\\.?|Apartment|Suite|Ste\\.?|Unit|#)\\s*[A-Za-z0-9-]+|\\d{1,3}(?:st|nd|rd|th)\\s+[Ff]loor))?(?:,?\\s+[A-Z][a-z]+(?:\\s[A-Z][a-z]+){0,2}(?=,?\\s+(?:[A-Z]{2}\\b|\(usStates))))?(?:,?\\s+(?:[A-Z]{2}\\b|\(usStates))(?:,?\\s+\\d{5}(?:-\\d{4})?)?|,\\s*[A-Z][a-z]+(?:\\s[A-Z][a-z]+){0,2})?")
    static let poBox = NSRegularExpression.compiled("\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d+\\b", caseInsensitive: true)

    func detect(in text: ScalarText, enabled: Set<EntityType>) -> [DetectedEntity] {
        var found: [DetectedEntity] = []
        func add(_ type: EntityType, _ range: Range<Int>?) {
            guard let range, enabled.contains(type), !range.isEmpty else { return }
            found.append(DetectedEntity(type: type, start: range.lowerBound, end: range.upperBound))
        }
        for m in text.matches(Self.email) { add(.email, m[0]) }
        for m in text.matches(Self.ssnDashed) + text.matches(Self.ssnCued) {
            guard let a = m[1], let g = m[2], let s = m[3],
                  let area = Int(text.text(a)), let group = Int(text.text(g)), let serial = Int(text.text(s)) else { continue }
            if IdentifierChecks.ssn(area: area, group: group, serial: serial) { add(.ssn, a.lowerBound..<s.upperBound) }
        }
        for m in text.matches(Self.card) {
            guard let r = m[0] else { continue }
            let digits = text.text(r).filter(\.isNumber)
            if (13...19).contains(digits.count), IdentifierChecks.luhn(digits) { add(.card, r) }
        }
        for m in text.matches(Self.iban) {
            guard let r = m[0] else { continue }
            // The greedy match may run into a following word; trim back to a valid IBAN.
            var end = r.upperBound
            while end - r.lowerBound >= 15 {
                if IdentifierChecks.iban(text.text(r.lowerBound..<end)) { add(.bankAccount, r.lowerBound..<end); break }
                end -= 1
            }
        }
        for m in text.matches(Self.accountCued) { add(.bankAccount, m[1]) }
        for m in text.matches(Self.sin) {
            guard let r = m[0] else { continue }
            if IdentifierChecks.luhn(text.text(r)) { add(.nationalID, r) }
        }
        for m in text.matches(Self.nino) {
            guard let r = m[0] else { continue }
            if IdentifierChecks.nino(text.text(r)) { add(.nationalID, r) }
        }
        for m in text.matches(Self.phone) { add(.phone, m[0]) }
        for m in text.matches(Self.birthDate) { add(.dateOfBirth, m[1]) }
        for m in text.matches(Self.docket) { add(.docket, m[1] ?? m[2] ?? m[3]) }
        for m in text.matches(Self.street) {
            guard let r = m[0] else { continue }
            if text.text(r).range(of: Self.courtName.pattern, options: [.regularExpression, .caseInsensitive]) == nil { add(.address, r) }
        }
        for m in text.matches(Self.poBox) { add(.address, m[0]) }
        return found
    }
}
