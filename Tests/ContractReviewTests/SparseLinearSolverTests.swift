import ContractReview
import Foundation
import Transformer
import XCTest

/// The convex solvers of the sparse linear head against scikit-learn fitted to convergence
/// (`tools/make_linear_solver_fixture.py`, Tests/Fixtures/clauses/linear/): LinearSVC for
/// the dual coordinate descent SVM, one LogisticRegression(lbfgs) per class for L-BFGS.
///
/// Tolerances: both sides stop at a tiny tolerance (1e-9 / 1e-10 on the gradient), where
/// the primal optimum of these strictly convex problems is unique, so what is left is the
/// two solvers' residual distance to it (well under 1e-6 on coefficients of size ~1) plus,
/// through the head, float32 weights (~1e-7 relative). 1e-5 on the solver's own doubles
/// and 1e-4 on the head's float32 decision values leave room for both and still catch any
/// wrong loss, weight, bias or regularization (which move coefficients by 1e-2 or more).
final class SparseLinearSolverTests: XCTestCase {
    struct Fit {
        let solver: SparseLinearSolver, c: Double, balanced: Bool
        let coef: [[Double]], intercept: [Double], testDecision: [[Double]]
    }

    func load() throws -> (train: SparseRows, labels: [Int], test: SparseRows, classes: Int, fits: [Fit]) {
        let path = ClauseTestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/clauses/linear/linear.json").path
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let features = try XCTUnwrap(json["features"] as? Int), classes = try XCTUnwrap(json["classes"] as? Int)
        func rows(_ key: String) throws -> SparseRows {
            var out = SparseRows(columns: features)
            for row in try XCTUnwrap(json[key] as? [[[Double]]]) { out.append(row.map { (Int($0[0]), Float($0[1])) }) }
            return out
        }
        let fits = try XCTUnwrap(json["fits"] as? [[String: Any]]).map { f in
            Fit(solver: try XCTUnwrap(SparseLinearSolver(rawValue: try XCTUnwrap(f["solver"] as? String))),
                c: try XCTUnwrap(f["C"] as? Double), balanced: try XCTUnwrap(f["balanced"] as? Bool),
                coef: try XCTUnwrap(f["coef"] as? [[Double]]), intercept: try XCTUnwrap(f["intercept"] as? [Double]),
                testDecision: try XCTUnwrap(f["test_decision"] as? [[Double]]))
        }
        return (try rows("train"), try XCTUnwrap(json["train_labels"] as? [Int]), try rows("test"), classes, fits)
    }

