import Foundation
import GraphAlgorithms
import GraphStore
import LexgraphCore
import Ontology

/// The small dated legal graph of Tests/Fixtures/walks/networkx_walks.json (made by
/// tools/make_walk_fixture.py), loaded into an in-memory store under legal-core.
enum FixtureGraph {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Fixture: Decodable {
        struct Case: Decodable { let key: String; let decision_date: String }
        struct Provision: Decodable { let key: String; let valid_from: String?; let valid_to: String? }
        struct Edge: Decodable { let type: String; let from: String; let to: String; let treatment: String? }
        struct Walk: Decodable {
            struct Expected: Decodable { let distances: [String: Int]; let scores: [String: Double] }
            let name: String
            let seeds: [[Seed]]
            let as_of: String?
            let depth: Int
            let types: [String]?
            let direction: String
            let scope: String
            let expected: Expected
        }
        /// `["c05", 2]`: a key or a weight.
        enum Seed: Decodable {
            case key(String), weight(Double)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) { self = .key(s) } else { self = .weight(try c.decode(Double.self)) }
            }
        }
        let peer: String
        let cases: [Case]
        let provisions: [Provision]
        let edges: [Edge]
        let walks: [Walk]
    }

    static func fixture() throws -> Fixture {
        let url = root.appendingPathComponent("Tests/Fixtures/walks/networkx_walks.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// An empty in-memory store under ontology/legal-core.yaml (the store keeps the
    /// document text: every write re-reads the active ontology from it).
    static func emptyStore() throws -> GraphStore {
        let path = root.appendingPathComponent("ontology/legal-core.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try GraphStore(inMemoryWith: Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text)
    }

    static func date(_ text: String?) -> LegalDate? { text.flatMap { LegalDate(iso: $0) } }

    /// A store holding the fixture graph (cases as SupremeCourtCase, provisions as
    /// Provision; edge validity derived by the store from the citing case).
    static func store() throws -> GraphStore {
        let fixture = try fixture()
        let store = try emptyStore()
        try store.write { w in
            for c in fixture.cases {
                try w.upsert(NodeInput(key: c.key, type: "SupremeCourtCase", properties: ["decision_date": .string(c.decision_date)]))
            }
            for p in fixture.provisions {
                try w.upsert(NodeInput(key: p.key, type: "Provision", validFrom: date(p.valid_from), validTo: date(p.valid_to)))
            }
            for e in fixture.edges {
                let props: [String: Value] = e.treatment.map { ["treatment": .string($0)] } ?? [:]
                try w.upsert(EdgeInput(key: EdgeInput.defaultKey(type: e.type, from: e.from, to: e.to), type: e.type,
                                       from: e.from, to: e.to, properties: props))
            }
        }
        return store
    }

    static func snapshot() throws -> GraphSnapshot {
        try GraphSnapshot.load(store())
    }
}
