import Compliance
import Foundation
import GraphStore
import LexgraphCore
import Prediction
import Server
import TestRequirements
import Transformer
import XCTest

/// Persons and identifiers planted in a case-outcome run's cases, in their graph (each case
/// is named after a person) and in the pending cases sent to the service.
enum Canaries {
    static let persons = ["Harold Quackenbush", "Bartholomew Throckmorton", "Margaret Wetherspoon"]
    static let identifiers = ["219-09-9999", "p.quackenbush@mailbox.example", "(217) 555-0143", "742 Evergreen Terrace"]

    static func person(_ k: Int) -> String { persons[k % persons.count] }
    static func caseName(_ k: Int) -> String { "\(person(k)) v. Oregon" }
    static func facts(_ k: Int) -> String {
        "Petitioner \(person(k)), of 742 Evergreen Terrace, gave the officers the SSN 219-09-9999, "
            + "the e-mail p.quackenbush@mailbox.example and the phone (217) 555-0143."
    }

    /// Every form a canary could survive in, lower case (the encoder's tokenizer lowercases):
    /// each person's full name and each word of it, each identifier, and the numbers'
    /// digits alone.
    static var forms: [String] {
        var forms = persons + persons.flatMap { $0.split(separator: " ").map(String.init) } + identifiers
        forms += ["219099999", "2175550143", "quackenbush@"]
        return forms.map { $0.lowercased() }
    }

    /// The canary forms found in `text` (compared in lower case; digits also with every
    /// separator removed).
    static func found(in text: String) -> [String] {
        let lower = text.lowercased()
        let digitsOnly = lower.filter { !" -().".contains($0) }
        return forms.filter { lower.contains($0) || ($0.allSatisfy(\.isNumber) && digitsOnly.contains($0)) }
    }
}

