import Foundation
import XCTest

/// Every `lexgraph ...` line of a ```sh block in README.md runs against the real graphs
/// (scotus + echr, built once by the README's own build example), exits 0 and prints
/// what the data says it should. A README line without a check here fails, as does a
/// check or an exclusion whose line left the README.
final class ReadmeExampleTests: XCTestCase {
    /// Lines not run, each with its reason: they need the fused transformer's run folders,
    /// whose training takes 10-45 minutes each, or they are benchmarks against a peer.
    static let excluded: [String: String] = [
        "lexgraph drift --run runs/segment-head --cases pending.jsonl --report reports/drift-pending":
            "needs runs/segment-head, a fused training (excluded); drift is tested by DriftCommandTests on a split_full run folder's config",
        "lexgraph model outcomes scotus-outcome arrived.jsonl":
            "needs a registered case-outcome run and arrived cases; tested by RetrainCommandTests on a graph-logistic run it trains",
        "lexgraph model performance scotus-outcome --window 20":
            "needs recorded outcomes (above, excluded); tested by RetrainCommandTests",
        "lexgraph retrain --policy retrain.yaml --dry-run":
            "needs a registered case-outcome run with outcomes (excluded above); tested by RetrainCommandTests (hold, dry run, refused, promoted)",
        "lexgraph fuzz-query --seconds 300 --seed 3":
            "a bounded fuzz run of five minutes, not a test; the command's output is tested by QueryFuzzerTests with a two-second run",
        "lexgraph fuzz-query --seconds 240 --seed 4 --db /tmp/legal.sqlite":
            "a bounded fuzz run of four minutes on a database the line builds elsewhere; the command is tested by QueryFuzzerTests",
        "lexgraph bench model --batch 16 --seq 128 --threads 1,2":
            "a benchmark, not a test: minutes of timed rounds, each in a fresh process, beside the PyTorch peer tools/bench_model_peer.py (needs torch)",
        "lexgraph train --split split_full --model fused-transformer --fusion none --graph-head off --max-length 192 --epochs 2 --out runs/text":
            "long training: fine-tunes MiniLM, 8-19 minutes",
        "lexgraph train --split split_full --model fused-transformer --fusion segment --graph-head on --max-length 192 --epochs 2 --out runs/segment-head":
            "long training: fine-tunes MiniLM, 8-19 minutes",
        "lexgraph eval runs/text runs/segment-head runs/graph-logistic --format md":
            "needs the run folders of the two fused trainings above (excluded)",
        "lexgraph bench explain --run runs/segment-head --cases pending.jsonl --top 5":
            "a benchmark, not a test, on runs/segment-head (a fused training, excluded); the command is tested by BenchExplainTests on a tiny fused run",
        "lexgraph predict --cases pending.jsonl --top 5":
            "needs runs/classical-blend-walk-forward, which the train line writes in its own temporary folder; the default run is tested by "
            + "PredictDefaultRunTests, predict on a trained run by testTrainedRunWorksFromAnyDirectory",
        "lexgraph eval runs/glr-walk-forward runs/classical-blend-walk-forward --format md":
            "compares two run folders that two checked train lines write, each in its own temporary folder; the blend's scores are tested by ClassicalBlendModelTests",
        "lexgraph eval runs/graph-logistic runs/classical-blend-split_full --format md":
            "compares two run folders that two checked train lines write, each in its own temporary folder; the blend's scores are tested by ClassicalBlendModelTests",
        "lexgraph predict --run runs/segment-head --cases pending.jsonl --top 5":
            "needs runs/segment-head, a fused training (excluded); predict on a graph-logistic run is tested in testTrainedRunWorksFromAnyDirectory",
        "lexgraph train --split split_full --model fused-transformer --fusion kbert --graph-head on --fusion-join gating --max-length 192 --epochs 2 --trainable-layers 1 --threads 1 --out runs/kbert-head-gating":
            "long training: fine-tunes MiniLM, 8-19 minutes",
        "lexgraph eval runs/graph-logistic runs/text runs/segment runs/kbert runs/text-head runs/segment-head runs/kbert-head runs/kbert-head-gating --format md":
            "needs seven fused run folders (long trainings)",
        "lexgraph train --model fused-transformer --split walk-forward --fusion none --graph-head off --trainable-layers 0 --max-length 192 --epochs 3 --out runs/wf-text-t0":
            "long training: walk-forward over 13 terms with the encoder, about 45 minutes",
        "lexgraph train --model fused-transformer --split walk-forward --fusion kbert --graph-head on --trainable-layers 0 --max-length 192 --epochs 3 --out runs/wf-kbert-head-t0":
            "long training: walk-forward over 13 terms with the encoder, about 45 minutes",
        "lexgraph eval runs/glr-walk-forward runs/wf-text-t0 runs/wf-segment-t0 runs/wf-kbert-t0 runs/wf-text-head-t0 runs/wf-segment-head-t0 runs/wf-kbert-head-t0 --format md":
            "needs six fused walk-forward run folders (long trainings)",
        "lexgraph finetune --train runs/data/clause-types/train.jsonl --dev runs/data/clause-types/dev.jsonl --task classify --id-field id --freeze-layers 6 --pooling cls --lr 3e-3 --epochs 10 --batch-size 32 --threads 2 --out runs/clause-types":
            "training: caches MiniLM's output for 17,696 clauses (about 10 minutes on 2 cores); finetune is tested by FineTuneCommandTests on a tiny model",
        "lexgraph finetune --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --task multilabel --id-field id --freeze-layers 6 --pooling cls --class-weight balanced --lr 2e-3 --epochs 15 --threads 2 --out runs/unfair-tos-1":
            "training: about 2 minutes on 2 cores; finetune is tested by FineTuneCommandTests on a tiny model",
        "lexgraph finetune --train runs/data/clause-types/train.jsonl --dev runs/data/clause-types/dev.jsonl --task classify --id-field id --freeze-layers 4 --pooling mean --max-length 96 --epochs 3 --lr 1.5e-4 --batch-size 32 --threads 2 --out runs/clause-types-t2":
            "long training: two encoder layers fine-tuned, about 25 minutes on 2 cores",
        "lexgraph pretrain --data ../shared/data --out runs/pretrain-minilm --max-steps 300 --batch-size 16 --lr 1e-4 --threads 2 --save-every 50":
            "long training: builds the legal corpus and pretrains MiniLM for about an hour on 2 cores; pretrain is tested by PretrainCommandTests on a dozen sentences",
        "lexgraph finetune --model runs/pretrain-minilm/model --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --task multilabel --id-field id --freeze-layers 6 --pooling cls --class-weight balanced --lr 2e-3 --epochs 15 --threads 2 --out runs/unfair-tos-1-dapt":
            "needs runs/pretrain-minilm (training above, excluded); finetune from an adapted encoder is tested by PretrainCommandTests",
        "lexgraph finetune --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --task multilabel --id-field id --pooling cls --class-weight balanced --lora-rank 8 --lora-alpha 16 --lr 5e-4 --epochs 3 --threads 2 --out runs/unfair-tos-lora-1":
            "long training: LoRA through all six MiniLM layers, several minutes on 2 cores; --lora-rank is tested by FineTuneCommandTests and FineTuneLoRATests on a tiny model",
        "lexgraph embed runs/data/clause-types/train.jsonl --max-length 128 --threads 2 > runs/emb/clause-types-train.jsonl":
            "embeds 15,729 clauses with MiniLM (tens of minutes on 2 shared cores); embed is tested by ClausesFitTests.testEmbedWritesVectorsOfPreparedMultiLabelFiles",
        "lexgraph clauses fit --data runs/data/clause-types --method knn --embeddings runs/emb/clause-types-train.jsonl --embeddings runs/emb/clause-types-dev.jsonl --embeddings runs/emb/clause-types-test.jsonl --out runs/fit/clause-types-knn --threads 2":
            "needs the embeddings above (excluded); every method of clauses fit is tested by ClausesFitTests and ClauseLearningTests on tiny tasks",
        "lexgraph clauses fit --data runs/data/clause-types --method tfidf --out runs/fit/clause-types-tfidf --threads 2":
            "about 5 minutes a C over 15,729 clauses and 394 classes; tfidf is tested by ClausesFitTests on a tiny task, TfidfVectorizer and the solvers against scikit-learn",
        "lexgraph clauses fit --data runs/data/unfair-tos-1 --method hybrid --embeddings runs/emb/unfair-tos-train.jsonl --embeddings runs/emb/unfair-tos-dev.jsonl --embeddings runs/emb/unfair-tos-test.jsonl --solver adamw --min-df 2 --lr 0.02,0.05,0.1 --out runs/fit/unfair-tos-hybrid-1 --threads 2":
            "needs the unfair-tos embeddings (excluded with the embed line); hybrid is tested by ClausesFitTests.testTfidfAndHybridTagMultiLabelTasks",
        "lexgraph clauses fit --data runs/data/unfair-tos-1 --method hybrid --embeddings runs/emb/unfair-tos-train.jsonl --embeddings runs/emb/unfair-tos-dev.jsonl --embeddings runs/emb/unfair-tos-test.jsonl --out runs/fit/unfair-tos-hybrid-svm-1 --threads 2":
            "needs the unfair-tos embeddings (excluded with the embed line); hybrid with the SVM is tested by ClausesFitTests.testEachMethodPrintsItsScoresAndWritesItsFiles, its stacked columns against scikit-learn by SparseLinearSolverTests",
        "lexgraph clauses eval --data runs/data/clause-types --run runs/clause-types --threads 2":
            "needs runs/clause-types (training above, excluded); clauses eval is tested by ClausesEvalTests on tiny runs",
        "lexgraph clauses eval --data runs/data/unfair-tos-1 --run runs/unfair-tos-1 --threads 2":
            "needs runs/unfair-tos-1 (training above, excluded); clauses eval is tested by ClausesEvalTests on tiny runs",
        "lexgraph review ../shared/data/contracts/commonpaper-Mutual-NDA.md --types-model runs/clause-types --unfair-model runs/unfair-tos-1":
            "needs the two trained runs (excluded); review is tested by ReviewCommandTests and ContractReviewerTests on a tiny model",
        "lexgraph review CONTRACT.txt --types-model runs/clause-types --contract-type data-processing-agreement --format markdown":
            "CONTRACT.txt stands for the user's file; review is tested by ReviewCommandTests",
        "lexgraph mask --new-key --key-file var/vault.key":
            "writes a key into the checkout's var/; --new-key is tested by MaskCommandTests.testVaultRoundTripAndAWrongKeyLeaksNothing",
        "lexgraph mask cases.jsonl --field facts --party-field first_party --mode substitute --seed corpus-1 --vault var/corpus.vault --key-file var/vault.key --out masked.jsonl":
            "cases.jsonl stands for the user's corpus; the same options are tested by MaskCommandTests.testVaultRoundTripAndAWrongKeyLeaksNothing",
        "lexgraph mask masked.jsonl --field facts --party-field first_party --unmask --vault var/corpus.vault --key-file var/vault.key":
            "needs the vault of the line above; --unmask is tested by MaskCommandTests.testVaultRoundTripAndAWrongKeyLeaksNothing",
        "lexgraph mask letter.txt --policy masking.yaml":
            "letter.txt and masking.yaml stand for the user's files; policies are tested by MaskCommandTests and MaskingPolicyTests",
        "lexgraph tag clauses.jsonl --types-model runs/clause-types --unfair-model runs/unfair-tos-1":
            "clauses.jsonl stands for the user's file; tag is tested by ReviewCommandTests.testTagWritesOneLinePerInputLineAndNamesTheBadLine",
        "lexgraph serve --config serve.yaml":
            "a server that runs until SIGTERM; ServeCommandTests starts it with a config, queries it over HTTP and stops it with SIGTERM",
        "lexgraph model register runs/unfair-tos-1 --name unfair-terms --alias candidate":
            "needs runs/unfair-tos-1 (training above, excluded); register is tested by ModelRegistryCommandTests on the tiny runs of Tests/Fixtures/serving",
        "lexgraph model promote unfair-terms --version 1 --alias production":
            "needs the registration above (excluded); promote is tested by ModelRegistryCommandTests and ModelRouteTests",
        "lexgraph model rollback unfair-terms --alias production":
            "needs the registration above (excluded); rollback is tested by ModelRegistryCommandTests and ModelRouteTests",
        "lexgraph model infer unfair-terms 'We may terminate your account at any time.'":
            "needs the registration above (excluded); infer is tested by ModelRegistryCommandTests against transformers' probabilities",
        "lexgraph token revoke ID":
            "ID stands for the id `token create` printed; revoke is tested by ServeCommandTests.testTokenCreateListRevoke",
        "lexgraph label simulate --task runs/data/unfair-tos-1 --seeds 3 --rounds 30 --k 20 --threads 2 --out runs/al-unfair-tos-1":
            "a benchmark: embeds 3,057 texts with MiniLM, then 5 strategies x 3 seeds x 31 rounds (minutes); simulate is tested by LabelCommandTests on a tiny model",
        "lexgraph label simulate --task runs/data/clause-types --seeds 3 --rounds 30 --k 100 --max-length 128 --threads 2 --out runs/al-clause-types":
            "a benchmark: embeds 17,696 clauses with MiniLM (minutes) before the rounds; simulate is tested by LabelCommandTests on a tiny model",
        "lexgraph label --pool pool.jsonl --labels classes.txt --state runs/label-session --k 10 --strategy margin":
            "pool.jsonl and classes.txt stand for the curator's files; the loop is tested by LabelCommandTests on a tiny model",
        "lexgraph label --pool pool.jsonl --labels classes.txt --state runs/label-session --answers answers.jsonl":
            "the curator's files (see above); the answers round trip is tested by LabelCommandTests and CuratorSessionTests",
        "lexgraph tune --space docs/tune-space-unfair-tos.yaml --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --test runs/data/unfair-tos-1/test.jsonl --task multilabel --id-field id --freeze-layers 6 --class-weight balanced --threads 2 --out runs/tune-unfair-tos-1":
            "a study: 9 head-only trials on 2,292 texts (minutes); tune is tested by TuneCommandTests on MiniLM and a dozen texts, and by FineTuneStudyTests",
        "lexgraph tune --grid --space docs/tune-space-unfair-tos.yaml --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --test runs/data/unfair-tos-1/test.jsonl --task multilabel --id-field id --freeze-layers 6 --class-weight balanced --threads 2 --out runs/grid-unfair-tos-1":
            "a benchmark: all 9 configurations for 9 epochs each (minutes); --grid is tested by ASHAReferenceTests.testGridTrainsEveryConfigurationForTheFullBudget",
        "lexgraph key generate --out secrets/db.key":
            "writes a key into the checkout's secrets/; generate is tested by KeyCommandTests.testEncryptedDatabaseEndToEnd",
        "lexgraph build all --db var/encrypted.sqlite":
            "builds every graph again (minutes), encrypted; encrypted loads and queries are tested by KeyCommandTests and EncryptedDatabaseTests",
        "lexgraph key encrypt --db var/lexgraph.sqlite --key-file secrets/db.key":
            "would rewrite the checkout's database; encrypt is tested by KeyCommandTests.testEncryptedDatabaseEndToEnd",
        "lexgraph key rotate --db var/lexgraph.sqlite --old-key-file secrets/db.key --new-key-file secrets/db-2027.key":
            "needs the encrypted database and keys of the lines above; rotate is tested by KeyCommandTests and EncryptedDatabaseTests",
        "lexgraph key decrypt --db var/lexgraph.sqlite --key-file secrets/db-2027.key":
            "needs the rotated database of the line above; decrypt is tested by KeyCommandTests.testEncryptedDatabaseEndToEnd",
        "lexgraph label --pool pool.jsonl --labels classes.txt --state runs/label-session --interactive":
            "an interactive prompt over the curator's files; tested over stdin by LabelCommandTests and LabelPrompt by CuratorSessionTests",
    ]

