import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Ontology
import Prediction
import Tokenizers
import Transformer

/// A small SCOTUS-shaped graph built in memory for the fusion tests: code nodes (issues,
/// an issue area, a lower court, party types, a natural court) and one decided case per
/// year 1990-2012 with its outcome, code edges and citations to earlier cases, all dated.
enum FusionTestGraph {
    static let issues = [(100, "search and seizure"), (200, "due process")]

    /// Every node and edge, with its date (nil: undated code node).
    static func records() -> (nodes: [NodeInput], edges: [EdgeInput]) {
        var nodes: [NodeInput] = []
        var edges: [EdgeInput] = []
        for (code, name) in issues { nodes.append(NodeInput(key: "scdb:issue:\(code)", type: "Issue", properties: ["name": .string(name)])) }
        nodes.append(NodeInput(key: "scdb:issueArea:1", type: "IssueArea", properties: ["name": .string("criminal procedure")]))
        nodes.append(NodeInput(key: "scdb:court:29", type: "Court", properties: ["name": .string("Ninth Circuit")]))
        nodes.append(NodeInput(key: "scdb:party:27", type: "PartyType", properties: ["name": .string("United States")]))
        nodes.append(NodeInput(key: "scdb:party:28", type: "PartyType", properties: ["name": .string("person accused of crime")]))
        nodes.append(NodeInput(key: "scdb:naturalCourt:1705", type: "NaturalCourt", properties: ["name": .string("Rehnquist 7")]))
        nodes.append(NodeInput(key: "scdb:court:300", type: "Court", properties: ["name": .string("District of Oregon")]))
        nodes.append(NodeInput(key: "scdb:lawSupp:600", type: "Provision", properties: ["name": .string("Fourth Amendment")]))
        for year in 1990...2012 {
            let key = "scotus:case:\(year)"
            let date = LegalDate(year: year, month: 3, day: 1)!
            nodes.append(NodeInput(key: key, type: "SupremeCourtCase",
                                   properties: ["name": .string("Case \(year) v. State"), "year": .int(Int64(year)),
                                                "party_winning": .int(year % 3 == 0 ? 0 : 1)], validFrom: date))
            let issue = issues[year % 2].0
            edges.append(EdgeInput(type: "HAS_ISSUE", from: key, to: "scdb:issue:\(issue)", validFrom: date))
            edges.append(EdgeInput(type: "HAS_ISSUE", from: key, to: "scdb:issueArea:1", validFrom: date))
            edges.append(EdgeInput(type: "APPEALED_FROM", from: key, to: "scdb:court:29", validFrom: date))
            edges.append(EdgeInput(type: "PETITIONER", from: key, to: "scdb:party:\(year % 2 == 0 ? 27 : 28)", validFrom: date))
            edges.append(EdgeInput(type: "RESPONDENT", from: key, to: "scdb:party:\(year % 2 == 0 ? 28 : 27)", validFrom: date))
            edges.append(EdgeInput(type: "ORIGINATED_IN", from: key, to: "scdb:court:300", validFrom: date))
            edges.append(EdgeInput(type: "DECIDED_DURING", from: key, to: "scdb:naturalCourt:1705", validFrom: date))
            if year % 2 == 0 { edges.append(EdgeInput(type: "APPLIES", from: key, to: "scdb:lawSupp:600", validFrom: date)) }
            if year % 5 == 0 && year > 1995 {
                edges.append(EdgeInput(type: "OVERRULES", from: key, to: "scotus:case:\(year - 5)", validFrom: date))
            }
            for back in [1, 3] where year - back >= 1990 {
                edges.append(EdgeInput(type: "CITES", from: key, to: "scotus:case:\(year - back)", validFrom: date))
            }
        }
        return (nodes, edges)
    }

    /// The graph with everything, or only what is dated strictly before `before`.
    static func graph(before: LegalDate? = nil) throws -> GroundingGraph {
        let store = try GraphStore(inMemoryWith: .permissive)
        let (nodes, edges) = records()
        let keep: (LegalDate?) -> Bool = { date in before.map { b in date.map { $0 < b } ?? true } ?? true }
        try store.write { writer in
            for n in nodes where keep(n.validFrom) { _ = try writer.upsert(n) }
            for e in edges where keep(e.validFrom) { _ = try writer.upsert(e) }
        }
        return try GroundingGraph(store: store)
    }

    /// A pending case of `term` with the graph's codes.
    static func input(term: Int, facts: String, issue: Int = 100) -> CaseInput {
        var input = CaseInput(term: term, facts: facts)
        input.scdbIssue = issue
        input.scdbIssueArea = 1
        input.scdbPetitioner = 27
        input.scdbRespondent = 28
        input.usid = "test\(term)"
        var scdb = SCDBPreDecision()
        scdb.caseSource = 29
        scdb.naturalCourt = 1705
        scdb.caseOrigin = 300
        input.scdbLawSupp = 600
        input.scdb = scdb
        return input
    }

    /// Synthetic training cases: the label follows a word of the facts and the issue, so
    /// a model can learn it quickly.
    static func examples(terms: ClosedRange<Int>) -> [TrainingExample] {
        terms.flatMap { term in
            (0..<2).map { k in
                let won = (term + k) % 2 == 0
                let facts = won ? "The United States appealed and the lower court was plainly wrong on search and seizure."
                                : "The accused appealed a careful ruling that the court of appeals affirmed on due process."
                return TrainingExample(query: PredictionQuery(input: input(term: term, facts: facts, issue: won ? 100 : 200)), label: won)
            }
        }
    }

    static var packageRoot: String { TestSupport.packageRoot.path }

    /// The real MiniLM tokenizer (vocab.txt of the downloaded model).
    static func tokenizer() throws -> BertTokenizer {
        let folder = ProcessInfo.processInfo.environment["LEXGRAPH_MODEL"] ?? packageRoot + "/models/all-minilm-l6-v2"
        return try BertTokenizer.load(vocabTxt: folder + "/vocab.txt")
    }

    /// A tiny random BERT over the MiniLM vocabulary (2 layers, hidden 32).
    static func tinyEncoder(seed: UInt64 = 7) throws -> BertModel {
        let config = BertConfig(vocabSize: 30522, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64)
        return try BertModel(config: config, seed: seed)
    }
}
