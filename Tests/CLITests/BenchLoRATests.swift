import Foundation
import TestRequirements
import XCTest

/// `lexgraph bench model --lora-rank R`: a LoRA training step timed beside the full one,
/// and their ratios printed (the PyTorch + peft side is skipped here: it needs torch).
final class BenchLoRATests: XCTestCase {
    func testLoRAStepIsTimedBesideTheFullStep() throws {
        let model = CLI.root.appendingPathComponent("models/all-minilm-l6-v2").path
        try TestRequirements.requireFile(model + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let r = try CLI.run(["bench", "model", "--model", model, "--batch", "2", "--seq", "16", "--threads", "1", "--iterations", "1",
                             "--lora-rank", "4", "--peer-script", "none"])
        XCTAssertEqual(r.status, 0, "\(r)")
        let rows = r.lines.filter { $0.range(of: #"^1 +[a-z]+ +\d+\.\d\d "#, options: .regularExpression) != nil }
            .map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        XCTAssertEqual(rows, ["1 forward", "1 train", "1 lora"], "\(r)")
        XCTAssertTrue(r.stdout.contains("LoRA rank 4 step against the full training step on the same side"), "\(r)")
        let ratio = try XCTUnwrap(r.lines.first { $0.hasPrefix("  threads 1: swift speed-up ") }, "\(r)")
        XCTAssertNotNil(ratio.range(of: #"speed-up \d+\.\d\dx, peak memory \d+\.\d\d of full$"#, options: .regularExpression), ratio)
    }
}
