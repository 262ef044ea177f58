import Foundation
import XCTest

/// `lexgraph predict --mask/--mask-policy` against the masking a run recorded (`lexgraph
/// train --mask` writes it into `config.json`): the run's policy is applied anyway, so the
/// options only confirm it; another policy, or masking asked of an unmasked run, is refused
/// before the model, the graph or the cases are read.
final class PredictMaskingTests: XCTestCase {
    /// A run folder holding only its config, masked with `masking` (nil: unmasked).
    func run(in dir: URL, name: String, masking: String?) throws -> String {
        let folder = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let options = masking.map { #"{"masking":\#($0),"with_own_citations":false}"# } ?? #"{"with_own_citations":false}"#
        let config = #"{"created":"2026-12-07T00:00:00Z","data_path":"/nowhere/data","db_path":"/nowhere/graph.sqlite","lexgraph_version":"lexgraph 0.1.0 (run folder format 1)","#
            + #""model_kind":"graph-logistic","model_name":"graph-logistic","options":\#(options),"plan":"split_full","seed":42,"task":"scotus-outcome"}"#
        try config.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        return folder.path
    }

    static let placeholderPolicy = #"{"entities":["address","bank_account","card","date_of_birth","docket","email","national_id","person","phone","ssn"],"mode":"placeholder","seed":"lexgraph"}"#

    func testCallerMaskingMustAgreeWithTheRunsRecordedPolicy() throws {
        let dir = try CLI.temporaryFolder(self)
        let masked = try run(in: dir, name: "masked", masking: Self.placeholderPolicy)
        let unmasked = try run(in: dir, name: "unmasked", masking: nil)
        let cases = dir.appendingPathComponent("pending.jsonl").path
        try #"{"term_for_split":2013,"facts":"Petitioner Philomena Quackenbush appealed."}"#.write(toFile: cases, atomically: true, encoding: .utf8)
        let substitute = dir.appendingPathComponent("substitute.yaml").path
        try "mode: substitute\nseed: other\n".write(toFile: substitute, atomically: true, encoding: .utf8)

        // Another policy than the run's: refused, naming both.
        let other = try CLI.run(["predict", "--run", masked, "--cases", cases, "--mask-policy", substitute])
        XCTAssertNotEqual(other.status, 0, "\(other)")
        XCTAssertEqual(other.stdout, "")
        XCTAssertTrue(other.stderr.hasPrefix("lexgraph: error: the run \(masked) masks with placeholder of address, bank_account,"), other.stderr)
        XCTAssertTrue(other.stderr.contains("but --mask/--mask-policy asks for substitute of"), other.stderr)
        XCTAssertTrue(other.stderr.contains(", seed other: drop the option"), other.stderr)

        // Masking asked of a run trained unmasked: refused.
        let plain = try CLI.run(["predict", "--run", unmasked, "--cases", cases, "--mask"])
        XCTAssertNotEqual(plain.status, 0, "\(plain)")
        XCTAssertTrue(plain.stderr.hasPrefix("lexgraph: error: the run \(unmasked) was trained on unmasked text"), plain.stderr)

        // The run's own policy passes the check (and predict goes on to the SCDB table,
        // which this bare run folder's data path lacks).
        let same = try CLI.run(["predict", "--run", masked, "--cases", cases, "--mask"])
        XCTAssertNotEqual(same.status, 0, "\(same)")
        XCTAssertTrue(same.stderr.contains("missing SCDB table /nowhere/data/"), same.stderr)

        // A policy file with an unknown entity type: its file:line, before anything runs.
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "mode: placeholder\nentities:\n  shoe_size: on\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let badPolicy = try CLI.run(["predict", "--run", masked, "--cases", cases, "--mask-policy", bad])
        XCTAssertNotEqual(badPolicy.status, 0, "\(badPolicy)")
        XCTAssertTrue(badPolicy.stderr.contains("\(bad):3"), badPolicy.stderr)
        XCTAssertTrue(badPolicy.stderr.contains("unknown entity type 'shoe_size'"), badPolicy.stderr)
    }
}
