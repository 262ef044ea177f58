import Foundation
import LexgraphCore

/// The SCOTUS outcome dataset: the cases of `scotus/cases.jsonl` (inputs joined with their
/// SCDB pre-decision columns) and every past outcome usable for historical rates.
public struct CaseDataset: Sendable {
    /// Every case of `cases.jsonl`, in file order, labelled or not.
    public let cases: [LabelledCase]
    /// Past outcomes: each labelled case of `cases.jsonl` plus each SCDB row with a clear
    /// `partyWinning` (0 or 1) and a decision date that no `cases.jsonl` case points to.
    public let pastOutcomes: [OutcomeRecord]
    /// The SCDB rows of `pastOutcomes` (no `cases.jsonl` case) as training cases without
    /// facts text, for models that train their tabular part on all SCDB history
    /// (`ClassicalBlendModel`); never evaluated.
    public let scdbOnlyCases: [SCDBOnlyCase]

    /// Cases with a label; the only ones trained on or evaluated.
    public var labelledCases: [LabelledCase] { cases.filter { $0.label != nil } }
    /// Cases whose label is null, left out of training and evaluation.
    public var unlabelledCount: Int { cases.count - labelledCases.count }

    public init(cases: [LabelledCase], pastOutcomes: [OutcomeRecord], scdbOnlyCases: [SCDBOnlyCase] = []) {
        self.cases = cases
        self.pastOutcomes = pastOutcomes
        self.scdbOnlyCases = scdbOnlyCases
    }

    /// Reads `<dataFolder>/scotus/cases.jsonl` and the raw SCDB CSV
    /// `<dataFolder>/scdb/SCDB_2020_01_caseCentered_Citation.csv`.
    public static func load(dataFolder: String) throws -> CaseDataset {
        let casesPath = (dataFolder as NSString).appendingPathComponent("scotus/cases.jsonl")
        let scdbPath = scdbTablePath(dataFolder: dataFolder)
        for path in [casesPath, scdbPath] where !FileManager.default.fileExists(atPath: path) {
            throw PredictionError("missing data file \(path): pass --data PATH or set LEXGRAPH_DATA to the shared data folder")
        }
        let scdb = try SCDBTable(path: scdbPath)
        guard let data = FileManager.default.contents(atPath: casesPath) else {
            throw PredictionError("cannot read \(casesPath)")
        }
        let cases = try readCases(jsonLines: [UInt8](data), file: casesPath, scdb: scdb)
        return CaseDataset(cases: cases, pastOutcomes: pastOutcomes(cases: cases, scdb: scdb),
                           scdbOnlyCases: scdbOnlyCases(cases: cases, scdb: scdb))
    }

    /// The raw SCDB case table whose pre-decision columns are joined to each case.
    public static func scdbTablePath(dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent("scdb/SCDB_2020_01_caseCentered_Citation.csv")
    }

    /// Parses JSON Lines of cases; each line's whitelisted input is joined with its SCDB row.
    /// A case naming an SCDB caseId that the table lacks is an error.
    public static func readCases(jsonLines bytes: [UInt8], file: String, scdb: SCDBTable?) throws -> [LabelledCase] {
        try jsonObjects(jsonLines: bytes, file: file).map { object, location in
            try labelledCase(object, at: location, scdb: scdb)
        }
    }