    /// How to run one README line and what its output must show.
    struct Check: Sendable {
        /// Standard input (the shell reads its queries there).
        var input = ""
        /// Run in a fresh temporary folder (commands that write relative paths such as
        /// `--out runs/NAME`) instead of the package root; the database, data and model
        /// are then given through their environment variables.
        var inTemporaryFolder = false
        var verify: @Sendable (CLI.Result, Context) throws -> Void
    }

    struct Context: Sendable {
        let database: String
        let folder: URL
        /// `lexgraph query TEXT --format json` on the shared graph, as JSON Lines.
        func rows(_ text: String) throws -> [[String: Any]] {
            let r = try CLI.run(["query", text, "--format", "json", "--db", database])
            guard r.status == 0 else { throw CLI.Failure(description: "helper query failed: \(r)") }
            return try CLI.jsonLines(r.stdout)
        }
    }

    /// The table rows of `query` output (between the header rule and the row count).
    static func tableRows(_ out: String) -> [[String]] {
        let lines = out.split(separator: "\n").map(String.init)
        guard let rule = lines.firstIndex(where: { $0.hasPrefix("---") }) else { return [] }
        return lines[(rule + 1)...].prefix { !$0.hasPrefix("(") }.map { line in
            line.components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    static func unquoted(_ cell: String) -> String {
        cell.hasPrefix("'") && cell.hasSuffix("'") && cell.count >= 2 ? String(cell.dropFirst().dropLast()) : cell
    }

    static let updateFile = "ontology/updates/0002-2026-11-29-ecthr-judgment.yaml"

    static let checks: [String: Check] = [
        // The service's tokens (the line before `token list` in the README makes one).
        "lexgraph token create --name ops-dashboard --role reader": Check { r, _ in
            XCTAssertNotNil(r.stdout.range(of: "^lgx_[0-9a-f]{12}_[0-9a-f]{64}\n$", options: .regularExpression), "\(r)")
            XCTAssertTrue(r.stderr.contains("for 'ops-dashboard' with the role reader; this is the only time it is shown"), "\(r)")
        },
        // The README's registrations are excluded (they need trained runs): an empty registry.
        "lexgraph model list": Check { r, _ in
            XCTAssertEqual(r.lines.first?.split(separator: " ").map(String.init), ["NAME", "VERSION", "KIND", "ALIASES", "CREATED", "FINGERPRINT", "RUN"], "\(r)")
            XCTAssertNotNil(r.lines.last?.range(of: "^\\([0-9]+ versions? of [0-9]+ models?\\)$", options: .regularExpression), "\(r)")
        },
        "lexgraph token list": Check { r, _ in
            XCTAssertEqual(r.lines.first?.split(separator: " ").map(String.init), ["ID", "NAME", "ROLE", "CREATED", "EXPIRES", "REVOKED"], "\(r)")
            XCTAssertTrue(r.lines.contains { $0.split(separator: " ").prefix(3).dropFirst().map(String.init) == ["ops-dashboard", "reader"] }, "\(r)")
            XCTAssertNotNil(r.lines.last?.range(of: "^\\([0-9]+ tokens?, [0-9]+ revoked\\)$", options: .regularExpression), "\(r)")
        },
        "lexgraph ontology validate \(updateFile)": Check { r, _ in
            XCTAssertTrue(r.stdout.hasPrefix("OK: update 2 (2026-11-29) turns version 1 into"), "\(r)")
            // The update file's own change, read from the file.
            let text = try String(contentsOf: CLI.root.appendingPathComponent(updateFile), encoding: .utf8)
            XCTAssertTrue(text.contains("ECtHRJudgment"))
            XCTAssertTrue(r.stdout.contains("rename node type 'ECtHRCase' to 'ECtHRJudgment'"), "\(r)")
        },
        // The build applied every update, so diff and apply report it as applied.
        "lexgraph ontology diff \(updateFile)": Check { r, _ in
            XCTAssertTrue(r.stdout.contains("ontology version 1 -> 2: already applied"), "\(r)")
        },
        "lexgraph ontology apply \(updateFile)": Check { r, _ in
            XCTAssertTrue(r.stdout.contains("ontology version 1 -> 2: already applied"), "\(r)")
        },
        // The README's build applied the ontology updates and loaded the graphs: each an
        // audit entry, chained.
        "lexgraph audit verify": Check { r, _ in
            XCTAssertTrue(r.stdout.hasPrefix("OK: "), "\(r)")
            XCTAssertTrue(r.stdout.contains(" audit entries, chain intact; head "), "\(r)")
            XCTAssertFalse(r.stdout.hasPrefix("OK: 0 "), "the build is audited: \(r)")
        },
        "lexgraph audit show --since 2026-12-01": Check { r, _ in
            XCTAssertTrue(r.lines.contains { $0.contains("  build  scotus echr  ok: ") }, "\(r)")
            XCTAssertTrue(r.lines.contains { $0.contains("  ontology.apply  ontology/updates  applied update 2: version 1 -> 2") }, "\(r)")
        },
        "lexgraph ontology history": Check { r, _ in
            let versions = r.lines.filter { $0.hasPrefix("v") }.map { String($0.prefix { $0 != " " }) }
            let updates = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("ontology/updates").path).filter { $0.hasSuffix(".yaml") }
            XCTAssertEqual(versions, (1...(1 + updates.count)).map { "v\($0)" }, "\(r)")
        },
        // Miranda (384 U.S. 436, decided 1966-06-13): the five latest cases it cites.
        "lexgraph query \"MATCH (m:SupremeCourtCase {usid: '384US436'})-[:CITES]->(p) RETURN p.name, p.decision_date ORDER BY p.decision_date DESC LIMIT 5\"":
            Check { r, c in
                let rows = tableRows(r.stdout)
                XCTAssertEqual(rows.count, 5, "\(r)")
                let dates = rows.map { unquoted($0[1]) }
                XCTAssertEqual(dates, dates.sorted(by: >), "newest first")
                XCTAssertTrue(dates.allSatisfy { $0 < "1966-06-13" }, "a case cites only earlier cases: \(dates)")
                let all = try c.rows("MATCH (m:SupremeCourtCase {usid: '384US436'})-[:CITES]->(p) RETURN p.decision_date AS d")
                let latest = all.compactMap { $0["d"] as? String }.sorted(by: >).prefix(5)
                XCTAssertEqual(dates, Array(latest), "the five latest of all \(all.count) cited cases")
            },
        "lexgraph query \"MATCH (c:Case) WHERE fts(c, 'eviction') IS NOT NULL RETURN c.name ORDER BY fts(c, 'eviction') DESC LIMIT 5\"":
            Check { r, c in
                let names = tableRows(r.stdout).map { unquoted($0[0]) }
                XCTAssertEqual(names.count, 5, "\(r)")
                let scored = try c.rows("MATCH (c:Case) WHERE fts(c, 'eviction') IS NOT NULL RETURN c.name AS name, fts(c, 'eviction') AS score ORDER BY score DESC LIMIT 5")
                XCTAssertEqual(names, scored.compactMap { $0["name"] as? String })
                let scores = scored.compactMap { $0["score"] as? Double }
                XCTAssertEqual(scores.count, 5)
                XCTAssertEqual(scores, scores.sorted(by: >))
            },
        // Mapp v. Ohio (367 U.S. 643): citing cases within two hops as of 1970; at least
        // the direct citers (counted with the leading AS OF form).
        "lexgraph query \"MATCH (a)-[:CITES*1..2]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS OF '1970-01-01'\"":
            Check { r, c in
                let rows = tableRows(r.stdout)
                XCTAssertEqual(rows.count, 1, "\(r)")
                let twoHops = Int(rows.first?.first ?? "") ?? -1
                let direct = try c.rows("AS OF '1970-01-01' MATCH (a)-[:CITES]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS n").first?["n"] as? Int ?? -1
                let undated = try c.rows("MATCH (a)-[:CITES*1..2]->(b {usid: '367US643'}) RETURN count(DISTINCT a) AS n").first?["n"] as? Int ?? -1
                XCTAssertGreaterThan(direct, 0)
                XCTAssertGreaterThanOrEqual(twoHops, direct)
                XCTAssertLessThan(twoHops, undated, "as of 1970 fewer cases cite it than in all the data")
            },
        // Adamson v. California (332 U.S. 46) as of 1960, before Malloy v. Hogan overruled it.
        "lexgraph query \"MATCH (c:SupremeCourtCase) WHERE c.usid = '332US46' RETURN citator(c).level AS OF '1960-01-01'\"":
            Check { r, c in
                let rows = tableRows(r.stdout)
                XCTAssertEqual(rows.count, 1, "\(r)")
                let overrulings = try c.rows("MATCH (o)-[:OVERRULES]->(c:SupremeCourtCase {usid: '332US46'}) RETURN o.decision_date AS d").compactMap { $0["d"] as? String }
                XCTAssertFalse(overrulings.isEmpty)
                XCTAssertTrue(overrulings.allSatisfy { $0 > "1960-01-01" }, "overruled only after 1960: \(overrulings)")
                XCTAssertNotEqual(rows.first.map { unquoted($0[0]) }, "overruled", "not overruled as of 1960: \(r)")
                XCTAssertTrue(["good law", "negative treatment", "relies on overruled authority"].contains(rows.first.map { unquoted($0[0]) } ?? ""), "\(r)")
            },
        "lexgraph query --param issue=Search 'MATCH (c:SupremeCourtCase)-[:HAS_ISSUE]->(i:Issue) WHERE i.name STARTS WITH $issue RETURN i.name AS issue, count(c) AS cases ORDER BY cases DESC' --format json":
            Check { r, c in
                let rows = try CLI.jsonLines(r.stdout)
                XCTAssertFalse(rows.isEmpty, "\(r)")
                XCTAssertTrue(rows.allSatisfy { ($0["issue"] as? String)?.hasPrefix("Search") == true }, "\(r)")
                let counts = rows.compactMap { $0["cases"] as? Int }
                XCTAssertEqual(counts, counts.sorted(by: >))
                let issues = try c.rows("MATCH (i:Issue) RETURN i.name AS name").compactMap { $0["name"] as? String }.filter { $0.hasPrefix("Search") }
                XCTAssertEqual(Set(rows.compactMap { $0["issue"] as? String }), Set(issues), "every Search issue has cases")
            },
        "lexgraph shell": Check(input: "MATCH (m:SupremeCourtCase {usid: '367US643'})\nRETURN m.name AS name;\n:history\n") { r, c in
            let name = try c.rows("MATCH (m:SupremeCourtCase {usid: '367US643'}) RETURN m.name AS name").first?["name"] as? String
            XCTAssertEqual(name, "MAPP v. OHIO")
            XCTAssertTrue(r.stdout.contains("'MAPP v. OHIO'"), "\(r)")
            XCTAssertTrue(r.stdout.contains("(1 row)"), "\(r)")
            XCTAssertEqual(r.stderr, "", "\(r)")
        },
        "lexgraph build scotus echr --db /tmp/legal.sqlite": Check { r, c in
            // The run that built the shared graph: counts as the data says.
            let nodes = try c.rows("MATCH (n) RETURN count(n) AS n").first?["n"] as? Int ?? -1
            XCTAssertGreaterThan(nodes, 30_000)
            let citations = try String(contentsOf: CLI.root.appendingPathComponent("../shared/data/scotus/citation_edges.csv"), encoding: .utf8)
                .split(separator: "\n").count - 1
            let cites = try c.rows("MATCH (a:SupremeCourtCase)-[:CITES]->() RETURN count(*) AS n").first?["n"] as? Int
            XCTAssertEqual(cites, citations, "one CITES edge per line of the citation network")
            XCTAssertFalse(r.stdout.isEmpty)
        },
        "lexgraph walk scotus:367US643 --as-of 1966-06-12 --depth 2 --direction both --pagerank --limit 10": Check { r, _ in
            let rows = r.lines.filter { $0.first?.isNumber == true && !$0.contains(" reached nodes") }
            XCTAssertEqual(rows.count, 10, "\(r)")
            for row in rows {
                let words = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let hops = Int(words[2]), let path = row.range(of: "scotus:367US643 ") else { XCTFail("bad row: \(row)"); continue }
                XCTAssertTrue((1...2).contains(hops), row)
                XCTAssertEqual(row[path.lowerBound...].components(separatedBy: "-[").count - 1, hops, "the path has one edge per hop: \(row)")
            }
            let scores = rows.compactMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
            XCTAssertEqual(scores, scores.sorted(by: >), "ranked by PageRank")
            XCTAssertTrue(r.stdout.contains("10 of "), "\(r)")
        },
        // Crooker v. California (357 U.S. 433): overruled by an edge dated before 1966.
        "lexgraph status scotus:357US433 --as-of 1966-01-01": Check { r, c in
            let overrulers = try c.rows("MATCH (o)-[:OVERRULES]->(c:SupremeCourtCase {usid: '357US433'}) RETURN o.usid AS usid, o.decision_date AS d")
            let before = overrulers.filter { ($0["d"] as? String ?? "9999") <= "1966-01-01" }
            XCTAssertFalse(before.isEmpty, "the data has an overruling before 1966: \(overrulers)")
            XCTAssertTrue(r.stdout.hasPrefix("scotus:357US433 as of 1966-01-01, with data to "), "\(r)")
            XCTAssertTrue(r.stdout.split(separator: "\n")[0].hasSuffix(": overruled"), "\(r)")
            for o in before { XCTAssertTrue(r.stdout.contains("overruled by scotus:\(o["usid"] as? String ?? "?")"), "\(r)") }
        },
        // Lochner v. New York (198 U.S. 45), found by its name: no overruling edge, and the
        // answer dated today says the citations end at the latest citing case's date.
        "lexgraph status \"Lochner v. New York\"": Check { r, c in
            let overrulers = try c.rows("MATCH (o)-[:OVERRULES]->(c:SupremeCourtCase {usid: '198US45'}) RETURN o.usid AS usid")
            XCTAssertTrue(overrulers.isEmpty, "the data has no overruling of Lochner: \(overrulers)")
            let horizon = try XCTUnwrap(try c.rows("MATCH (a:SupremeCourtCase)-[:CITES]->() RETURN max(a.decision_date) AS d").first?["d"] as? String)
            let first = String(r.stdout.split(separator: "\n")[0])
            XCTAssertTrue(first.hasPrefix("scotus:198US45 as of "), first)
            XCTAssertTrue(first.hasSuffix(", with data to \(horizon): good law"), first)
            XCTAssertTrue(r.stdout.contains("is past the graph's data (CITES to \(horizon)"), "\(r)")
        },
        "lexgraph model info models/all-minilm-l6-v2": Check { r, _ in
            let data = try Data(contentsOf: CLI.root.appendingPathComponent("models/all-minilm-l6-v2/config.json"))
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for (label, key) in [("vocab", "vocab_size"), ("hidden", "hidden_size"), ("layers", "num_hidden_layers"), ("heads", "num_attention_heads")] {
                XCTAssertTrue(r.stdout.contains("\(label) \(config[key] as? Int ?? -1),"), "\(label): \(r)")
            }
        },
        // A RoBERTa folder transformers wrote (tools/make_encoder_fixtures.py): its names and head are read.
        "lexgraph model info Tests/Fixtures/encoders/tiny-roberta": Check { r, _ in
            XCTAssertTrue(r.stdout.contains("architecture: roberta (RobertaForSequenceClassification layout)"), "\(r)")
            XCTAssertTrue(r.stdout.contains("roberta: 37 tensors"), "\(r)")
            XCTAssertTrue(r.stdout.contains("classifier: 4 tensors"), "\(r)")
            XCTAssertTrue(r.stdout.contains("check: config.json agrees with every tensor shape in model.safetensors (head: 3 labels)"), "\(r)")
        },
        // The byte-level BPE fixture tokenizer (tools/make_bpe_fixtures.py): each id is the
        // token's id in tokenizer.json, and the pieces give the input back.
        "lexgraph tokenize --model Tests/Fixtures/tokenizer-bpe \"Mapp v. Ohio, 367 U.S. 643\"": Check { r, _ in
            let data = try Data(contentsOf: CLI.root.appendingPathComponent("Tests/Fixtures/tokenizer-bpe/tokenizer.json"))
            let model = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? [String: Any])
            let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
            let rows = r.lines.dropFirst().dropLast().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            XCTAssertEqual(rows.first?[1], "<s>")
            XCTAssertEqual(rows.last?[1], "</s>")
            for row in rows { XCTAssertEqual(vocab[row[1]], Int(row[2]), "\(row)") }
            let pieces = rows.dropFirst().dropLast().map { $0[1] }.joined().replacingOccurrences(of: "Ġ", with: " ")
            XCTAssertEqual(pieces, "Mapp v. Ohio, 367 U.S. 643")
        },
        // Trained here on the fixture corpus: the Python library's tokenizer, token for token.
        "lexgraph tokenizer train Tests/Fixtures/tokenizer-bpe/train-corpus.jsonl --vocab-size 1000 --out runs/legal-bpe": Check { r, _ in
            XCTAssertTrue(r.stdout.hasPrefix("byte-level BPE: 1000 tokens (5 special, 256 bytes, 739 merges) from 400 texts"), "\(r)")
            func vocab(_ path: String) throws -> [String: Int]? {
                let data = try Data(contentsOf: CLI.root.appendingPathComponent(path))
                return ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? [String: Any])?["vocab"] as? [String: Int]
            }
            XCTAssertEqual(try vocab("runs/legal-bpe/tokenizer.json"), try vocab("Tests/Fixtures/tokenizer-bpe/train-reference/tokenizer.json"))
        },
        // The peer's pieces (tools/make_training_fixtures.py); scores are TokenizerCommandTests'.
        "lexgraph tokenizer train Tests/Fixtures/tokenizer-bpe/train-corpus.jsonl --kind unigram --vocab-size 1000 --out runs/legal-unigram": Check { r, _ in
            XCTAssertTrue(r.stdout.hasPrefix("Unigram: 1000 pieces (5 special) from 400 texts"), "\(r)")
            func pieces(_ path: String) throws -> Set<String>? {
                let data = try Data(contentsOf: CLI.root.appendingPathComponent(path))
                let vocab = ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? [String: Any])?["vocab"] as? [[Any]]
                return vocab.map { Set($0.compactMap { $0.first as? String }) }
            }
            XCTAssertEqual(try pieces("runs/legal-unigram/tokenizer.json"), try pieces("Tests/Fixtures/tokenizer-training/unigram/run-1.json"))
        },
        "lexgraph tokenize --model models/all-minilm-l6-v2 \"Mapp v. Ohio, 367 U.S. 643\"": Check { r, _ in
            let vocab = try String(contentsOf: CLI.root.appendingPathComponent("models/all-minilm-l6-v2/vocab.txt"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let rows = r.lines.dropFirst().dropLast().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            XCTAssertEqual(rows.first?[1], "[CLS]")
            XCTAssertEqual(rows.last?[1], "[SEP]")
            for row in rows {
                guard let id = Int(row[2]), id < vocab.count else { XCTFail("bad row \(row)"); continue }
                XCTAssertEqual(vocab[id], row[1], "the id is the token's line in vocab.txt")
            }
            // Word pieces put together give the lowercased input back (spaces aside).
            let pieces = rows.dropFirst().dropLast().map { $0[1].hasPrefix("##") ? String($0[1].dropFirst(2)) : $0[1] }.joined()
            XCTAssertEqual(pieces, "Mapp v. Ohio, 367 U.S. 643".lowercased().replacingOccurrences(of: " ", with: ""))
        },
        // The majority baseline always predicts the first party, so its accuracy is the
        // first party's win rate the header states (test and dev).
        "lexgraph baselines --split split_full": Check { r, _ in
            let rates = r.stdout.components(separatedBy: "petitioner won ").dropFirst().map { String($0.prefix(5)) }
            let majority = r.lines.filter { $0.hasPrefix("majority ") }.map { String($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
            XCTAssertEqual(rates.count, 2, "\(r)")
            XCTAssertEqual(majority, rates, "\(r)")
            XCTAssertTrue(r.stdout.contains("scdb-logistic"), "\(r)")
        },
        "lexgraph train --split split_full --model graph-logistic --out runs/graph-logistic": Check(inTemporaryFolder: true) { r, c in
            XCTAssertTrue(r.stdout.contains("run folder: runs/graph-logistic"), "\(r)")
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: c.folder.appendingPathComponent("runs/graph-logistic/config.json"))) as? [String: Any])
            XCTAssertEqual(config["model_kind"] as? String, "graph-logistic")
            XCTAssertTrue(r.lines.contains { $0.hasPrefix("graph-logistic ") }, "the model's row beside the baselines: \(r)")
        },
        "lexgraph train --model classical-blend --split walk-forward --out runs/classical-blend-walk-forward": Check(inTemporaryFolder: true) { r, c in
            try ReadmeExampleTests.checkBlendRun(r, folder: c.folder, name: "classical-blend-walk-forward", cases: 1044)
        },
        "lexgraph train --model classical-blend --split split_full --out runs/classical-blend-split_full": Check(inTemporaryFolder: true) { r, c in
            try ReadmeExampleTests.checkBlendRun(r, folder: c.folder, name: "classical-blend-split_full", cases: 237)
        },
        "lexgraph train --model graph-logistic --split walk-forward --out runs/glr-walk-forward": Check(inTemporaryFolder: true) { r, c in
            XCTAssertTrue(r.stdout.contains("run folder: runs/glr-walk-forward"), "\(r)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: c.folder.appendingPathComponent("runs/glr-walk-forward/report.md").path))
        },
        "lexgraph clauses prepare --task clause-types --out runs/data/clause-types": Check(inTemporaryFolder: true) { r, c in
            try ReadmeExampleTests.checkPreparedTask(r, folder: c.folder.appendingPathComponent("runs/data/clause-types"), task: "clause-types")
            XCTAssertTrue(r.stdout.contains("headings removed from"), "\(r)")
        },
        "lexgraph clauses prepare --task cuad --out runs/data/cuad": Check(inTemporaryFolder: true) { r, c in
            try ReadmeExampleTests.checkPreparedTask(r, folder: c.folder.appendingPathComponent("runs/data/cuad"), task: "cuad")
        },
        "lexgraph clauses prepare --task unfair-tos --fold 1 --out runs/data/unfair-tos-1": Check(inTemporaryFolder: true) { r, c in
            try ReadmeExampleTests.checkPreparedTask(r, folder: c.folder.appendingPathComponent("runs/data/unfair-tos-1"), task: "unfair-tos")
        },
    ]

    /// A classical-blend run folder: its row beside the baselines, its config and saved
    /// model, and test predictions for every case of the plan.
    static func checkBlendRun(_ r: CLI.Result, folder: URL, name: String, cases: Int) throws {
        XCTAssertTrue(r.stdout.contains("run folder: runs/\(name)"), "\(r)")
        XCTAssertTrue(r.lines.contains { $0.hasPrefix("classical-blend ") }, "the model's row beside the baselines: \(r)")
        let run = folder.appendingPathComponent("runs/\(name)")
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["model_kind"] as? String, "classical-blend")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("model/classical-blend.json").path))
        let rows = try String(contentsOf: run.appendingPathComponent("predictions-test.csv"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("classical-blend") }
        XCTAssertEqual(rows.count, cases, "one test prediction per case")
        // The blend is scored at its own per-fold threshold, named in the heading and kept per case.
        XCTAssertTrue(r.stdout.contains("(own: classical-blend "), "\(r)")
        for row in rows {
            let threshold = try XCTUnwrap(Double(row.split(separator: ",").last.map(String.init) ?? ""), String(row))
            XCTAssertTrue((0.3...0.7).contains(threshold), String(row))
        }
    }

    /// A folder `clauses prepare` wrote: task.json names the task, its counts are the
    /// lines of train/dev/test.jsonl, and the summary printed each split's count.
    static func checkPreparedTask(_ r: CLI.Result, folder: URL, task: String) throws {
        let info = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("task.json"))) as? [String: Any])
        XCTAssertEqual(info["task"] as? String, task)
        let counts = try XCTUnwrap(info["counts"] as? [String: Int])
        for split in ["train", "dev", "test"] {
            let text = try String(contentsOf: folder.appendingPathComponent(split + ".jsonl"), encoding: .utf8)
            let lines = text.split(separator: "\n").count
            XCTAssertEqual(counts[split], lines, "\(split) of \(folder.path)")
            XCTAssertTrue(r.stdout.contains("\(split): \(lines) items"), "\(r)")
        }
    }

    func testEveryReadmeExampleRunsAndPrintsWhatItShould() throws {
        let examples = try ReadmeExamples.all()
        let lines = Set(examples.map(\.line))
        for line in Self.excluded.keys where !lines.contains(line) { XCTFail("an excluded command is no longer in README.md: \(line)") }
        for line in Self.checks.keys where !lines.contains(line) { XCTFail("a checked command is no longer in README.md: \(line)") }
        let database = try SharedGraph.database()
        let build = try ReadmeExamples.buildCommand()
        var ran = 0
        for example in examples {
            if Self.excluded[example.line] != nil { continue }
            guard let check = Self.checks[example.line] else {
                XCTFail("\(example): no check in ReadmeExampleTests (add one, or an exclusion with its reason)")
                continue
            }
            let folder = try CLI.temporaryFolder(self)
            let result: CLI.Result
            if example == build {
                result = try SharedGraph.buildRun()
            } else if check.inTemporaryFolder {
                let data = CLI.root.appendingPathComponent("../shared/data").standardizedFileURL.path
                result = try CLI.run(try example.arguments, input: check.input, in: folder,
                                     environment: ["LEXGRAPH_DB": database, "LEXGRAPH_DATA": data,
                                                   "LEXGRAPH_MODEL": CLI.root.appendingPathComponent("models/all-minilm-l6-v2").path])
            } else {
                result = try CLI.run(try example.arguments, input: check.input, environment: ["LEXGRAPH_DB": database])
            }
            ran += 1
            XCTAssertEqual(result.status, 0, "\(example)\n\(result)")
            guard result.status == 0 else { continue }
            XCTAssertFalse(result.stdout.isEmpty, "\(example) printed nothing")
            print("README example: \(example)")  // failures below are this line's
            do {
                try check.verify(result, Context(database: database, folder: folder))
            } catch {
                XCTFail("\(example): \(error)")
            }
        }
        XCTAssertEqual(ran + Self.excluded.count, examples.count)
        print("README examples: \(ran) run, \(Self.excluded.count) excluded (reasons in ReadmeExampleTests.excluded)")
    }
}
