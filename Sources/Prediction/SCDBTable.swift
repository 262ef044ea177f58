import LexgraphCore

/// The raw SCDB case-centred CSV (`scdb/SCDB_2020_01_caseCentered_Citation.csv`), read for
/// two separate uses that are kept apart: the pre-decision columns joined onto case inputs,
/// and the outcomes (`partyWinning` by `dateDecision`) of cases without Oyez text, used as
/// extra past signal for historical rates.
public struct SCDBTable: Sendable {
    public struct Row: Sendable {
        public let caseID: String
        public let term: Int?
        public let preDecision: SCDBPreDecision
        /// Attributes historical rates are keyed by (issue, parties, source court, ...).
        public let attributes: HistoricalAttributes
        /// The codes `cases.jsonl` carries as `scdb_*` fields, for a row without a case there.
        public let lcDisposition: Int?
        public let certReason: Int?
        public let lawType: Int?
        public let lawSupp: Int?
        public let decisionDate: LegalDate?
        /// 1 = the petitioning party won, 0 = it lost, 2 = unclear; nil when blank.
        public let partyWinning: Int?
        public let line: Int
    }

    public let rows: [Row]
    public let byCaseID: [String: Row]

    public init(path: String) throws {
        try self.init(table: try CSVTable(contentsOf: path))
    }

    public init(table: CSVTable) throws {
        let c = try Columns(table)
        var rows: [Row] = []
        rows.reserveCapacity(table.rows.count)
        for (n, fields) in table.rows.enumerated() {
            let location = SourceLocation(file: table.file, line: table.lines[n])
            func int(_ column: Int) throws -> Int? { try SCDBTable.code(fields[column], table.header[column], location) }
            func optionalInt(_ column: Int?) throws -> Int? { try column.flatMap { try int($0) } }
            var pre = SCDBPreDecision()
            pre.petitionerState = try int(c.petitionerState)
            pre.respondentState = try int(c.respondentState)
            pre.jurisdiction = try int(c.jurisdiction)
            pre.caseOrigin = try int(c.caseOrigin)
            pre.caseSource = try int(c.caseSource)
            pre.lcDispositionDirection = try int(c.lcDispositionDirection)
            pre.lcDisagreement = try int(c.lcDisagreement)
            pre.adminAction = try int(c.adminAction)
            pre.threeJudgeFdc = try int(c.threeJudgeFdc)
            pre.dateArgument = try SCDBTable.date(fields[c.dateArgument], "dateArgument", location)
            pre.naturalCourt = try int(c.naturalCourt)
            let attributes = HistoricalAttributes(caseSource: pre.caseSource, issue: try int(c.issue),
                                            issueArea: try int(c.issueArea), petitioner: try int(c.petitioner),
                                            respondent: try int(c.respondent), naturalCourt: pre.naturalCourt)
            let caseID = fields[c.caseId]
            guard !caseID.isEmpty else { throw PredictionError("SCDB row without caseId", at: location) }
            rows.append(Row(caseID: caseID, term: try int(c.term), preDecision: pre, attributes: attributes,
                            lcDisposition: try optionalInt(c.lcDisposition), certReason: try optionalInt(c.certReason),
                            lawType: try optionalInt(c.lawType), lawSupp: try optionalInt(c.lawSupp),
                            decisionDate: try SCDBTable.date(fields[c.dateDecision], "dateDecision", location),
                            partyWinning: try int(c.partyWinning), line: location.line ?? 0))
        }
        var index: [String: Row] = [:]
        for row in rows {
            if let earlier = index[row.caseID] {
                throw PredictionError("duplicate SCDB caseId \(row.caseID) (first on line \(earlier.line))",
                                      file: table.file, line: row.line)
            }
            index[row.caseID] = row
        }
        self.rows = rows
        self.byCaseID = index
    }

    /// An SCDB numeric code: blank is nil; `12` and `12.0` both read as 12.
    static func code(_ text: String, _ column: String, _ location: SourceLocation) throws -> Int? {
        if text.isEmpty { return nil }
        if let i = Int(text) { return i }
        if let d = Double(text), d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        throw PredictionError("column '\(column)' should be an integer code, found '\(text)'", at: location)
    }

    /// An SCDB date `M/D/YYYY`; blank is nil.
    static func date(_ text: String, _ column: String, _ location: SourceLocation) throws -> LegalDate? {
        if text.isEmpty { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2]),
              let date = LegalDate(year: y, month: m, day: d) else {
            throw PredictionError("column '\(column)' should be a M/D/YYYY date, found '\(text)'", at: location)
        }
        return date
    }

    private struct Columns {
        let caseId, term, dateDecision, partyWinning, petitioner, respondent, issue, issueArea: Int
        let petitionerState, respondentState, jurisdiction, caseOrigin, caseSource: Int
        let lcDispositionDirection, lcDisagreement, adminAction, threeJudgeFdc, dateArgument, naturalCourt: Int
        /// Read only for rows without a `cases.jsonl` case (`caseInput`); a table without
        /// them leaves those codes nil.
        let lcDisposition, certReason, lawType, lawSupp: Int?

        init(_ t: CSVTable) throws {
            caseId = try t.column("caseId"); term = try t.column("term")
            dateDecision = try t.column("dateDecision"); partyWinning = try t.column("partyWinning")
            petitioner = try t.column("petitioner"); respondent = try t.column("respondent")
            issue = try t.column("issue"); issueArea = try t.column("issueArea")
            petitionerState = try t.column("petitionerState"); respondentState = try t.column("respondentState")
            jurisdiction = try t.column("jurisdiction"); caseOrigin = try t.column("caseOrigin")
            caseSource = try t.column("caseSource")
            lcDispositionDirection = try t.column("lcDispositionDirection")
            lcDisagreement = try t.column("lcDisagreement"); adminAction = try t.column("adminAction")
            threeJudgeFdc = try t.column("threeJudgeFdc"); dateArgument = try t.column("dateArgument")
            naturalCourt = try t.column("naturalCourt")
            lcDisposition = t.header.firstIndex(of: "lcDisposition"); certReason = t.header.firstIndex(of: "certReason")
            lawType = t.header.firstIndex(of: "lawType"); lawSupp = t.header.firstIndex(of: "lawSupp")
        }
    }
}

extension SCDBTable.Row {
    /// The row as a case input without facts text, the way `cases.jsonl` would carry it
    /// (its `scdb_*` codes and the joined pre-decision columns); nil without a term.
    /// No outcome column reaches it.
    public var caseInput: CaseInput? {
        guard let term else { return nil }
        var input = CaseInput(term: term, facts: "")
        input.scdbCaseID = caseID
        input.scdbTerm = term
        input.scdbPetitioner = attributes[.petitioner]
        input.scdbRespondent = attributes[.respondent]
        input.scdbIssue = attributes[.issue]
        input.scdbIssueArea = attributes[.issueArea]
        input.scdbLCDisposition = lcDisposition
        input.scdbCertReason = certReason
        input.scdbLawType = lawType
        input.scdbLawSupp = lawSupp
        input.scdb = preDecision
        return input
    }
}
