import Foundation
import XCTest

/// `lexgraph predict` without --run uses the best walk-forward configuration's run, and
/// says how to train it when it is not there.
final class PredictDefaultRunTests: XCTestCase {
    func testMissingDefaultRunSaysHowToTrainIt() throws {
        let dir = try CLI.temporaryFolder(self)
        try Data("{}\n".utf8).write(to: dir.appendingPathComponent("pending.jsonl"))
        let r = try CLI.run(["predict", "--cases", "pending.jsonl"], in: dir)
        XCTAssertNotEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stderr.contains("no run at runs/classical-blend-walk-forward, the default"), r.stderr)
        XCTAssertTrue(r.stderr.contains("`lexgraph train --model classical-blend --split walk-forward`"), r.stderr)
        XCTAssertEqual(r.stdout, "")
        let help = try CLI.run(["predict", "--help"], in: dir)
        XCTAssertTrue(help.stdout.contains("runs/classical-blend-walk-forward"), help.stdout)
    }
}
