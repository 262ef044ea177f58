/// The checks that tell a real identifier from a number of the same shape: Luhn (card
/// numbers, Canadian SINs), ISO 13616 mod-97 (IBANs), and the SSA's rules for which
/// Social Security numbers are ever issued.
public enum IdentifierChecks {
    /// Luhn's mod-10 check over the digits of `text` (other characters ignored).
    public static func luhn(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 {
                let doubled = d * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += d
            }
        }
        return sum % 10 == 0
    }

    /// IBAN lengths by country (ISO 13616 registry, SEPA and common others); an IBAN of
    /// another length for its country is refused before the checksum.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
        "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
        "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
        "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
        "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
        "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
    ]

    /// ISO 13616: the country's length, then the number (letters as 10-35, the first
    /// four characters moved to the end) mod 97 is 1. Spaces are ignored.
    public static func iban(_ text: String) -> Bool {
        let chars = Array(text.uppercased().filter { $0 != " " })
        guard chars.count >= 15, chars.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        guard let length = ibanLengths[String(chars[0..<2])], length == chars.count else { return false }
        var remainder = 0
        for c in chars[4...] + chars[0..<4] {
            if let d = c.wholeNumberValue {
                remainder = (remainder * 10 + d) % 97
            } else if let ascii = c.asciiValue {
                remainder = (remainder * 100 + Int(ascii) - 55) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }

    /// Whether `area-group-serial` can be an issued SSN: area not 000, 666 or 900-999,
    /// group not 00, serial not 0000.
    public static func ssn(area: Int, group: Int, serial: Int) -> Bool {
        area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// UK National Insurance number prefixes that are never issued.
    static let invalidNINOPrefixes: Set<String> = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"]

    /// A UK National Insurance number: two prefix letters (D, F, I, Q, U, V never; O not
    /// second; the listed pairs never), six digits, suffix A-D. Spaces are ignored.
    public static func nino(_ text: String) -> Bool {
        let c = Array(text.uppercased().filter { $0 != " " })
        guard c.count == 9 else { return false }
        let first = c[0], second = c[1]
        let never: Set<Character> = ["D", "F", "I", "Q", "U", "V"]
        guard first.isLetter, second.isLetter, !never.contains(first), !never.contains(second), second != "O" else { return false }
        guard !invalidNINOPrefixes.contains(String([first, second])) else { return false }
        guard c[2..<8].allSatisfy(\.isNumber), "ABCD".contains(c[8]) else { return false }
        return true
    }
}
