import Foundation
import Prediction
import Sealing
import XCTest

/// A training run's predictions files are sealed when an artifact key is configured:
/// no case id or probability in the clear, read back equal with the key, and a clear
/// error naming the file without it.
final class SealedPredictionsTests: XCTestCase {
    override func tearDown() {
        SealedFiles.reset()
        super.tearDown()
    }

    func testPredictionsAreSealedAndReadBackWithTheKey() throws {
        let root = SyntheticCaseGraph.temporaryFolder("sealed-predictions")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let canary = "1987-CANARY-042"
        let rows = [ScoredPrediction(caseLine: 3, term: 2011, usid: canary, label: true, probability: 0.8125),
                    ScoredPrediction(caseLine: 4, term: 2012, usid: nil, label: false, probability: 0.1875)]
        SealedFiles.use(try ArtifactKey(material: Array(String(repeating: "5a", count: 32).utf8), source: "the test key"))
        let writer = try RunFolderWriter(path: root + "/run", overwrite: false)
        try writer.write(config: RunConfig(modelKind: "graph-logistic", plan: .splitFull, options: [:], dataPath: "/data", databasePath: "/tmp/g.sqlite",
                                           encoderPath: nil, seed: 7, created: "2026-12-07T12:00:00Z"))
        try writer.write(predictions: [("m", rows)], set: .test)
        let folder = try writer.commit()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.file("predictions-test.csv")))
        XCTAssertTrue(SealedFiles.isSealed(bytes))
        XCTAssertNil(bytes.range(of: Data(canary.utf8)))
        XCTAssertNil(bytes.range(of: Data("0.8125".utf8)))
        XCTAssertEqual(try folder.predictions(.test).first?.predictions, rows)

        SealedFiles.use(nil)
        XCTAssertThrowsError(try folder.predictions(.test)) {
            XCTAssertEqual("\($0)", folder.file("predictions-test.csv") + ":1: the file is encrypted and no artifact key is configured: "
                           + "set LEXGRAPH_ARTIFACT_KEY_FILE (or LEXGRAPH_DB_KEY_FILE, the database key) to the key it was written with")
        }
    }
}
