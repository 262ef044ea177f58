import LexgraphCore
import Prediction
import XCTest

/// Leakage test (a): the case input cannot carry outcome fields. Removing or perturbing
/// every field outside the whitelist (the label, dispositions, votes, `scdb_partyWinning`,
/// `decision_date`, `cited_by_total`, ...) leaves the decoded input and its feature vector
/// unchanged; so does perturbing every column of the SCDB table joined onto it other than
/// its pre-decision columns (`partyWinning`, `caseDisposition`, the vote counts,
/// `decisionDirection`, `dateDecision`, ...).
final class InputLeakageTests: XCTestCase {
    /// A `cases.jsonl` line shaped like the real ones (synthetic values).
    static let line = """
    {"oyez_id": 5001, "name": "A v. B", "docket": "10-100", "oyez_term": "2010", "first_party": "A", \
    "second_party": "B", "facts": "A sued B.", "label_first_party_winner": true, \
    "oyez_decision_type": "majority opinion", "oyez_disposition": "reversed", "oyez_issue_area": "Civil Rights", \
    "majority_vote": 5, "minority_vote": 4, "oyez_href": "https://example.invalid", "scdb_match": "docket+term", \
    "scdb_caseId": "2010-001", "scdb_term": 2010, "decision_date": "2011-03-01", "usCite": "562 U.S. 1", \
    "usid": "562US1", "scdb_caseName": "A v. B", "scdb_partyWinning": 1, "scdb_caseDisposition": 3, \
    "scdb_decisionDirection": 2, "scdb_issue": 20010, "scdb_issueArea": 2, "scdb_lawType": 1, "scdb_lawSupp": 100, \
    "scdb_authorityDecision1": 1, "scdb_precedentAlteration": 0, "scdb_declarationUncon": 1, "scdb_lcDisposition": 2, \
    "scdb_certReason": 4, "scdb_petitioner": 27, "scdb_respondent": 28, "scdb_name_sim": 1.0, "usid_source": "x", \
    "fowler_caseid": 77, "decision_year": 2011, "term_for_split": 2010, "cites_out_total": 3, \
    "cites_out_to_labelled": 1, "cited_by_total": 40, "split_full": "dev", "split_graph_window": "excluded_no_graph"}
    """

    /// An SCDB row with every column of the real case-centred file (synthetic values).
    static let scdbCSV = """
    caseId,docketId,caseIssuesId,voteId,dateDecision,decisionType,usCite,sctCite,ledCite,lexisCite,term,naturalCourt,chief,docket,caseName,dateArgument,dateRearg,petitioner,petitionerState,respondent,respondentState,jurisdiction,adminAction,adminActionState,threeJudgeFdc,caseOrigin,caseOriginState,caseSource,caseSourceState,lcDisagreement,certReason,lcDisposition,lcDispositionDirection,declarationUncon,caseDisposition,caseDispositionUnusual,partyWinning,precedentAlteration,voteUnclear,issue,issueArea,decisionDirection,decisionDirectionDissent,authorityDecision1,authorityDecision2,lawType,lawSupp,lawMinor,majOpinWriter,majOpinAssigner,splitVote,majVotes,minVotes
    2010-001,2010-001-01,2010-001-01-01,2010-001-01-01-01,3/1/2011,1,562 U.S. 1,131 S. Ct. 1,178 L. Ed. 2d 1,2011 U.S. LEXIS 1,2010,1705,Roberts,10-100,"A v. B, Inc.",11/2/2010,,27,,28,6,1,,,0,302,,29,,0,4,2,1,1,3,0,1,0,0,20010,2,2,0,1,,1,100,,111,111,1,5,4
    """

    static func scdbTable() throws -> SCDBTable {
        try SCDBTable(table: CSVTable(bytes: Array(scdbCSV.utf8), file: "scdb.csv"))
    }

    /// The SCDB columns a case input takes (`SCDBPreDecision`, joined by `caseId`). Every
    /// other column is an outcome or is read only as past signal for other cases.
    static let scdbInputColumns: Set<String> = [
        "caseId", "petitionerState", "respondentState", "jurisdiction", "caseOrigin", "caseSource", "lcDispositionDirection",
        "lcDisagreement", "adminAction", "threeJudgeFdc", "dateArgument", "naturalCourt",
    ]

