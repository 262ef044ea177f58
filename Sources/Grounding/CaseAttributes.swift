import LexgraphCore

/// The pre-decision SCDB codes of one case, as grounding sees them. Grounding owns this
/// small struct (rather than taking the Prediction layer's `CaseInput`) so that nothing
/// else about a case, and in particular no outcome, can reach the graph context.
///
/// `issue`, `issueArea`, `lawType` and `lawSupp` are assigned by SCDB from the opinion;
/// the shared data rules allow them as inputs, but reports must say so.
public struct CaseAttributes: Sendable, Hashable {
    /// The case's own node (`scotus:{usid}`), if the graph has one. Used only to find
    /// its own out-citations, and only when they are asked for.
    public var caseKey: String?
    /// October Term year; gives the default as-of date.
    public var term: Int?
    public var issue: Int?
    public var issueArea: Int?
    public var lawType: Int?
    /// SCDB `lawSupp` provision codes (usually one).
    public var lawSupp: [Int]
    public var petitioner: Int?
    public var respondent: Int?
    public var caseSource: Int?
    public var caseOrigin: Int?
    public var naturalCourt: Int?
    public var lcDisposition: Int?

    public init(caseKey: String? = nil, term: Int? = nil, issue: Int? = nil, issueArea: Int? = nil, lawType: Int? = nil,
                lawSupp: [Int] = [], petitioner: Int? = nil, respondent: Int? = nil, caseSource: Int? = nil,
                caseOrigin: Int? = nil, naturalCourt: Int? = nil, lcDisposition: Int? = nil) {
        self.caseKey = caseKey
        self.term = term
        self.issue = issue
        self.issueArea = issueArea
        self.lawType = lawType
        self.lawSupp = lawSupp
        self.petitioner = petitioner
        self.respondent = respondent
        self.caseSource = caseSource
        self.caseOrigin = caseOrigin
        self.naturalCourt = naturalCourt
        self.lcDisposition = lcDisposition
    }

    /// 1 October of the term: the default as-of date when no argument date is known
    /// (the same rule as the Prediction layer's `PredictionQuery`).
    public var termStart: LegalDate? {
        term.flatMap { LegalDate(year: $0, month: 10, day: 1) }
    }
}
