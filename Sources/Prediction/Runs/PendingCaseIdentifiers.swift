import GraphStore
import LexgraphCore
import Ontology

/// Checks the identifiers a pending case names against the graph `predict` grounds it in:
/// a `usid` must have the ontology's `usid` format and name a `SupremeCourtCase` the graph
/// holds. A usid the graph does not know is an error, not a silently ungrounded case: it
/// is either a typo or a case the graph cannot speak about, and in both cases the user
/// should see it (leave `usid` out for a case the graph does not hold yet).
public struct PendingCaseIdentifiers {
    /// The node type whose `usid` property a case's usid names.
    static let caseType = "SupremeCourtCase"
    let store: GraphStore
    let ontology: Ontology

    public init(store: GraphStore) throws {
        self.store = store
        self.ontology = try store.activeOntology()
    }

    /// Throws, at `location`, when `input.usid` is malformed or not in the graph.
    func check(_ input: CaseInput, at location: SourceLocation) throws {
        guard let usid = input.usid else { return }
        if let spec = ontology.properties(ofNodeType: Self.caseType)["usid"],
           let problem = ontology.problem(with: .string(usid), for: spec) {
            throw PredictionError("usid \(Value.string(usid).jsonText) is malformed: \(problem)", at: location)
        }
        guard try holds(usid: usid) else {
            throw PredictionError("usid \(Value.string(usid).jsonText) is not in the graph (no \(Self.caseType) has it): "
                                  + "correct it, or leave usid out for a case the graph does not hold", at: location)
        }
    }

    /// Whether a node carries `usid`, whatever its key.
    func holds(usid: String) throws -> Bool {
        try store.hasNode(withIdentifier: "usid", equalTo: usid)
    }
}