    /// The table with every column outside `scdbInputColumns` perturbed in every row, in a
    /// way the reader still accepts (codes stay integers, dates stay M/D/YYYY dates).
    static func perturbedSCDB(_ table: CSVTable) throws -> SCDBTable {
        func cell(_ column: String, _ v: String) -> String {
            if v.isEmpty { return column.hasPrefix("date") ? "1/2/1900" : "7" }
            if let i = Int(v) { return String(i + 17) }
            let date = v.split(separator: "/")
            if date.count == 3, let m = Int(date[0]), let d = Int(date[1]), let y = Int(date[2]) { return "\(m)/\(d == 1 ? 2 : 1)/\(y)" }
            return v + "-perturbed"
        }
        func quoted(_ v: String) -> String {
            v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }
        var text = table.header.map(quoted).joined(separator: ",") + "\n"
        for row in table.rows {
            text += zip(table.header, row).map { column, v in quoted(scdbInputColumns.contains(column) ? v : cell(column, v)) }.joined(separator: ",") + "\n"
        }
        let perturbed = try CSVTable(bytes: Array(text.utf8), file: table.file)
        XCTAssertEqual(perturbed.rows.count, table.rows.count)
        for column in ["partyWinning", "caseDisposition", "majVotes", "minVotes", "decisionDirection", "dateDecision"] {
            let n = try table.column(column)
            XCTAssertTrue(zip(table.rows, perturbed.rows).allSatisfy { $0[n] != $1[n] }, "\(column) is perturbed in every row")
        }
        return try SCDBTable(table: perturbed)
    }

    static func object(_ text: String) throws -> [String: Value] {
        guard case .map(let m) = try Value.parseJSON(text) else { throw PredictionError("not an object") }
        return m
    }

    /// A feature encoder fit on a few synthetic training queries, with some past outcomes.
    static func encoder(around input: CaseInput) -> SCDBFeatureEncoder {
        let records = (0..<40).map { i in
            OutcomeRecord(attributes: HistoricalAttributes(caseSource: 29, issue: i % 2 == 0 ? 20010 : 1, issueArea: 2,
                                                     petitioner: 27, respondent: i % 3 == 0 ? 28 : 1, naturalCourt: 1705),
                          knownFrom: LegalDate(year: 2000 + i % 13, month: 3, day: 1)!,
                          petitionerWon: i % 4 != 0)
        }
        var encoder = SCDBFeatureEncoder(history: HistoricalFeatures(index: HistoricalOutcomeIndex(records: records)), minimumCount: 1)
        var other = input
        other.scdbIssue = 1
        other.scdbRespondent = 1
        encoder.fit([PredictionQuery(input: input), PredictionQuery(input: other)])
        return encoder
    }

    func testInputTypeHoldsOnlyWhitelistedFields() {
        let inputFields = Set(Mirror(reflecting: CaseInput(term: 2000, facts: "")).children.compactMap(\.label))
        XCTAssertEqual(inputFields, [
            "oyezID", "name", "docket", "term", "firstParty", "secondParty", "facts", "usid", "fowlerCaseID",
            "scdbCaseID", "scdbTerm", "scdbPetitioner", "scdbRespondent", "scdbLCDisposition", "scdbCertReason",
            "scdbIssue", "scdbIssueArea", "scdbLawType", "scdbLawSupp", "scdb",
        ], "a field was added to CaseInput: check it is known before the decision, then update this list")
        let scdbFields = Set(Mirror(reflecting: SCDBPreDecision()).children.compactMap(\.label))
        XCTAssertEqual(scdbFields, [
            "petitionerState", "respondentState", "jurisdiction", "caseOrigin", "caseSource", "lcDispositionDirection",
            "lcDisagreement", "adminAction", "threeJudgeFdc", "dateArgument", "naturalCourt",
        ])
        XCTAssertEqual(CaseInput.allowedFields.count, 19)
    }

