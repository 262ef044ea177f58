import Foundation
import GRDB
import GraphAlgorithms
import GraphStore
import Grounding
import LexgraphCore
import XCTest

/// Grounding on the real SCOTUS graph: seeds, facts, features, the leakage test the
/// prediction issue requires, and the per-case cost.
final class RealGraphGroundingTests: XCTestCase {
    override class func tearDown() {
        RealScotusGraph.removeFolder()
        super.tearDown()
    }

    /// Cases from different eras: Mapp v. Ohio (1961), Miranda v. Arizona (1966), New
    /// Jersey v. T.L.O. (1985), Dickerson v. United States (2000).
    static let cases = ["scotus:367US643", "scotus:384US436", "scotus:469US325", "scotus:530US428"]

    func attributesAndDate(_ key: String, _ store: GraphStore) throws -> (CaseAttributes, LegalDate) {
        let attributes = try CaseAttributes(caseKey: key, in: store)
        return (attributes, try XCTUnwrap(attributes.termStart, "\(key) has no term"))
    }

    func testSeedsFollowTheRecipeKeysAndKeepCitationsApart() throws {
        let (store, graph) = try RealScotusGraph.shared()
        let (mapp, asOf) = try attributesAndDate("scotus:367US643", store)
        XCTAssertEqual(asOf, LegalDate(year: 1960, month: 10, day: 1))
        let seeds = CaseSeeds(mapp, asOf: asOf, in: graph, includeOwnCitations: false)
        XCTAssertTrue(seeds.missing.isEmpty, "\(seeds.missing)")
        XCTAssertEqual(seeds.known.first { $0.role == .issue }?.key, mapp.issue.map { "scdb:issue:\($0)" })
        XCTAssertEqual(seeds.known.first { $0.role == .sourceCourt }?.key, mapp.caseSource.map { "scdb:court:\($0)" })
        XCTAssertEqual(seeds.known.first { $0.role == .naturalCourt }?.key, mapp.naturalCourt.map { "scdb:naturalCourt:\($0)" })
        XCTAssertTrue(seeds.citations.isEmpty)
        XCTAssertFalse(seeds.known.contains { $0.key == "scotus:367US643" }, "the case itself is not a seed")

        let withCitations = CaseSeeds(mapp, asOf: asOf, in: graph, includeOwnCitations: true)
        let cited = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT d.key FROM edge e JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst
                WHERE s.key = 'scotus:367US643' AND e.type = 'CITES' AND d.valid_from < ? ORDER BY e.id
                """, arguments: [asOf.iso])
        }
        XCTAssertFalse(cited.isEmpty)
        XCTAssertEqual(withCitations.citations.map(\.key), cited)
        XCTAssertTrue(withCitations.citations.map(\.key).contains("scotus:338US25"), "Mapp cites Wolf v. Colorado")
        XCTAssertEqual(withCitations.known, seeds.known)
    }

    /// The "earlier cases on this issue from this court" counts equal an independent SQL
    /// count over the store (cases sharing the issue and source court, decided strictly
    /// before the date, by partyWinning).
    func testHistoryCountsMatchSQLOverTheStore() throws {
        let (store, graph) = try RealScotusGraph.shared()
        for key in Self.cases {
            let (attributes, asOf) = try attributesAndDate(key, store)
            let grounding = try graph.ground(attributes, asOf: asOf)
            let issue = try XCTUnwrap(attributes.issue), court = try XCTUnwrap(attributes.caseSource)
            let (wins, total) = try store.read { db -> (Int, Int) in
                let row = try XCTUnwrap(try Row.fetchOne(db, sql: """
                    SELECT sum(json_extract(c.props, '$.party_winning') = 1), count(*) FROM node c
                    WHERE c.type = 'SupremeCourtCase' AND c.valid_from < ? AND json_extract(c.props, '$.party_winning') IN (0, 1)
                      AND EXISTS (SELECT 1 FROM edge e JOIN node i ON i.id = e.dst WHERE e.src = c.id AND e.type = 'HAS_ISSUE' AND i.key = ?)
                      AND EXISTS (SELECT 1 FROM edge e JOIN node k ON k.id = e.dst WHERE e.src = c.id AND e.type = 'APPEALED_FROM' AND k.key = ?)
                    """, arguments: [asOf.iso, "scdb:issue:\(issue)", "scdb:court:\(court)"]))
                return ((row[0] as Int?) ?? 0, row[1])
            }
            let fact = grounding.facts.first { $0.kind == .history && $0.text.hasPrefix("Earlier cases on this issue from ") }
            if total == 0 {
                XCTAssertNil(fact, key)
                continue
            }
            let text = try XCTUnwrap(fact, "\(key): no issue+court fact").text
            XCTAssertTrue(text.hasSuffix(": \(wins) won by the petitioner, \(total - wins) by the respondent."), "\(key): \(text)")
            XCTAssertEqual(fact?.path.first?.edgeType, "HAS_ISSUE")
            XCTAssertEqual(fact?.path.last?.nodeKey, "scdb:court:\(court)")
            // Every case named as evidence was decided before the date.
            for evidence in fact?.evidence ?? [] {
                XCTAssertTrue(graph.isVisible(key: evidence, before: asOf), "\(key): evidence \(evidence) is not earlier")
            }
            XCTAssertEqual(grounding.features["log_cases.issue_source_court"], log1p(Double(total)))
        }
    }

    func testFactsAreRankedExplainedAndCutToBudget() throws {
        let (store, graph) = try RealScotusGraph.shared()
        let (mapp, asOf) = try attributesAndDate("scotus:367US643", store)
        let grounding = try graph.ground(mapp, asOf: asOf, options: GroundingOptions(includeOwnCitations: true))
        XCTAssertEqual(grounding.facts.map(\.score), grounding.facts.map(\.score).sorted(by: >))
        XCTAssertEqual(grounding.facts.first?.kind, .seed)
        let wolf = try XCTUnwrap(grounding.facts.first { $0.kind == .precedent && $0.anchor.key == "scotus:338US25" },
                                 grounding.facts.map(\.text).joined(separator: "\n"))
        XCTAssertTrue(wolf.text.contains("(1949)"), wolf.text)
        let related = grounding.facts.filter { $0.kind == .relatedCase }
        XCTAssertFalse(related.isEmpty)
        for fact in related {
            XCTAssertFalse(fact.path.isEmpty, fact.text)
            let reached = try XCTUnwrap(fact.path.last?.nodeKey)
            XCTAssertTrue(graph.isVisible(key: reached, before: asOf), "\(reached) is not earlier than \(asOf)")
        }

        let chars = grounding.context(budget: .characters(200))
        XCTAssertLessThanOrEqual(chars.map(\.text).joined(separator: " ").count, 200)
        XCTAssertFalse(chars.isEmpty)
        let words: @Sendable (String) -> Int = { $0.split(separator: " ").count }
        let tokens = grounding.context(budget: .tokens(40, count: words))
        XCTAssertLessThanOrEqual(tokens.reduce(0) { $0 + words($1.text) }, 40)
        // Budgeted facts keep score order and are the best ones that fit.
        XCTAssertEqual(tokens.first, grounding.facts.first)
        XCTAssertEqual(tokens.map(\.score), tokens.map(\.score).sorted(by: >))
    }

    func testFeatureVectorIsFixedLengthNamedAndFinite() throws {
        let (store, graph) = try RealScotusGraph.shared()
        for key in Self.cases {
            let (attributes, asOf) = try attributesAndDate(key, store)
            for citations in [false, true] {
                let features = try graph.ground(attributes, asOf: asOf, options: GroundingOptions(includeOwnCitations: citations)).features
                XCTAssertEqual(features.values.count, GraphFeatures.names.count)
                XCTAssertEqual(Set(GraphFeatures.names).count, GraphFeatures.names.count, "names are unique")
                XCTAssertTrue(features.values.allSatisfy(\.isFinite), "\(key): \(features.values)")
                for name in GraphFeatures.names where name.hasPrefix("win_rate.") || name.hasSuffix("win_rate") {
                    XCTAssertTrue((0...1).contains(features[name] ?? -1), "\(key) \(name) = \(features[name] ?? .nan)")
                }
                XCTAssertEqual(features["cites.log_count"] == 0, !citations || graph.ownCitations(of: key).isEmpty, key)
            }
        }
    }

    // MARK: Leakage

    /// Everything dated on or after a case's as-of date is deleted or altered: later
    /// case nodes are deleted (half) or get flipped outcomes and new codes (the rest,
    /// the case itself included); later edges are deleted, except the case's own
    /// out-citations, which the rules allow; new later citations and code edges are
    /// added. Facts and features, with and without citations, must not change.
    /// Control: altering earlier outcomes (every earlier loss on the issue or from the
    /// lower court made a win; a
    /// flip could leave a half-and-half issue unchanged) and citations must change them.
    func testNothingDatedOnOrAfterTheDateReachesFactsOrFeatures() throws {
        let (store, graph) = try RealScotusGraph.shared()
        for (n, key) in Self.cases.enumerated() {
            let (attributes, asOf) = try attributesAndDate(key, store)
            let issueKey = "scdb:issue:\(try XCTUnwrap(attributes.issue))"
            let courtKey = "scdb:court:\(try XCTUnwrap(attributes.caseSource))"
            let d = asOf.iso
            let later = try RealScotusGraph.variant("later-\(n)", sql: [
                "UPDATE node SET props = json_set(props, '$.party_winning', 1 - coalesce(json_extract(props, '$.party_winning'), 0), '$.lc_disposition_code', 99, '$.name', 'LATER ' || key) WHERE valid_from >= ?",
                "INSERT INTO edge(key, type, src, dst, props, valid_from) SELECT 'leak:cites:' || e.id || ':' || l.id, 'CITES', l.id, e.dst, '{}', ? FROM edge e, (SELECT id FROM node WHERE type = 'SupremeCourtCase' AND valid_from >= ? AND key <> ? AND id % 2 = 1 LIMIT 3) l WHERE e.src = (SELECT id FROM node WHERE key = ?) AND e.type = 'CITES'",
                "INSERT INTO edge(key, type, src, dst, props, valid_from) SELECT 'leak:' || t.type || ':' || l.id, t.type, l.id, (SELECT id FROM node WHERE key = t.dst), '{}', ? FROM (SELECT 'HAS_ISSUE' AS type, ? AS dst UNION ALL SELECT 'APPEALED_FROM', ?) t, (SELECT id FROM node WHERE type = 'SupremeCourtCase' AND valid_from >= ? AND key <> ? AND id % 2 = 1 LIMIT 25) l",
                "DELETE FROM edge WHERE valid_from >= ? AND key NOT LIKE 'leak:%' AND NOT (type = 'CITES' AND src = (SELECT id FROM node WHERE key = ?))",
                "DELETE FROM node WHERE valid_from >= ? AND id % 2 = 0 AND key <> ?",
            ], arguments: [[d], [d, d, key, key], [d, issueKey, courtKey, d, key], [d, key], [d, key]])
            let earlier = try RealScotusGraph.variant("earlier-\(n)", sql: [
                "UPDATE node SET props = json_set(props, '$.party_winning', 1) WHERE valid_from < ? AND json_extract(props, '$.party_winning') = 0 AND id IN (SELECT e.src FROM edge e JOIN node i ON i.id = e.dst WHERE (e.type = 'HAS_ISSUE' AND i.key = ?) OR (e.type = 'APPEALED_FROM' AND i.key = ?))",
                "DELETE FROM edge WHERE type = 'CITES' AND valid_from < ? AND id % 2 = 0 AND dst IN (SELECT dst FROM edge WHERE type = 'CITES' AND src = (SELECT id FROM node WHERE key = ?))",
            ], arguments: [[d, issueKey, courtKey], [d, key]])

            for citations in [false, true] {
                let options = GroundingOptions(includeOwnCitations: citations)
                let base = try graph.ground(attributes, asOf: asOf, options: options)
                let afterLaterChanges = try later.ground(attributes, asOf: asOf, options: options)
                let afterEarlierChanges = try earlier.ground(attributes, asOf: asOf, options: options)
                let label = "\(key) as of \(d), citations \(citations)"

                XCTAssertEqual(afterLaterChanges.seeds.all, base.seeds.all, label)
                XCTAssertEqual(afterLaterChanges.facts.map(\.text), base.facts.map(\.text), label)
                XCTAssertEqual(afterLaterChanges.facts.map(\.path), base.facts.map(\.path), label)
                XCTAssertEqual(afterLaterChanges.facts.map(\.evidence), base.facts.map(\.evidence), label)
                XCTAssertEqual(afterLaterChanges.facts.map(\.score), base.facts.map(\.score), label)
                XCTAssertEqual(afterLaterChanges.features.values, base.features.values, label)
                XCTAssertEqual(afterLaterChanges.reachedCount, base.reachedCount, label)

                // Control: the test can see a change.
                XCTAssertNotEqual(afterEarlierChanges.facts.map(\.text), base.facts.map(\.text), label)
                XCTAssertNotEqual(afterEarlierChanges.features.values, base.features.values, label)
                XCTAssertNotEqual(afterEarlierChanges.features["win_rate.source_court"], base.features["win_rate.source_court"], label)
                if citations && !base.seeds.citations.isEmpty {
                    XCTAssertNotEqual(afterEarlierChanges.features["cites.mean_log_in_citations"], base.features["cites.mean_log_in_citations"], label)
                }
            }
        }
    }

    // MARK: Cost

    /// Grounds a few hundred SCDB cases on the shared graph and reports the median time
    /// per case (the prediction layer grounds ~10k cases).
    func testGroundingIsMillisecondsPerCase() throws {
        let (store, graph) = try RealScotusGraph.shared()
        let keys = try store.read { db in
            try String.fetchAll(db, sql: "SELECT key FROM node WHERE type = 'SupremeCourtCase' AND json_extract(props, '$.scdb_case_id') IS NOT NULL AND id % 25 = 0 LIMIT 300")
        }
        var times: [Double] = [], withCitations: [Double] = []
        for key in keys {
            let attributes = try CaseAttributes(caseKey: key, in: store)
            guard let asOf = attributes.termStart else { continue }
            var start = Date()
            _ = try graph.ground(attributes, asOf: asOf)
            times.append(Date().timeIntervalSince(start) * 1000)
            start = Date()
            _ = try graph.ground(attributes, asOf: asOf, options: GroundingOptions(includeOwnCitations: true))
            withCitations.append(Date().timeIntervalSince(start) * 1000)
        }
        let median = times.sorted()[times.count / 2], medianCited = withCitations.sorted()[withCitations.count / 2]
        print(String(format: "grounding: %d cases, median %.2f ms (p90 %.2f), with citations median %.2f ms", times.count, median,
                     times.sorted()[times.count * 9 / 10], medianCited))
        XCTAssertGreaterThan(times.count, 200)
        XCTAssertLessThan(median, 25, "per-case grounding should stay in the low milliseconds")
    }
}
