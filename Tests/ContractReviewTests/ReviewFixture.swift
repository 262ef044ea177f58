import Foundation
import GraphStore
import LexgraphCore
import Transformer
import XCTest

/// What a review needs, made small and fast in a temporary folder:
/// - a contracts graph built by the real recipe's clause-corpus and contract-type sources
///   (graphs/contracts.yaml, graphs/contracts/contract_type*.csv, the ontology with its
///   updates) over a data folder holding three standard clauses of every type the
///   contract types expect;
/// - two `lexgraph finetune` runs of the tiny test encoder (Tests/Fixtures/model/tiny-bert)
///   trained for one epoch on a few texts: a single-label clause-type model and a
///   multi-label unfair-terms model. Their labels are real names but their answers are
///   noise: tests check the structure of a review, not its quality.
struct ReviewFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The types' model labels (clause-corpus type names) and the unfair-terms labels.
    static let typeLabels = ["confidentiality", "governing-law", "term"]
    static let unfairLabels = ["Choice of law", "Jurisdiction", "Limitation of liability"]
    /// Thresholds the unfair run's test_metrics.json gives: always flagged, never flagged,
    /// and the default.
    static let thresholds: [String: Double] = ["Choice of law": 0, "Jurisdiction": 1, "Limitation of liability": 0.5]

    /// Three standard clauses per clause-corpus type (heading first, as in the corpus).
    static let corpus: [(type: String, texts: [String])] = [
        ("confidentiality", ["Confidentiality. Each party shall keep the other party's confidential information secret.",
                             "Confidentiality. The Recipient shall not disclose Confidential Information to any third party.",
                             "Confidentiality. All information exchanged under this Agreement is confidential and may be used only for the Purpose."]),
        ("exceptions", ["Exceptions. These obligations do not apply to information that is publicly available.",
                        "Exceptions. Information independently developed by the Recipient is not Confidential Information.",
                        "Exceptions. Information received from a third party without restriction is excluded."]),
        ("term", ["Term. This Agreement lasts for two years from the Effective Date.",
                  "Term. This Agreement continues until terminated by either party on thirty days notice.",
                  "Term. The obligations survive for five years after termination."]),
        ("proprietary_rights", ["Proprietary Rights. Each party keeps all rights in its own information and no licence is granted.",
                                "Proprietary Rights. Nothing in this Agreement transfers ownership of any intellectual property.",
                                "Proprietary Rights. The Company retains title to all materials it provides."]),
        ("governing-law", ["Governing Law. This Agreement is governed by the laws of the State of New York.",
                           "Governing Law. This Agreement is governed by the laws of England and Wales.",
                           "Governing Law. This Agreement is governed by the laws of the State of Delaware without regard to conflicts of law."]),
        ("injunctive-relief", ["Injunctive Relief. A breach may cause irreparable harm and the disclosing party may seek an injunction.",
                               "Injunctive Relief. Monetary damages are not an adequate remedy and equitable relief is available.",
                               "Injunctive Relief. Either party may apply to any court for interim injunctive relief."]),
        ("security", ["Security. The Processor shall implement appropriate technical and organisational measures.",
                      "Security. The Provider maintains a written information security program.",
                      "Security. Access to personal data is restricted to authorised personnel."]),
        ("delegation-of-duties", ["Delegation of Duties. The Provider may not delegate its duties without prior written consent.",
                                  "Delegation of Duties. Any subcontractor is bound by the same obligations.",
                                  "Delegation of Duties. The Provider remains liable for its delegates."]),
        ("notification", ["Notification. The Provider shall notify the Customer of any breach without undue delay.",
                          "Notification. Each party will notify the other promptly in writing of any claim.",
                          "Notification. Notice of an incident is given within 72 hours."]),
        ("inspection", ["Inspection. The Customer may inspect the Provider's facilities on reasonable notice.",
                        "Inspection. Records are open for inspection during business hours.",
                        "Inspection. An independent auditor may carry out the inspection."]),
        ("cooperation", ["Cooperation. The parties shall cooperate in good faith.",
                         "Cooperation. The Provider will assist the Customer in responding to requests.",
                         "Cooperation. Each party shall provide reasonable assistance to the other."]),
        ("effect-of-termination", ["Effect of Termination. On termination all data is returned or deleted.",
                                   "Effect of Termination. Accrued rights survive termination.",
                                   "Effect of Termination. Each party returns the other's property on termination."]),
        ("compliance-with-laws", ["Compliance with Laws. Each party complies with all applicable laws.",
                                  "Compliance with Laws. The Provider processes data only as the law allows.",
                                  "Compliance with Laws. The Company shall comply with export control laws."]),
        ("limitation-of-liability", ["Limitation of Liability. Neither party is liable for indirect damages.",
                                     "Limitation of Liability. Total liability is capped at the fees paid.",
                                     "Limitation of Liability. Nothing limits liability for fraud."]),
        ("definitions", ["Definitions. Capitalised terms have the meanings given in this section.",
                         "Definitions. Personal Data has the meaning given in the GDPR.",
                         "Definitions. Affiliate means an entity under common control."]),
    ]

    static let recipeSources = ["clauses/clause_types_395.csv", "./contracts/contract_type_names.csv", "./contracts/contract_types.csv"]

    let folder: String
    let store: GraphStore
    let typesRun: String
    let unfairRun: String

    /// Clause graph key for the corpus row of `type`'s `k`th clause (rows in `corpus` order).
    static func clauseKey(type: String, index k: Int) -> String {
        let row = corpus.firstIndex { $0.type == type }! * 3 + k + 1
        return "clause:clause-corpus:\(row)"
    }

    /// `contractTypes: false` leaves out the contract-type sources (a graph built before them).
    init(contractTypes: Bool = true) throws {
        let folder = NSTemporaryDirectory() + "lexgraph-review-\(UUID().uuidString)"
        self.folder = folder
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder + "/data/clauses", withIntermediateDirectories: true)
        func write(_ text: String, _ path: String) throws { try text.write(toFile: folder + "/" + path, atomically: true, encoding: .utf8) }

        // The data folder: a clause corpus of three clauses per type.
        var csv = "clause_text,clause_type\n"
        for (type, texts) in Self.corpus { for t in texts { csv += "\"\(t.replacingOccurrences(of: "\"", with: "\"\""))\",\(type)\n" } }
        try write(csv, "data/clauses/clause_types_395.csv")
        store = try BuildCatalog.openForBuild(path: folder + "/graph.sqlite", root: Self.root)
        // The recipe's own mappings for the clause corpus and the contract types; its other
        // sources (CUAD, UNFAIR-ToS, LEDGAR, the links between all their types) need the
        // whole data set.
        var recipes = try BuildCatalog.recipes(at: Self.root.appendingPathComponent("graphs/contracts.yaml").path)
        for i in recipes.indices {
            recipes[i].sources = recipes[i].sources.filter { Self.recipeSources.contains($0.file) && (contractTypes || $0.file.hasPrefix("clauses/")) }
        }
        XCTAssertEqual(recipes.flatMap(\.sources).map(\.file), contractTypes ? Self.recipeSources : [Self.recipeSources[0]])
        try GraphLoader(store: store, dataFolder: URL(fileURLWithPath: folder + "/data")).load(recipes)

        // The base encoder: tiny-bert with a vocabulary of words from the contracts.
        let base = folder + "/tiny-bert"
        try fm.createDirectory(atPath: base, withIntermediateDirectories: true)
        let fixture = Self.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert").path
        for file in ["config.json", "model.safetensors"] { try fm.copyItem(atPath: fixture + "/" + file, toPath: base + "/" + file) }
        try write((Self.vocabulary.joined(separator: "\n") + "\n"), "tiny-bert/vocab.txt")

        typesRun = try Self.train(task: .classify, base: base, folder: folder, name: "types",
                                  lines: Self.typeLabels.flatMap { label in [("the \(label) of this agreement", "\"\(label)\""), ("\(label) shall apply", "\"\(label)\"")] },
                                  keepHeadings: true)
        unfairRun = try Self.train(task: .multilabel, base: base, folder: folder, name: "unfair",
                                   lines: Self.unfairLabels.map { ("the party may \($0.lowercased())", "[\"\($0)\"]") } + [("the party shall notify", "[]")],
                                   keepHeadings: false)
        let thresholds = Self.thresholds.map { "\"\($0.key)\": \($0.value)" }.sorted().joined(separator: ", ")
        try write("{\"thresholds\": {\(thresholds)}, \"macro_f1\": 0.1}\n", "unfair/test_metrics.json")
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Trains a one-epoch run on `lines` (text, label JSON) and writes the `task.json`
    /// `lexgraph clauses prepare` would put beside the training file.
    static func train(task: FineTuneTask, base: String, folder: String, name: String, lines: [(String, String)], keepHeadings: Bool) throws -> String {
        let dataDir = folder + "/" + name + "-data"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let jsonl = lines.map { "{\"text\": \"\($0.0)\", \"label\": \($0.1)}" }.joined(separator: "\n") + "\n"
        try jsonl.write(toFile: dataDir + "/train.jsonl", atomically: true, encoding: .utf8)
        try "{\"task\": \"\(name)\", \"keep_headings\": \(keepHeadings)}\n".write(toFile: dataDir + "/task.json", atomically: true, encoding: .utf8)
        var options = FineTuneOptions(task: task)
        options.epochs = 1; options.batchSize = 4; options.maxLength = 32; options.seed = 7
        let run = folder + "/" + name
        try FineTuneRun(inputs: FineTuneInputs(modelDirectory: base, trainPath: dataDir + "/train.jsonl", devPath: nil, fields: TextDatasetFields()),
                        options: options, directory: run).run(resume: false)
        return run
    }

    /// 94 tokens for tiny-bert's 99-row embedding (5 special tokens first).
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + """
        the a an of to and or in on by for with without under from as at this that these any all each other party parties
        receiving disclosing confidential information agreement mnda dpa shall may will must not no is are be been law laws
        governing jurisdiction term termination notice written data personal processing provider customer subprocessor
        security audit liability damages relief breach court state purpose use disclose protect rights license
        . , ; : ( ) " ' - 1 2 3 4 5 confidentiality governing-law apply choice limitation notify
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
}
