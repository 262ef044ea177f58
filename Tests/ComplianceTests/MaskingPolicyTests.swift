import XCTest
import Compliance

final class MaskingPolicyTests: XCTestCase {
    func testYAMLAndJSONPolicies() throws {
        let yaml = try MaskingPolicy(yaml: "mode: substitute\nseed: corpus-7\nentities:\n  docket: off\n  organization: on\n", file: "p.yaml")
        XCTAssertEqual(yaml.mode, .substitute)
        XCTAssertEqual(yaml.seed, "corpus-7")
        XCTAssertFalse(yaml.enabled.contains(.docket))
        XCTAssertTrue(yaml.enabled.contains(.organization))
        XCTAssertTrue(yaml.enabled.contains(.person))
        let json = try MaskingPolicy(yaml: #"{"mode": "placeholder", "entities": ["person", "email"]}"#, file: "p.json")
        XCTAssertEqual(json.enabled, [.person, .email])
        XCTAssertEqual(MaskingPolicy().enabled, Set(EntityType.allCases).subtracting([.organization]))
    }

    func testUnknownEntityTypeKeyOrModeNamesFileAndLine() {
        func message(_ text: String) -> String {
            do { _ = try MaskingPolicy(yaml: text, file: "policy.yaml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("mode: placeholder\nentities:\n  person: on\n  passport: on\n").hasPrefix("policy.yaml:4:"), message("mode: placeholder\nentities:\n  person: on\n  passport: on\n"))
        XCTAssertTrue(message("mode: placeholder\nentities:\n  person: on\n  passport: on\n").contains("unknown entity type 'passport' (known: person, organization"))
        XCTAssertTrue(message("entities: [person, phones]\n").contains("policy.yaml:1:"), message("entities: [person, phones]\n"))
        XCTAssertTrue(message("entities: [person, phones]\n").contains("unknown entity type 'phones'"))
        XCTAssertTrue(message("mode: redact\n").contains("policy.yaml:1:"))
        XCTAssertTrue(message("mode: redact\n").contains("unknown masking mode 'redact' (known: placeholder, substitute)"))
        XCTAssertTrue(message("mode: placeholder\nentitys: [person]\n").contains("policy.yaml:2:"), message("mode: placeholder\nentitys: [person]\n"))
        XCTAssertTrue(message("entities:\n  person: maybe\n").contains("policy.yaml:2:"), message("entities:\n  person: maybe\n"))
    }
}
