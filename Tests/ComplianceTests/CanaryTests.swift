import Foundation
import LexgraphCore
import XCTest
import Compliance

/// Planted identifiers of every kind the masking stage handles go into a small corpus;
/// none of them, in any spelling (with or without separators), may survive masking in
/// either mode, and the vault (encrypted, written and read back) restores the corpus
/// byte for byte.
final class CanaryTests: XCTestCase {
    static let canaries: [(EntityType, String)] = [
        (.person, "Philomena Quackenbush"), (.ssn, "219-09-9999"), (.card, "4111 1111 1111 1111"),
        (.email, "p.quackenbush@mailbox.example"), (.phone, "(217) 555-0143"), (.bankAccount, "DE89 3704 0044 0532 0130 00"),
        (.dateOfBirth, "August 14, 1962"), (.address, "742 Evergreen Terrace"), (.docket, "3:21-cv-04567"),
        (.nationalID, "AB 12 34 56 C"),
    ]

    static let corpus: [String] = [
        "Petitioner Philomena Quackenbush, born on August 14, 1962, lives at 742 Evergreen Terrace.",
        "Ms. Quackenbush gave her SSN 219-09-9999 and card 4111 1111 1111 1111 to the clerk.",
        "Write to p.quackenbush@mailbox.example or call (217) 555-0143; wire to DE89 3704 0044 0532 0130 00.",
        "Case No. 3:21-cv-04567 concerns NI number AB 12 34 56 C. Quackenbush appealed.",
    ]

    /// Every form a canary could survive in: as planted, digits only, lower case, and
    /// each word of a name.
    static func forms(_ canary: (EntityType, String)) -> [String] {
        var forms = [canary.1, canary.1.lowercased()]
        let digits = canary.1.filter(\.isNumber)
        if digits.count >= 6 { forms.append(digits) }
        if canary.0 == .person { forms += canary.1.split(separator: " ").map(String.init) }
        return forms
    }

    func testNoPlantedIdentifierSurvivesAndTheVaultRestoresTheCorpus() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-canary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Compact JSON with sorted keys: the form `lexgraph mask` writes JSON Lines in.
        let input = Self.corpus.enumerated().map { i, text in
            Value.map(["id": .int(Int64(i + 1)), "text": .string(text)]).jsonText
        }.joined(separator: "\n") + "\n"
        let key = try VaultKey(data: Data(VaultKey.generateText().utf8), source: "test")
        for mode in MaskingPolicy.Mode.allCases {
            var masker = try Masker(policy: MaskingPolicy(mode: mode, seed: "canary"))
            let (masked, documents) = try CorpusMasking.mask(input, file: "corpus.jsonl", format: .jsonLines(field: "text", partyFields: []), masker: &masker)
            XCTAssertEqual(documents, 4)
            let flat = masked.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "")
            for canary in Self.canaries {
                for form in Self.forms(canary) {
                    XCTAssertFalse(masked.contains(form), "\(mode): \(canary.0) canary survives as '\(form)':\n\(masked)")
                    if form.count >= 6 && form.allSatisfy(\.isNumber) {
                        XCTAssertFalse(flat.contains(form), "\(mode): \(canary.0) canary's digits survive:\n\(masked)")
                    }
                }
                XCTAssertGreaterThan(masker.counts[canary.0] ?? 0, 0, "\(mode): no \(canary.0) masked")
            }
            let vaultPath = folder.appendingPathComponent("\(mode).vault").path
            try Vault.write(masker.vault, to: vaultPath, key: key)
            let sealed = try Data(contentsOf: URL(fileURLWithPath: vaultPath))
            for canary in Self.canaries {
                XCTAssertNil(sealed.range(of: Data(canary.1.utf8)), "\(mode): the vault file holds \(canary.0) in the clear")
            }
            let reopened = try Vault.read(path: vaultPath, key: key)
            let restored = try CorpusMasking.unmask(masked, file: "masked.jsonl", format: .jsonLines(field: "text", partyFields: []), vault: reopened)
            XCTAssertEqual(restored.output, input, "\(mode): unmasking does not restore the corpus")
        }
    }

    func testSubstitutesAreConsistentAcrossDocumentsAndRunsWithTheSameSeed() throws {
        var first = try Masker(policy: MaskingPolicy(mode: .substitute, seed: "s1"))
        let a = first.mask("John Kowalczyk sued. Mr. Kowalczyk lost.")
        let b = first.mask("Later, Kowalczyk appealed.")
        var second = try Masker(policy: MaskingPolicy(mode: .substitute, seed: "s1"))
        XCTAssertEqual(second.mask("Later, Kowalczyk appealed."), b, "the same seed gives the same substitute in another run")
        let surname = b.replacingOccurrences(of: "Later, ", with: "").replacingOccurrences(of: " appealed.", with: "")
        XCTAssertFalse(surname.contains("Kowalczyk"))
        XCTAssertTrue(a.contains("Mr. \(surname) lost."), a)
        XCTAssertTrue(a.hasSuffix("\(surname) sued. Mr. \(surname) lost.") || a.contains(" \(surname) sued."), a)
        var other = try Masker(policy: MaskingPolicy(mode: .substitute, seed: "s2"))
        XCTAssertNotEqual(other.mask("Later, Kowalczyk appealed."), b, "another seed, another substitute")
    }

    func testPlaceholdersNumberEntitiesAndSpellings() throws {
        var masker = try Masker(policy: MaskingPolicy())
        XCTAssertEqual(masker.mask("John Kowalczyk met Anna Nowak. Kowalczyk paid; Ms. Nowak did not."),
                       "[PERSON_1] met [PERSON_2]. [PERSON_1.2] paid; Ms. [PERSON_2.2] did not.")
        // The next document of the corpus keeps the numbering.
        XCTAssertEqual(masker.mask("Nowak called 217-555-0143."), "[PERSON_2.2] called [PHONE_1].")
        // A masker continuing the vault keeps it too.
        var next = try Masker(policy: MaskingPolicy(), continuing: masker.vault)
        XCTAssertEqual(next.mask("Kowalczyk and Piotr Zielinski; call 217-555-0199."), "[PERSON_1.2] and [PERSON_3]; call [PHONE_2].")
    }
}
