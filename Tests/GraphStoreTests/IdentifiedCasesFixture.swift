import Foundation
import GraphStore
import LexgraphCore
import Ontology

/// A few real cases with the identifiers the real graphs give them (keys and values as
/// graphs/scotus.yaml and graphs/echr.yaml write them from the shared data), for the
/// resolver, the data horizon and the CLI tests:
/// - Arkansas Game & Fish Commission v. United States (2012), an SCDB-only case keyed
///   `scotus:scdb:2012-001` whose cite is 568 U.S. 23;
/// - Mapp v. Ohio, Lochner v. New York, Roe v. Wade and Webster (which the Fowler lists
///   say overruled Roe) keyed by usid;
/// - 399 U.S. 520, one cite for two SCDB cases (Crouse v. Wood, merged into the
///   opinion, and Dunn v. Louisiana, its own node);
/// - two cases named Harris v. United States;
/// - Coster v. the United Kingdom (ECtHR) with its ECLI, application number and HUDOC
///   item, and a 2015 ECtHR judgment citing it (a CITES edge later than any SCOTUS one).
enum IdentifiedCasesFixture {
    static func supremeCourtCase(_ key: String, _ name: String, _ date: String, usid: String? = nil, cite: String? = nil,
                                 scdb: String? = nil, term: Int? = nil) -> NodeInput {
        var props: [String: Value] = ["name": .string(name), "decision_date": .string(date)]
        if let usid { props["usid"] = .string(usid) }
        if let cite { props["us_cite"] = .string(cite) }
        if let scdb { props["scdb_case_id"] = .string(scdb) }
        if let term { props["term"] = .int(Int64(term)) }
        return NodeInput(key: key, type: "SupremeCourtCase", properties: props)
    }

    static let nodes: [NodeInput] = [
        supremeCourtCase("scotus:scdb:2012-001", "ARKANSAS GAME AND FISH COMMISSION, PETITIONER v. UNITED STATES", "2012-12-04",
                         usid: "568US23", cite: "568 U.S. 23", scdb: "2012-001", term: 2012),
        supremeCourtCase("scotus:367US643", "MAPP v. OHIO", "1961-06-19", usid: "367US643", cite: "367 U.S. 643", scdb: "1960-133", term: 1960),
        supremeCourtCase("scotus:198US45", "Lochner v. New York", "1905-12-31", usid: "198US45", cite: "198 U.S. 45"),
        supremeCourtCase("scotus:410US113", "ROE et al. v. WADE, DISTRICT ATTORNEY OF DALLAS COUNTY", "1973-01-22", usid: "410US113", cite: "410 U.S. 113", scdb: "1972-048", term: 1972),
        supremeCourtCase("scotus:492US490", "WEBSTER v. REPRODUCTIVE HEALTH SERVICES", "1989-07-03", usid: "492US490",
                         cite: "492 U.S. 490", scdb: "1988-150", term: 1988),
        supremeCourtCase("scotus:399US520", "CROUSE, WARDEN v. WOOD", "1970-06-29", usid: "399US520", cite: "399 U.S. 520", scdb: "1969-138", term: 1969),
        supremeCourtCase("scotus:scdb:1969-136", "DUNN v. LOUISIANA", "1970-06-29", cite: "399 U.S. 520", scdb: "1969-136", term: 1969),
        supremeCourtCase("scotus:331US145", "HARRIS v. UNITED STATES", "1947-05-05", usid: "331US145", cite: "331 U.S. 145", scdb: "1946-095", term: 1946),
        supremeCourtCase("scotus:390US234", "HARRIS v. UNITED STATES", "1968-03-05", usid: "390US234", cite: "390 U.S. 234", scdb: "1967-073", term: 1967),
        NodeInput(key: "echr:ECLI:CE:ECHR:2001:0118JUD002487694", type: "ECtHRJudgment", properties: [
            "name": .string("CASE OF COSTER v. THE UNITED KINGDOM"), "ecli": .string("ECLI:CE:ECHR:2001:0118JUD002487694"),
            "application_number": .string("24876/94"), "hudoc_item": .string("001-59156"), "decision_date": .string("2001-01-18"),
        ]),
        NodeInput(key: "echr:ECLI:CE:ECHR:2015:1015JUD004041712", type: "ECtHRJudgment", properties: [
            "name": .string("CASE OF LATER v. STATE"), "ecli": .string("ECLI:CE:ECHR:2015:1015JUD004041712"),
            "decision_date": .string("2015-10-15"),
        ]),
    ]

    /// (type, from, to); each edge starts when its source was decided.
    static let edges: [(String, String, String)] = [
        ("OVERRULES", "scotus:492US490", "scotus:410US113"),
        ("CITES", "scotus:492US490", "scotus:410US113"),
        ("CITES", "scotus:410US113", "scotus:198US45"),
        ("CITES", "scotus:410US113", "scotus:367US643"),
        ("CITES", "echr:ECLI:CE:ECHR:2015:1015JUD004041712", "echr:ECLI:CE:ECHR:2001:0118JUD002487694"),
    ]

    /// Writes the fixture into `store` (one with the legal-core ontology and its updates).
    static func write(into store: GraphStore) throws {
        try store.write { writer in
            for node in nodes { _ = try writer.upsert(node) }
            for (type, from, to) in edges { _ = try writer.upsert(EdgeInput(type: type, from: from, to: to)) }
        }
    }

    /// An in-memory store with ontology/legal-core.yaml, its updates and the fixture.
    static func inMemoryStore(root: URL) throws -> GraphStore {
        let text = try String(contentsOf: root.appendingPathComponent("ontology/legal-core.yaml"), encoding: .utf8)
        let store = try GraphStore(inMemoryWith: try Ontology(yaml: text, file: "ontology/legal-core.yaml"), documentText: text)
        _ = try store.applyPending(updatesFolder: root.appendingPathComponent("ontology/updates").path)
        try write(into: store)
        return store
    }
}
