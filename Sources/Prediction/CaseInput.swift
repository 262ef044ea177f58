import LexgraphCore

/// Everything a model may know about a case before it is decided, and nothing else.
///
/// This is the only case type feature code receives. It is built through a whitelist
/// (`CaseInput.allowedFields`): outcome fields of `cases.jsonl` (the label, dispositions,
/// votes, `scdb_partyWinning`, `decision_date`, later citation counts, ...) are never read
/// into it, so no feature or context built from a `CaseInput` can depend on them. The
/// label and the decision date live beside it in `LabelledCase`, out of reach.
///
/// SCDB codes `issue`, `issueArea`, `lawType` and `lawSupp` are assigned from the opinion;
/// the shared data rules allow them but results must say so (the baselines' README does).
public struct CaseInput: Sendable, Hashable {
    public var oyezID: Int64?
    public var name: String?
    public var docket: String?
    /// The Court term the case belongs to (October Term year); always known up front.
    public var term: Int
    public var firstParty: String?
    public var secondParty: String?
    public var facts: String
    public var usid: String?
    public var fowlerCaseID: Int64?
    public var scdbCaseID: String?
    public var scdbTerm: Int?
    public var scdbPetitioner: Int?
    public var scdbRespondent: Int?
    public var scdbLCDisposition: Int?
    public var scdbCertReason: Int?
    public var scdbIssue: Int?
    public var scdbIssueArea: Int?
    public var scdbLawType: Int?
    public var scdbLawSupp: Int?
    /// The matching SCDB row's pre-decision columns, joined by `scdbCaseID` (nil when the
    /// case has no SCDB row).
    public var scdb: SCDBPreDecision?

    public init(term: Int, facts: String) {
        self.term = term
        self.facts = facts
    }

    /// The `cases.jsonl` keys a pending case may carry. Nothing else is ever read.
    public static let allowedFields: [String] = [
        "oyez_id", "name", "docket", "term_for_split", "first_party", "second_party", "facts",
        "usid", "fowler_caseid", "scdb_caseId", "scdb_term", "scdb_petitioner", "scdb_respondent",
        "scdb_lcDisposition", "scdb_certReason", "scdb_issue", "scdb_issueArea", "scdb_lawType",
        "scdb_lawSupp",
    ]

    /// Reads the whitelisted fields of one `cases.jsonl` object. `location` (file:line) is
    /// put on every error. The SCDB pre-decision columns are joined afterwards by the
    /// dataset loader (they come from another file).
    public init(json object: [String: Value], at location: SourceLocation) throws {
        let fields = JSONFields(object: object, location: location)
        guard let term = try fields.int("term_for_split") else {
            throw PredictionError("case has no 'term_for_split'", at: location)
        }
        self.init(term: term, facts: try fields.string("facts") ?? "")
        oyezID = try fields.int64("oyez_id")
        name = try fields.string("name")
        docket = try fields.string("docket")
        firstParty = try fields.string("first_party")
        secondParty = try fields.string("second_party")
        usid = try fields.string("usid")
        fowlerCaseID = try fields.int64("fowler_caseid")
        scdbCaseID = try fields.string("scdb_caseId")
        scdbTerm = try fields.int("scdb_term")
        scdbPetitioner = try fields.int("scdb_petitioner")
        scdbRespondent = try fields.int("scdb_respondent")
        scdbLCDisposition = try fields.int("scdb_lcDisposition")
        scdbCertReason = try fields.int("scdb_certReason")
        scdbIssue = try fields.int("scdb_issue")
        scdbIssueArea = try fields.int("scdb_issueArea")
        scdbLawType = try fields.int("scdb_lawType")
        scdbLawSupp = try fields.int("scdb_lawSupp")
    }

    /// The date this case's features are computed as of: only what was known strictly
    /// before it may be used. The argument date where SCDB records one, otherwise October 1
    /// of the case's term. Both precede the decision (checked on the shared data: no case
    /// is decided before either), and both are known while the case is pending, so the
    /// decision date itself never enters a feature.
    public var referenceDate: LegalDate {
        scdb?.dateArgument ?? LegalDate(year: term, month: 10, day: 1) ?? LegalDate(year: 1, month: 1, day: 1)!
    }

    /// The attributes historical outcome rates are keyed by.
    public var historicalAttributes: HistoricalAttributes {
        HistoricalAttributes(caseSource: scdb?.caseSource, issue: scdbIssue, issueArea: scdbIssueArea,
                       petitioner: scdbPetitioner, respondent: scdbRespondent,
                       naturalCourt: scdb?.naturalCourt)
    }
}

/// The columns of an SCDB case row known before the decision (shared data README):
/// where the case came from, what the lower court did, when it was argued.
public struct SCDBPreDecision: Sendable, Hashable {
    public var petitionerState: Int?
    public var respondentState: Int?
    public var jurisdiction: Int?
    public var caseOrigin: Int?
    public var caseSource: Int?
    public var lcDispositionDirection: Int?
    public var lcDisagreement: Int?
    public var adminAction: Int?
    public var threeJudgeFdc: Int?
    public var dateArgument: LegalDate?
    public var naturalCourt: Int?

    public init() {}
}

/// Typed access to named fields of one JSON object; `null` and absent read as nil, a
/// value of the wrong type is an error naming the field and the line.
struct JSONFields {
    let object: [String: Value]
    let location: SourceLocation

    func value(_ key: String) -> Value? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { throw wrongType(key, "a string", v) }
        return s
    }

    func int64(_ key: String) throws -> Int64? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return i
        case .float(let d) where d == d.rounded() && abs(d) < 9e15: return Int64(d)
        default: throw wrongType(key, "an integer", v)
        }
    }

    func int(_ key: String) throws -> Int? {
        try int64(key).map { Int($0) }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw wrongType(key, "true, false or null", v) }
        return b
    }

    func date(_ key: String) throws -> LegalDate? {
        guard let s = try string(key) else { return nil }
        guard let d = LegalDate(iso: s) else {
            throw PredictionError("field '\(key)' is not a YYYY-MM-DD date: \(s)", at: location)
        }
        return d
    }

    private func wrongType(_ key: String, _ expected: String, _ v: Value) -> PredictionError {
        PredictionError("field '\(key)' should be \(expected), found \(v.jsonText)", at: location)
    }
}
