import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import Prediction

/// The shared-data texts a legal pretraining corpus draws on.
public enum CorpusSource: String, CaseIterable, Sendable {
    /// Oyez "facts of the case" (scotus/cases.jsonl).
    case scotusFacts = "scotus-facts"
    /// The 394-type clause corpus (clauses/clause_types_395.csv).
    case clauseTypes = "clause-types"
    /// CUAD clauses (clauses/cuad.tsv).
    case cuad
    /// UNFAIR-ToS sentences (clauses/unfair_tos.tsv): scored by 5-fold cross-validation,
    /// every text is some fold's test text, so none is ever used.
    case unfairTOS = "unfair-tos"
    /// LEDGAR provisions (clauses/ledgar_100.tsv).
    case ledgar
    /// The European Convention on Human Rights (statutes/echr_articles_en.json).
    case echrArticles = "echr-articles"
    /// LegalBench task texts (legalbench/legalbench_tasks.jsonl): no lexgraph task scores on them.
    case legalbench
    /// Whole contracts (contracts/*.txt), one document per paragraph.
    case contracts

    /// The sources whose texts are test items of a downstream task somewhere: always read,
    /// so their test texts are kept out even when they come through another source.
    static let downstream: [CorpusSource] = [.scotusFacts, .clauseTypes, .cuad, .unfairTOS]
}

/// A text read from a source, and whether a downstream evaluation scores on it.
struct CandidateText {
    var document: CorpusDocument
    var isTest: Bool
    var file: String
    var line: Int
}

extension CorpusSource {
    /// Every text of this source under `data`, with its test status; `splitsRoot` holds
    /// the committed clause splits (graphs/contracts/splits/).
    func read(data: String, splitsRoot: String) throws -> [CandidateText] {
        func path(_ relative: String) throws -> String {
            let p = (data as NSString).appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: p) else {
                throw CorpusError("missing data file for the \(rawValue) source (pass --data PATH or set LEXGRAPH_DATA to the shared data folder)", file: p)
            }
            return p
        }
        switch self {
        case .scotusFacts: return try Self.scotusFacts(path: try path("scotus/cases.jsonl"))
        case .clauseTypes, .cuad, .unfairTOS: return try clauseTexts(path: try path(clauseTask.dataFile), splitsRoot: splitsRoot)
        case .ledgar:
            return try Self.records(path: try path("clauses/ledgar_100.tsv"), format: .tsv, source: self) { r in r.text("text") }
        case .echrArticles:
            return try Self.records(path: try path("statutes/echr_articles_en.json"), format: .jsonArray, source: self) { r in
                guard let text = r.text("text") else { return nil }
                return r.text("title").map { "\($0). \(text)" } ?? text
            }
        case .legalbench:
            return try Self.records(path: try path("legalbench/legalbench_tasks.jsonl"), format: .jsonl, source: self) { r in r.text("text") }
        case .contracts: return try Self.contractParagraphs(folder: try path("contracts"))
        }
    }

    var clauseTask: ClauseTask {
        switch self {
        case .cuad: return .cuad
        case .unfairTOS: return .unfairTOS
        default: return .clauseTypes
        }
    }

    /// One text per item (a CUAD or UNFAIR-ToS text in several rows is one item); test
    /// items by the committed split, every item for a cross-validated task.
    func clauseTexts(path: String, splitsRoot: String) throws -> [CandidateText] {
        let task = clauseTask
        let corpus = try ClauseCorpus.load(task, path: path)
        let splits: ClauseSplits? = task.usesFolds ? nil : try ClauseSplits.load(path: (splitsRoot as NSString).appendingPathComponent(task.splitFile), corpus: corpus)
        return corpus.items.enumerated().map { i, item in
            CandidateText(document: CorpusDocument(id: "\(rawValue):\(item.rows[0])", source: rawValue, text: item.text),
                          isTest: splits.map { $0.splitOfItem[i] == .test } ?? true, file: path, line: item.line)
        }
    }

    /// Facts of each case; a case is a test case when either fixed split puts it in test,
    /// or its term lies in a split's test terms or the walk-forward terms (so unlabelled
    /// cases of those years count too).
    static func scotusFacts(path: String) throws -> [CandidateText] {
        var rows: [(CandidateText, term: Int, roles: [String])] = []
        try RecordReader.read(path: path, displayName: path, format: .jsonl) { r in
            guard let facts = r.text("facts") else { return }
            guard let termText = r.text("term_for_split"), let term = Int(termText) else {
                throw CorpusError("case without an integer term_for_split", file: path, line: r.line)
            }
            let doc = CorpusDocument(id: "scotus-facts:\(r.row)", source: CorpusSource.scotusFacts.rawValue, text: facts)
            rows.append((CandidateText(document: doc, isTest: false, file: path, line: r.line), term, FixedSplit.allCases.map { r.text($0.rawValue) ?? "" }))
        }
        var testTerms: [ClosedRange<Int>] = []
        if case .walkForward(let terms) = EvaluationPlan.standardWalkForward { testTerms.append(terms) }
        for (i, _) in FixedSplit.allCases.enumerated() {
            let terms = rows.filter { $0.roles[i] == "test" }.map(\.term)
            if let lo = terms.min(), let hi = terms.max() { testTerms.append(lo...hi) }
        }
        return rows.map { row in
            var c = row.0
            c.isTest = row.roles.contains("test") || testTerms.contains { $0.contains(row.term) }
            return c
        }
    }

    static func records(path: String, format: SourceFormat, source: CorpusSource, _ text: (SourceRecord) -> String?) throws -> [CandidateText] {
        var out: [CandidateText] = []
        try RecordReader.read(path: path, displayName: path, format: format) { r in
            guard let t = text(r) else { return }
            out.append(CandidateText(document: CorpusDocument(id: "\(source.rawValue):\(r.row)", source: source.rawValue, text: t),
                                     isTest: false, file: path, line: r.line))
        }
        return out
    }

    /// The `.txt` contracts of `folder` (the Markdown copies say the same), split at blank lines.
    static func contractParagraphs(folder: String) throws -> [CandidateText] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".txt") }.sorted() ?? []
        var out: [CandidateText] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let text = try TextFile.read(path: path, what: "contract") { location, message in CorpusError(message, file: location.file ?? path, line: location.line) }
            var paragraph: [Substring] = [], startLine = 1, index = 0
            func flush() {
                let p = paragraph.joined(separator: "\n").trimmingCharacters(in: .whitespaces)
                if !p.isEmpty {
                    index += 1
                    out.append(CandidateText(document: CorpusDocument(id: "contracts:\(name):\(index)", source: CorpusSource.contracts.rawValue, text: p),
                                             isTest: false, file: path, line: startLine))
                }
                paragraph = []
            }
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.allSatisfy(\.isWhitespace) { flush(); continue }
                if paragraph.isEmpty { startLine = n + 1 }
                paragraph.append(line)
            }
            flush()
        }
        return out
    }
}
