import XCTest
import Compliance

/// Contracts capitalise their defined terms, and some of their words are Census surnames
/// ("Sales", "Price"): such a term is not a person, and a doubtful find is never carried
/// into later texts. The sentences are CUAD's, as `data/clauses/cuad.tsv` holds them
/// (its `text` column, unquoted TSV: a text with quotes keeps CSV-style doubled quotes).
final class ContractTermsTests: XCTestCase {
    private func persons(_ text: String) throws -> [String] {
        let scalars = Array(text.unicodeScalars)
        return try Masker(policy: MaskingPolicy()).detect(text).filter { $0.type == .person }.map { e in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[e.start..<e.end])
            return String(s)
        }
    }

    func testDefinedTermsAreNotPersons() throws {
        // cuad.tsv, Audit Rights: a quoted definition, and "the Net Sales" used as a term.
        XCTAssertEqual(try persons("\"\"\"Development Fee\"\" means 50% of the Net Sales for any Development Products in the Development Territory.\""), [])
        // cuad.tsv, Minimum Commitment: `(the "Sales Force")` defines the term; "Sales
        // Representatives" shares its word.
        XCTAssertEqual(try persons("\"At all times during the Term, Company shall use reasonable efforts to deploy and maintain a sales force (the \"\"Sales Force\"\") of at least [***] ([***]) Sales Representatives who satisfy the conditions described in Section 3.3.1.\""), [])
        // cuad.tsv, Price Restrictions: "Price" is a Census surname, defined here.
        XCTAssertEqual(try persons("\"The prices payable by Ultragenyx to Cremer for the Product (the \"\"Price\"\") shall be agreed [***] every contract year; provided, that the Price may not increase more than the [***] for such period or [***]%, whichever is higher.\""), [])
    }

    func testPersonsBesideDefinedTermsStayPersons() throws {
        // cuad.tsv, Revenue-Profit Sharing: the title makes Murray a person even inside
        // the defined term `(the "Dr. Murray Products")`.
        XCTAssertEqual(try persons("\"Dr. Murray will receive an annual royalty on net sales (defined as gross sales minus returns) for any products (the \"\"Dr. Murray Products\"\") developed by Dr. Murray for EHN for as long as the Dr. Murray Products are being sold\""),
                       ["Murray", "Murray", "Murray", "Murray"])
        // cuad.tsv, Governing Law: full names with initials and a title.
        XCTAssertEqual(try persons("The Manufacturer has appointed the Customer the copyright holder of both the English and the Chinese version of the book How to achieve Super Health beyond 2000 - Advanced Edition, authored by Frank D.P. Ellis and Dr. Michael Tait M.D."),
                       ["Frank D.P. Ellis", "Michael Tait M.D."])
        // An alias of the person just named stays a name.
        XCTAssertEqual(try persons("This Employment Agreement is made with Jane Smith (the \"Executive\" or \"Smith\"). Smith shall serve."), ["Jane Smith", "Smith", "Smith"])
        // A given name below the gazetteer's first tier (Census female rank 1,288) counts
        // beside a case name.
        XCTAssertEqual(try persons("The court followed Philomena Quackenbush v. Oregon."), ["Philomena Quackenbush"])
    }

    /// A run taken for a name only because a word is a Census surname ("Net Sales") is
    /// masked where it stands and never carried: before, every later "Sales" of the
    /// corpus became `[PERSON_1.2]`. A full name with a given name, or a surname after
    /// "Dr.", is carried.
    func testOnlyStronglyEvidencedNamesCarryIntoLaterTexts() throws {
        var masker = try Masker(policy: MaskingPolicy())
        // cuad.tsv, Revenue-Profit Sharing (a GSK agreement).
        let first = "Within thirty (30) days after the end of each Calendar Quarter, GSK shall calculate the actual amount of Net Sales for the previous Calendar Quarter and either credit or debit the difference between such actual and projected amount on the succeeding Calendar Quarter's royalty payment to Theravance."
        XCTAssertTrue(masker.mask(first).contains("[PERSON_1]"))
        // cuad.tsv, Minimum Commitment (a Valeant agreement): unchanged after the text above.
        let later = "Without limiting the generality of the foregoing, [***]) and continuing throughout the remainder of the Term, Valeant shall maintain at least one hundred (100) Sales Representatives with responsibility to Detail the Product in the Specialty in the Territory."
        XCTAssertEqual(masker.mask(later), later)

        // cuad.tsv, Governing Law, then a later mention of the surnames alone.
        _ = masker.mask("The Manufacturer has appointed the Customer the copyright holder of both the English and the Chinese version of the book How to achieve Super Health beyond 2000 - Advanced Edition, authored by Frank D.P. Ellis and Dr. Michael Tait M.D.")
        XCTAssertEqual(masker.mask("Royalties are payable to Ellis and to Tait."), "Royalties are payable to [PERSON_2.2] and to [PERSON_3.2].")
    }
}