/// `lexgraph train --mask` end to end on a served run: a fused transformer (tiny random
/// encoder over the MiniLM vocabulary) trained by `RunTraining` on cases and a graph full
/// of planted persons and identifiers, with the default masking policy in its config.
/// None of them reaches a file of the run folder (the tokenizer's vocabulary aside) or a
/// response of `POST /v2/models/{name}/infer` or `POST /v1/models/{name}/explain`; a raw
/// pending case is predicted and explained exactly as the same case masked beforehand
/// with `lexgraph mask`'s corpus masking. The same run unmasked shows the planted names
/// (the canary is live).
final class MaskedCaseOutcomeTests: XCTestCase {
    /// A tiny random BERT (2 layers, hidden 32) over the MiniLM vocabulary, as an HF folder.
    func tinyEncoder(in folder: URL) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let vocab = ProcessInfo.processInfo.environment["LEXGRAPH_MODEL"].map { $0 + "/vocab.txt" }
            ?? root.appendingPathComponent("models/all-minilm-l6-v2/vocab.txt").path
        try TestRequirements.requireFile(vocab, "MiniLM vocab.txt (tools/setup.sh downloads the model)")
        let directory = folder.appendingPathComponent("tiny-encoder").path
        let config = BertConfig(vocabSize: 30522, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64)
        try BertModel(config: config, seed: 7).saveCheckpoint(directory: directory)
        try FileManager.default.copyItem(atPath: vocab, toPath: directory + "/vocab.txt")
        return directory
    }

    func start(masking: CaseMasking?) async throws -> (ServerHarness, String) {
        let cases = CaseOutcomeRun.Cases()
        let s = try await startServer(graph: CaseOutcomeRun.graph(into: cases, planted: true))
        let encoder = try tinyEncoder(in: s.folder)
        return (s, try CaseOutcomeRun.trainAndRegister(s, cases, encoder: encoder, masking: masking))
    }

    /// Pending cases 2003-0..2 with their planted persons and identifiers, as sent.
    static var rawCases: [[String: Any]] {
        (0..<3).map { k in
            var json = CaseOutcomeRun.pendingJSON(term: 2003, k: k)
            let input = CaseOutcomeRun.plantedInput(term: 2003, k: k)
            json["name"] = input.name!
            json["first_party"] = input.firstParty!
            json["second_party"] = input.secondParty!
            json["facts"] = input.facts
            return json
        }
    }

    /// The same cases masked beforehand by the corpus masking of `lexgraph mask --field facts
    /// --party-field first_party --party-field second_party`, one case a document.
    static func preMaskedCases() throws -> [[String: Any]] {
        try rawCases.map { json in
            var masker = try Masker(policy: MaskingPolicy())
            let line = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
            let masked = try CorpusMasking.mask(line + "\n", file: "case.jsonl", format: .jsonLines(field: "facts", partyFields: ["first_party", "second_party"]),
                                                masker: &masker).output
            var object = try JSONSerialization.jsonObject(with: Data(masked.utf8)) as! [String: Any]
            object["name"] = "(masked beforehand)"
            return object
        }
    }

    func infer(_ s: ServerHarness, _ cases: [[String: Any]]) async throws -> ServerHarness.Reply {
        let body: [String: Any] = ["id": "m1", "inputs": [["name": "case", "datatype": "BYTES", "shape": [cases.count], "data": cases]]]
        return try await s.request("POST", "/v2/models/outcome/infer", token: s.tokens[.analyst], body: try JSONSerialization.data(withJSONObject: body))
    }

    func explain(_ s: ServerHarness, _ cases: [[String: Any]]) async throws -> ServerHarness.Reply {
        let body: [String: Any] = ["cases": cases, "top": 50]
        return try await s.request("POST", "/v1/models/outcome/explain", token: s.tokens[.analyst], body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Probabilities as the server wrote them (Lexgraph's exact JSON reader).
    func probabilities(_ reply: ServerHarness.Reply) -> [Double] {
        guard case .map(let body)? = try? Value.parseJSON(bytes: [UInt8](reply.body)), case .list(let outputs)? = body["outputs"] else { return [] }
        for case .map(let tensor) in outputs where tensor["name"]?.stringValue == "p_first_party_wins" {
            if case .list(let data)? = tensor["data"] { return data.compactMap(\.doubleValue) }
        }
        return []
    }

    func testMaskedRunMasksEveryServedCaseAndKeepsNoCanary() async throws {
        let masking = CaseMasking(policy: MaskingPolicy())
        let (s, run) = try await start(masking: masking)

        // The run folder: the config records the policy; no file holds a canary (the
        // encoder's vocab.txt is the tokenizer's word list, not data).
        let config = try RunFolder(existing: run).config()
        XCTAssertEqual(try CaseMasking(config: config), masking)
        let files = FileManager.default.enumerator(atPath: run)?.compactMap { $0 as? String } ?? []
        XCTAssertTrue(files.contains("report.md"), "\(files)")
        for file in files where !file.hasSuffix("vocab.txt") {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: run + "/" + file, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: run + "/" + file) else { continue }
            XCTAssertEqual(Canaries.found(in: String(decoding: data, as: UTF8.self)), [], "canaries in \(file)")
        }
        let report = try String(contentsOfFile: run + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("[PERSON_"), "the report's sample cases are shown masked:\n\(report)")

        // Infer: a raw case gets exactly the probability of the case masked beforehand.
        let raw = try await infer(s, Self.rawCases), pre = try await infer(s, try Self.preMaskedCases())
        XCTAssertEqual(raw.status, 200, "\(raw)")
        XCTAssertEqual(probabilities(raw).count, 3, "\(raw)")
        XCTAssertEqual(probabilities(raw), probabilities(pre))
        XCTAssertEqual(Canaries.found(in: raw.text), [])

        // Explain: no canary in the names or the reasons; the reasons (context facts naming
        // persons' cases among them) are those of the case masked beforehand.
        let rawExplained = try await explain(s, Self.rawCases), preExplained = try await explain(s, try Self.preMaskedCases())
        XCTAssertEqual(rawExplained.status, 200, "\(rawExplained)")
        XCTAssertEqual(Canaries.found(in: rawExplained.text), [], rawExplained.text)
        let rawPredictions = rawExplained.json["predictions"] as? [[String: Any]] ?? []
        let prePredictions = preExplained.json["predictions"] as? [[String: Any]] ?? []
        XCTAssertEqual(rawPredictions.count, 3, "\(rawExplained)")
        for p in rawPredictions { XCTAssertTrue((p["name"] as? String ?? "").hasPrefix("[PERSON_1] v. "), "\(p)") }
        XCTAssertEqual(rawPredictions.map { ($0["contributions"] as? [Any] ?? []) as NSArray }, prePredictions.map { ($0["contributions"] as? [Any] ?? []) as NSArray })
        XCTAssertTrue(rawExplained.text.contains("Related earlier case [PERSON_"), "context facts name earlier cases, masked:\n\(rawExplained.text)")

        // `lexgraph predict` (the same façade) over the raw case file gives the same lines.
        let predictor = try Predictor(run: run, store: try GraphStore(path: s.databasePath, mode: .readOnly),
                                      scdb: try Predictor.scdbTable(dataFolder: config.dataPath))
        XCTAssertEqual(predictor.masking, masking)
        let inputs = try predictor.cases(objects: try Self.rawCases.enumerated().map { i, object -> ([String: Value], SourceLocation) in
            guard case .map(let fields) = try Value.parseJSON(bytes: [UInt8](try JSONSerialization.data(withJSONObject: object))) else { throw ServerHarness.Failure("not an object") }
            return (fields, SourceLocation(file: "case \(i)"))
        })
        let lines = try predictor.explain(inputs, top: 50).map(\.json.jsonText).joined(separator: "\n")
        XCTAssertEqual(Canaries.found(in: lines), [], lines)
        XCTAssertEqual(try predictor.probabilities(inputs), probabilities(raw))
    }

    /// The same run trained without masking shows the planted names: the canary is live.
    func testUnmaskedRunShowsThePlantedNames() async throws {
        let (s, _) = try await start(masking: nil)
        let explained = try await explain(s, Self.rawCases)
        XCTAssertEqual(explained.status, 200, "\(explained)")
        let found = Set(Canaries.found(in: explained.text))
        XCTAssertTrue(found.contains("harold quackenbush"), explained.text)
        XCTAssertTrue(explained.text.contains("Related earlier case"), explained.text)
        XCTAssertTrue(Canaries.persons.contains { explained.text.contains("Related earlier case \($0) v. Oregon") }, explained.text)
    }
}