    /// The JSON objects of a JSON Lines file with their file:line; blank lines skipped.
    public static func jsonObjects(jsonLines bytes: [UInt8], file: String) throws -> [([String: Value], SourceLocation)] {
        if let p = UTF8Validation.firstInvalid(in: bytes) {
            throw PredictionError(UTF8Validation.message(p), at: SourceLocation(file: file, line: p.line, column: p.column))
        }
        var objects: [([String: Value], SourceLocation)] = []
        var lineNumber = 0
        for lineBytes in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if lineBytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            let location = SourceLocation(file: file, line: lineNumber)
            let value: Value
            do {
                value = try Value.parseJSON(bytes: Array(lineBytes))
            } catch let error as JSONError {
                // The parser's message already says "invalid JSON"; its column joins the line.
                throw PredictionError(error.message, at: SourceLocation(file: file, line: lineNumber, column: error.location?.column))
            }
            guard case .map(let object) = value else {
                throw PredictionError("a case line must be a JSON object", at: location)
            }
            objects.append((object, location))
        }
        return objects
    }

    /// One case: the input through the whitelist, then the outcome side read separately.
    public static func labelledCase(_ object: [String: Value], at location: SourceLocation, scdb: SCDBTable?) throws -> LabelledCase {
        let input = try caseInput(object, at: location, scdb: scdb)
        let fields = JSONFields(object: object, location: location)
        var splits: [FixedSplit: SplitRole] = [:]
        for split in FixedSplit.allCases {
            if let role = try fields.string(split.rawValue) { splits[split] = SplitRole(role) }
        }
        return LabelledCase(input: input, label: try fields.bool("label_first_party_winner"),
                            decisionDate: try fields.date("decision_date"), splits: splits,
                            line: location.line ?? 0)
    }

    /// A pending case's input: the whitelisted fields of one `cases.jsonl`-shaped object,
    /// joined with its SCDB row's pre-decision columns when it names one.
    public static func caseInput(_ object: [String: Value], at location: SourceLocation, scdb: SCDBTable?) throws -> CaseInput {
        var input = try CaseInput(json: object, at: location)
        if let id = input.scdbCaseID, let table = scdb {
            guard let row = table.byCaseID[id] else {
                throw PredictionError("scdb_caseId '\(id)' is not in the SCDB table", at: location)
            }
            input.scdb = row.preDecision
        }
        return input
    }

    /// Past outcome records from the labelled cases and the SCDB rows no case points to.
    public static func pastOutcomes(cases: [LabelledCase], scdb: SCDBTable) -> [OutcomeRecord] {
        var records: [OutcomeRecord] = []
        for c in cases {
            if let label = c.label {
                records.append(OutcomeRecord(attributes: c.input.historicalAttributes,
                                             knownFrom: c.outcomeKnownFrom, petitionerWon: label))
            }
        }
        for (row, date, won) in decidedRowsWithoutCase(cases: cases, scdb: scdb) {
            records.append(OutcomeRecord(attributes: row.attributes, knownFrom: date, petitionerWon: won))
        }
        return records
    }

    /// The SCDB rows no case of `cases` points to, with a decision date and a clear
    /// `partyWinning` (0 or 1): the past outcomes beyond the labelled cases.
    static func decidedRowsWithoutCase(cases: [LabelledCase], scdb: SCDBTable) -> [(SCDBTable.Row, LegalDate, Bool)] {
        let covered = Set(cases.compactMap(\.input.scdbCaseID))
        return scdb.rows.compactMap { row in
            guard !covered.contains(row.caseID), let date = row.decisionDate, let won = row.partyWinning, won == 0 || won == 1 else { return nil }
            return (row, date, won == 1)
        }
    }

    /// Those rows (with a term) as training cases without text.
    public static func scdbOnlyCases(cases: [LabelledCase], scdb: SCDBTable) -> [SCDBOnlyCase] {
        decidedRowsWithoutCase(cases: cases, scdb: scdb).compactMap { entry in
            entry.0.caseInput.map { SCDBOnlyCase(input: $0, label: entry.2, decisionDate: entry.1, line: entry.0.line) }
        }
    }
}

/// An SCDB case without Oyez text (no `cases.jsonl` line): its pre-decision input (no
/// facts), the outcome and the decision date, kept apart like a `LabelledCase`'s.
public struct SCDBOnlyCase: Sendable, Hashable {
    public let input: CaseInput
    public let label: Bool
    /// From this date the outcome counts as known (`dateDecision`).
    public let decisionDate: LegalDate
    /// Line of the row in the SCDB CSV, for messages.
    public let line: Int

    public init(input: CaseInput, label: Bool, decisionDate: LegalDate, line: Int) {
        self.input = input; self.label = label; self.decisionDate = decisionDate; self.line = line
    }

    /// The training example, as of the case's own reference date.
    public var example: TrainingExample { TrainingExample(query: PredictionQuery(input: input), label: label) }
}