    func testOutcomeFieldsDoNotReachInputOrFeatures() throws {
        let scdb = try Self.scdbTable()
        let original = try Self.object(Self.line)
        let location = SourceLocation(file: "cases.jsonl", line: 1)
        let base = try CaseDataset.labelledCase(original, at: location, scdb: scdb)
        XCTAssertEqual(base.label, true)
        XCTAssertEqual(base.input.scdb?.caseSource, 29)
        XCTAssertEqual(base.input.scdb?.dateArgument, LegalDate(iso: "2010-11-02"))
        let encoder = Self.encoder(around: base.input)
        let features = encoder.encode(base.query)
        XCTAssertGreaterThan(features.indices.count, 5)

        let outcomeKeys = original.keys.filter { !CaseInput.allowedFields.contains($0) }
        XCTAssertTrue(outcomeKeys.contains("label_first_party_winner") && outcomeKeys.contains("decision_date")
                      && outcomeKeys.contains("scdb_partyWinning") && outcomeKeys.contains("cited_by_total"))
        var removed = original
        for key in outcomeKeys { removed[key] = nil }
        var perturbed = original
        for key in outcomeKeys { perturbed[key] = Self.perturb(original[key] ?? .null) }
        let perturbedSCDB = try Self.perturbedSCDB(try CSVTable(bytes: Array(Self.scdbCSV.utf8), file: "scdb.csv"))
        XCTAssertNotEqual(perturbedSCDB.rows[0].partyWinning, scdb.rows[0].partyWinning)
        XCTAssertNotEqual(perturbedSCDB.rows[0].decisionDate, scdb.rows[0].decisionDate)
        for table in [scdb, perturbedSCDB] {
            for variant in [original, removed, perturbed] {
                let input = try CaseDataset.caseInput(variant, at: location, scdb: table)
                XCTAssertEqual(input, base.input)
                XCTAssertEqual(encoder.encode(PredictionQuery(input: input)), features)
            }
        }
        // Control: a pre-decision column does reach the input, so the comparison can fail.
        let moved = try SCDBTable(table: CSVTable(bytes: Array(Self.scdbCSV.replacingOccurrences(of: ",11/2/2010,", with: ",11/9/2010,").utf8), file: "scdb.csv"))
        XCTAssertNotEqual(try CaseDataset.caseInput(original, at: location, scdb: moved), base.input)
    }

    /// The same on the real data: for every line of cases.jsonl, the input decoded with all
    /// non-whitelisted fields perturbed, and joined with an SCDB table whose every outcome
    /// column is perturbed, equals the original's, and so does its feature vector under
    /// the SCDB logistic regression's encoder fit on the split_full train cases.
    func testRealCasesInputsIgnoreOutcomeFields() throws {
        let folder = try TestSupport.requireSharedData()
        let scdbCSV = try CSVTable(contentsOf: folder + "/scdb/SCDB_2020_01_caseCentered_Citation.csv")
        let scdb = try SCDBTable(table: scdbCSV)
        let perturbedSCDB = try Self.perturbedSCDB(scdbCSV)
        let dataset = try CaseDataset.load(dataFolder: folder)
        var encoder = SCDBFeatureEncoder(history: HistoricalFeatures(index: HistoricalOutcomeIndex(records: dataset.pastOutcomes)))
        encoder.fit(dataset.labelledCases.filter { $0.splits[.full] == .train }.map(\.query))
        let text = try String(contentsOfFile: folder + "/scotus/cases.jsonl", encoding: .utf8)
        var checked = 0
        for (n, line) in text.split(separator: "\n").enumerated() {
            let location = SourceLocation(file: "cases.jsonl", line: n + 1)
            let original = try Self.object(String(line))
            let base = try CaseDataset.labelledCase(original, at: location, scdb: scdb).input
            var perturbed = original
            for key in original.keys where !CaseInput.allowedFields.contains(key) {
                perturbed[key] = Self.perturb(original[key] ?? .null)
            }
            let input = try CaseDataset.caseInput(perturbed, at: location, scdb: perturbedSCDB)
            XCTAssertEqual(input, base, "line \(n + 1)")
            XCTAssertEqual(encoder.encode(PredictionQuery(input: input)), encoder.encode(PredictionQuery(input: base)), "line \(n + 1)")
            checked += 1
        }
        XCTAssertEqual(checked, 2818)
    }

    func testWrongTypeIsReportedWithLine() throws {
        var object = try Self.object(Self.line)
        object["scdb_issue"] = .string("x")
        XCTAssertThrowsError(try CaseInput(json: object, at: SourceLocation(file: "cases.jsonl", line: 3))) { error in
            XCTAssertEqual("\(error)", "cases.jsonl:3: field 'scdb_issue' should be an integer, found \"x\"")
        }
        object = try Self.object(Self.line)
        object["scdb_caseId"] = .string("1999-999")
        XCTAssertThrowsError(try CaseDataset.labelledCase(object, at: SourceLocation(file: "c.jsonl", line: 9), scdb: try Self.scdbTable())) { error in
            XCTAssertEqual("\(error)", "c.jsonl:9: scdb_caseId '1999-999' is not in the SCDB table")
        }
    }

    static func perturb(_ v: Value) -> Value {
        switch v {
        case .null: return .int(1)
        case .bool(let b): return .bool(!b)
        case .int(let i): return .int(i + 17)
        case .float(let d): return .float(d * 3 + 1)
        case .string(let s): return .string(s + "-perturbed")
        case .list, .map: return .null
        }
    }
}
