/// The kinds of personal information the masking stage finds. The raw value is the
/// name a masking policy uses; `label` is the placeholder stem (`[PERSON_1]`).
public enum EntityType: String, CaseIterable, Sendable, Codable, Comparable {
    case person
    /// An organisation named after, or standing for, an individual ("Smith & Sons
    /// Plumbing", "the Doe Family Trust"). Off by default: most organisations in legal
    /// text (states, agencies, companies) are not personal data.
    case organization
    case address
    case phone
    case email
    case ssn
    /// Other national identifiers with a check that can be validated: Canadian SIN
    /// (Luhn), UK National Insurance number (prefix rules).
    case nationalID = "national_id"
    /// IBANs (mod-97 checked).
    case bankAccount = "bank_account"
    /// Payment card numbers (13-19 digits, Luhn checked).
    case card
    /// A date introduced as a birth date ("born on", "date of birth", "DOB").
    case dateOfBirth = "date_of_birth"
    /// Court docket and case numbers ("No. 18-1234", "Case No. 2:19-cv-01234").
    case docket

    public var label: String {
        switch self {
        case .person: return "PERSON"
        case .organization: return "ORG"
        case .address: return "ADDRESS"
        case .phone: return "PHONE"
        case .email: return "EMAIL"
        case .ssn: return "SSN"
        case .nationalID: return "NATIONAL_ID"
        case .bankAccount: return "BANK_ACCOUNT"
        case .card: return "CARD"
        case .dateOfBirth: return "DOB"
        case .docket: return "DOCKET"
        }
    }

    /// Which of two overlapping detections wins: the more specific, checksummed
    /// kinds before the pattern-only ones, every pattern before a name guess, and an
    /// organisation named after a person before the person's name inside it.
    var priority: Int {
        switch self {
        case .email: return 100
        case .card, .bankAccount, .ssn, .nationalID: return 90
        case .dateOfBirth: return 80
        case .phone: return 70
        case .docket: return 60
        case .address: return 50
        case .organization: return 45
        case .person: return 40
        }
    }

    public static func < (a: EntityType, b: EntityType) -> Bool { a.rawValue < b.rawValue }
}

/// One detection: a kind and where it is in the text (a range of Unicode scalars, so
/// offsets agree with Python's `str` indices in the benchmark harness).
public struct DetectedEntity: Sendable, Hashable {
    public var type: EntityType
    public var start: Int
    public var end: Int

    public init(type: EntityType, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }

    public var length: Int { end - start }
}
