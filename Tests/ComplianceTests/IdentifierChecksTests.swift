import XCTest
import Compliance

/// The checksums that tell identifiers from look-alike numbers, on published examples:
/// the ISO 13616 registry's example IBANs, the card networks' test numbers, the SSA's
/// never-issued SSN ranges, HMRC's NI number rules.
final class IdentifierChecksTests: XCTestCase {
    func testLuhnAcceptsTestCardsAndRejectsOneDigitChanged() {
        for card in ["4111 1111 1111 1111", "5500-0000-0000-0004", "340000000000009", "6011000000000004", "046 454 286"] {
            XCTAssertTrue(IdentifierChecks.luhn(card), card)
        }
        for card in ["4111 1111 1111 1112", "5500-0000-0000-0005", "046 454 287"] {
            XCTAssertFalse(IdentifierChecks.luhn(card), card)
        }
    }

    func testIBANMod97AndCountryLength() {
        for iban in ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606", "NL91ABNA0417164300"] {
            XCTAssertTrue(IdentifierChecks.iban(iban), iban)
        }
        XCTAssertFalse(IdentifierChecks.iban("GB82 WEST 1234 5698 7654 33"), "check digits")
        XCTAssertFalse(IdentifierChecks.iban("GB82 WEST 1234 5698 7654 3"), "length for GB")
        XCTAssertFalse(IdentifierChecks.iban("QQ82 WEST 1234 5698 7654 32"), "unknown country")
    }

    func testSSNNeverIssuedRanges() {
        XCTAssertTrue(IdentifierChecks.ssn(area: 219, group: 9, serial: 9999))
        XCTAssertFalse(IdentifierChecks.ssn(area: 0, group: 12, serial: 3456))
        XCTAssertFalse(IdentifierChecks.ssn(area: 666, group: 12, serial: 3456))
        XCTAssertFalse(IdentifierChecks.ssn(area: 912, group: 12, serial: 3456))
        XCTAssertFalse(IdentifierChecks.ssn(area: 219, group: 0, serial: 3456))
        XCTAssertFalse(IdentifierChecks.ssn(area: 219, group: 12, serial: 0))
    }

    func testNationalInsuranceNumberPrefixRules() {
        XCTAssertTrue(IdentifierChecks.nino("AB 12 34 56 C"))
        XCTAssertFalse(IdentifierChecks.nino("GB 12 34 56 C"), "GB is never issued")
        XCTAssertFalse(IdentifierChecks.nino("DA 12 34 56 C"), "D is never a first letter")
        XCTAssertFalse(IdentifierChecks.nino("AO 12 34 56 C"), "O is never a second letter")
        XCTAssertFalse(IdentifierChecks.nino("AB 12 34 56 E"), "suffix A-D")
    }
}