    func testSolversMatchScikitLearnAtConvergence() throws {
        let (train, labels, test, classes, fits) = try load()
        XCTAssertEqual(fits.count, 8)
        let labelLists = labels.map { [$0] }
        for fit in fits {
            let name = "\(fit.solver) C \(fit.c) balanced \(fit.balanced)"
            // LinearSVC weighs class k's positives by C·w_k (scikit-learn's "balanced");
            // the per-class logistic regressions by C·n_neg/n_pos (BCE's pos_weight).
            let weights = fit.solver == .svm ? ClassWeights.balanced(labels: labelLists, classCount: classes)
                                             : ClassWeights.positiveWeights(labels: labelLists, labelCount: classes)
            for k in 0..<classes {
                let problem = BinaryLinearProblem(rows: train, positive: labels.map { $0 == k },
                                                  costPositive: fit.c * (fit.balanced ? Double(weights[k]) : 1), costNegative: fit.c)
                let solution = fit.solver == .svm
                    ? BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: 1e-9, maxPasses: 100_000)
                    : BinaryLinearSolvers.logisticRegression(problem, tolerance: 1e-10, maxIterations: 10_000)
                XCTAssertTrue(solution.converged, "\(name) class \(k): \(solution.iterations) iterations")
                for (j, expected) in fit.coef[k].enumerated() {
                    XCTAssertEqual(solution.weights[j], expected, accuracy: 1e-5, "\(name) class \(k) coef \(j)")
                }
                XCTAssertEqual(solution.bias, fit.intercept[k], accuracy: 1e-5, "\(name) class \(k) intercept")
            }
            // The same through the head (one-vs-rest, its class weights from `ClassWeights`).
            var settings = SparseLinearSettings()
            settings.solver = fit.solver; settings.c = fit.c; settings.balanced = fit.balanced
            settings.tolerance = fit.solver == .svm ? 1e-9 : 1e-10; settings.maxIterations = 100_000
            let head = try SparseLinearHead.fit(train, labels: labelLists, classes: classes, multiLabel: fit.solver == .logistic, settings: settings)
            XCTAssertEqual(head.report?.unconverged, [], name)
            for i in 0..<test.count {
                let z = head.logits(test, i)
                for k in 0..<classes { XCTAssertEqual(Double(z[k]), fit.testDecision[i][k], accuracy: 1e-4, "\(name) test row \(i) class \(k)") }
            }
        }
    }

    /// `clauses fit --method hybrid` with the convex solvers: TF-IDF rows from
    /// `TfidfVectorizer` with the embedding appended as alpha-scaled columns
    /// (`SparseRows.appending`), fitted one-vs-rest, against scikit-learn on
    /// hstack([TfidfVectorizer, alpha * emb]) (hybrid.json). The TF-IDF weights are float32
    /// here and double there (~1e-7 relative), which moves these well-conditioned optima by
    /// far less than the tolerances above; TF-IDF coefficients are compared by term, since
    /// the two vectorizers order their columns differently.
    func testHybridColumnsMatchScikitLearnOnStackedTfidfAndEmbedding() throws {
        let path = ClauseTestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/clauses/linear/hybrid.json").path
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let classes = try XCTUnwrap(json["classes"] as? Int)
        let trainTexts = try XCTUnwrap(json["train_texts"] as? [String]), testTexts = try XCTUnwrap(json["test_texts"] as? [String])
        let labels = try XCTUnwrap(json["train_labels"] as? [Int])
        let embeddings = try XCTUnwrap(json["train_embeddings"] as? [[Double]]).map { $0.map(Float.init) }
        let testEmbeddings = try XCTUnwrap(json["test_embeddings"] as? [[Double]]).map { $0.map(Float.init) }
        let fits = try XCTUnwrap(json["fits"] as? [[String: Any]])
        XCTAssertEqual(fits.count, 4)
        var vectorizer = TfidfVectorizer(ngrams: 1...2, minDocumentFrequency: 1, sublinearTF: true)
        vectorizer.fit(trainTexts)
        let vocabularySize = try XCTUnwrap((json["tfidf"] as? [String: Any])?["vocabulary_size"] as? Int)
        XCTAssertEqual(vectorizer.featureCount, vocabularySize)
        let tfidf = vectorizer.transform(trainTexts), tfidfTest = vectorizer.transform(testTexts)
        for fit in fits {
            let solver = try XCTUnwrap(SparseLinearSolver(rawValue: try XCTUnwrap(fit["solver"] as? String)))
            let c = try XCTUnwrap(fit["C"] as? Double), alpha = try XCTUnwrap(fit["alpha"] as? Double)
            let termCoef = try XCTUnwrap(fit["tfidf_coef"] as? [String: [Double]])
            let embeddingCoef = try XCTUnwrap(fit["embedding_coef"] as? [[Double]])
            let intercept = try XCTUnwrap(fit["intercept"] as? [Double]), decision = try XCTUnwrap(fit["test_decision"] as? [[Double]])
            let name = "hybrid \(solver) alpha \(alpha)"
            XCTAssertEqual(Set(termCoef.keys), Set(vectorizer.vocabulary.keys), name)
            let rows = tfidf.appending(dense: embeddings, scale: Float(alpha))
            let testRows = tfidfTest.appending(dense: testEmbeddings, scale: Float(alpha))
            XCTAssertEqual(rows.columns, vocabularySize + embeddings[0].count)
            for k in 0..<classes {
                let problem = BinaryLinearProblem(rows: rows, positive: labels.map { $0 == k }, costPositive: c, costNegative: c)
                let solution = solver == .svm
                    ? BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: 1e-9, maxPasses: 100_000)
                    : BinaryLinearSolvers.logisticRegression(problem, tolerance: 1e-10, maxIterations: 10_000)
                XCTAssertTrue(solution.converged, "\(name) class \(k): \(solution.iterations) iterations")
                for (term, column) in vectorizer.vocabulary {
                    XCTAssertEqual(solution.weights[column], try XCTUnwrap(termCoef[term])[k], accuracy: 1e-5, "\(name) class \(k) term \(term)")
                }
                for (d, expected) in embeddingCoef[k].enumerated() {
                    XCTAssertEqual(solution.weights[vocabularySize + d], expected, accuracy: 1e-5, "\(name) class \(k) embedding \(d)")
                }
                XCTAssertEqual(solution.bias, intercept[k], accuracy: 1e-5, "\(name) class \(k) intercept")
            }
            var settings = SparseLinearSettings()
            settings.solver = solver; settings.c = c
            settings.tolerance = solver == .svm ? 1e-9 : 1e-10; settings.maxIterations = 100_000
            let head = try SparseLinearHead.fit(rows, labels: labels.map { [$0] }, classes: classes, multiLabel: solver == .logistic, settings: settings)
            XCTAssertEqual(head.report?.unconverged, [], name)
            for i in 0..<testRows.count {
                let z = head.logits(testRows, i)
                for k in 0..<classes { XCTAssertEqual(Double(z[k]), decision[i][k], accuracy: 1e-4, "\(name) test row \(i) class \(k)") }
            }
        }
    }

    func testLooseToleranceStopsEarlierNearTheSameOptimum() throws {
        let (train, labels, _, _, fits) = try load()
        let fit = try XCTUnwrap(fits.first { $0.solver == .svm && $0.c == 3 && !$0.balanced })
        let problem = BinaryLinearProblem(rows: train, positive: labels.map { $0 == 2 }, costPositive: 3, costNegative: 3)
        let tight = BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: 1e-9, maxPasses: 100_000)
        let loose = BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: 1e-2, maxPasses: 100_000)
        XCTAssertLessThan(loose.iterations, tight.iterations)
        XCTAssertTrue(loose.converged)
        let error = zip(loose.weights, fit.coef[2]).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(error, 0.05, "loose tolerance still near the optimum")
        // An iteration limit below what the tolerance needs is reported, not hidden.
        let cut = BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: 1e-9, maxPasses: 2)
        XCTAssertFalse(cut.converged)
        XCTAssertEqual(cut.iterations, 2)
    }
}
