import Crypto
import Foundation

/// Consistent fictional substitutes: each original maps to a stand-in that is a
/// function of the seed and the original alone (HMAC-SHA256), so the same person gets
/// the same substitute in every document and every run of a corpus with that seed.
/// Names are replaced word by word (given names from given names, surnames from
/// surnames), so "John Smith", "Mr. Smith" and "Smith" stay one person; numbers keep
/// their shape but are drawn from ranges that are never issued (SSN area 9xx, card
/// prefix 0000, IBAN country XX, phone exchange 555-01xx).
struct Substitutes {
    private let key: SymmetricKey
    /// substitute → original, per kind, to keep two originals from sharing a stand-in.
    private var taken: [String: [String: String]] = [:]
    /// original → substitute, per kind (what makes repeats consistent within a run
    /// even when a collision moved one to a second choice).
    private var chosen: [String: [String: String]] = [:]

    init(seed: String) {
        key = SymmetricKey(data: Data(SHA256.hash(data: Data(("lexgraph-substitutes:" + seed).utf8))))
    }

    /// Carries the mapping of an earlier run (from its vault) into this one.
    mutating func remember(kind: String, original: String, substitute: String) {
        chosen[kind, default: [:]][original] = substitute
        taken[kind, default: [:]][substitute] = original
    }

    private func digest(_ kind: String, _ original: String, _ attempt: Int) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data("\(kind)\u{0}\(original)\u{0}\(attempt)".utf8), using: key))
    }

    /// The stand-in for `original` of `kind`, made by `make` from a digest; a
    /// collision with another original's stand-in, or with the original itself, draws again.
    private mutating func substitute(_ kind: String, _ original: String, _ make: ([UInt8]) -> String) -> String {
        if let known = chosen[kind]?[original] { return known }
        var attempt = 0
        while true {
            let candidate = make(digest(kind, original, attempt))
            if candidate.lowercased() != original.lowercased(), taken[kind]?[candidate] == nil {
                remember(kind: kind, original: original, substitute: candidate)
                return candidate
            }
            attempt += 1
        }
    }

    private static func number(_ d: [UInt8], _ offset: Int) -> Int {
        Int(d[offset % d.count]) << 16 | Int(d[(offset + 1) % d.count]) << 8 | Int(d[(offset + 2) % d.count])
    }

    private static func digits(_ d: [UInt8], count: Int, from offset: Int = 0) -> String {
        String((0..<count).map { i in Character(String(Int(d[(offset + i) % d.count]) % 10)) })
    }

    static let givenPool = NameLexicon.substituteGiven
    static let surnamePool = NameLexicon.substituteSurnames

    /// One word of a person's name: `given` for a first or middle name.
    mutating func nameWord(_ word: String, given: Bool) -> String {
        let lower = word.lowercased()
        let pool = given ? Self.givenPool : Self.surnamePool
        let replacement = substitute(given ? "given" : "surname", lower) { d in pool[Self.number(d, 0) % pool.count] }
        return Self.shaped(replacement, like: word)
    }

    /// "JOHN" → "PAUL", "John" → "Paul".
    static func shaped(_ word: String, like original: String) -> String {
        let letters = original.filter(\.isLetter)
        if letters.count > 1, letters.allSatisfy(\.isUppercase) { return word.uppercased() }
        return word.prefix(1).uppercased() + word.dropFirst().lowercased()
    }

    mutating func email(_ original: String) -> String {
        substitute("email", original.lowercased()) { d in
            let user = Self.surnamePool[Self.number(d, 0) % Self.surnamePool.count].lowercased()
            return "\(user).\(Self.digits(d, count: 4, from: 3))@example.org"
        }
    }

    mutating func phone(_ original: String) -> String {
        substitute("phone", original.filter(\.isNumber)) { d in
            "(\(200 + Self.number(d, 0) % 800)) 555-01\(Self.digits(d, count: 2, from: 4))"
        }
    }

    mutating func ssn(_ original: String) -> String {
        substitute("ssn", original.filter(\.isNumber)) { d in
            "9\(Self.digits(d, count: 2))-\(Self.digits(d, count: 2, from: 2))-\(Self.digits(d, count: 4, from: 4))"
        }
    }

    mutating func card(_ original: String) -> String {
        substitute("card", original.filter(\.isNumber)) { d in
            var body = "0000" + Self.digits(d, count: 11)
            for check in 0...9 where IdentifierChecks.luhn(body + String(check)) { body += String(check); break }
            return stride(from: 0, to: 16, by: 4).map { i in String(Array(body)[i..<i + 4]) }.joined(separator: " ")
        }
    }

    mutating func bankAccount(_ original: String) -> String {
        substitute("bank_account", original.filter { !$0.isWhitespace }.uppercased()) { d in
            original.first?.isLetter == true ? "XX00 \(Self.digits(d, count: 4)) \(Self.digits(d, count: 4, from: 4)) \(Self.digits(d, count: 4, from: 8))"
                : Self.digits(d, count: max(original.filter(\.isNumber).count, 6))
        }
    }

    /// Keeps the shape (digits for digits, letters for letters, punctuation as is):
    /// national ids and docket numbers stay recognisable as such.
    mutating func scrambled(_ kind: String, _ original: String) -> String {
        substitute(kind, original) { d in
            var out = ""
            for (i, c) in original.enumerated() {
                let b = Int(d[i % d.count]) ^ (i * 31)
                if c.isNumber { out.append(Character(String(b % 10))) }
                else if c.isUppercase { out.append(Character(UnicodeScalar(UInt8(65 + b % 26)))) }
                else if c.isLetter { out.append(Character(UnicodeScalar(UInt8(97 + b % 26)))) }
                else { out.append(c) }
            }
            return out
        }
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    mutating func birthDate(_ original: String) -> String {
        substitute("date_of_birth", original) { d in
            "\(Self.months[Int(d[0]) % 12]) \(1 + Int(d[1]) % 28), \(1920 + Int(d[2]) % 80)"
        }
    }

    static let streets = ["Oak", "Maple", "Cedar", "Elm", "Pine", "Birch", "Willow", "Aspen", "Spruce", "Walnut", "Chestnut", "Hawthorn", "Juniper", "Laurel", "Magnolia", "Poplar"]
    static let streetKinds = ["Street", "Avenue", "Road", "Lane", "Drive", "Court"]

    mutating func address(_ original: String) -> String {
        substitute("address", original) { d in
            "\(100 + Self.number(d, 0) % 9800) \(Self.streets[Int(d[3]) % Self.streets.count]) \(Self.streetKinds[Int(d[4]) % Self.streetKinds.count])"
        }
    }
}
