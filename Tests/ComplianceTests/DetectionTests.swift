import XCTest
import Compliance

/// What the detectors find in legal text, and what they leave alone.
final class DetectionTests: XCTestCase {
    private func found(_ text: String, policy: MaskingPolicy = MaskingPolicy(), names: [String] = []) -> [(EntityType, String)] {
        let scalars = Array(text.unicodeScalars)
        guard let masker = try? Masker(policy: policy) else { return [] }
        return masker.detect(text, knownNames: names).map { e in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[e.start..<e.end])
            return (e.type, String(s))
        }
    }

    private func persons(_ text: String, names: [String] = []) -> [String] {
        found(text, names: names).filter { $0.0 == .person }.map(\.1)
    }

    func testNamesFromTitlesRolesGazetteerAndCaseNames() {
        XCTAssertEqual(persons("Petitioner Clarence Earl Gideon was charged in Florida."), ["Clarence Earl Gideon"])
        XCTAssertEqual(persons("The officer told Mr. Kowalczyk to leave."), ["Kowalczyk"])
        XCTAssertEqual(persons("Chief Justice Earl Warren wrote; Justice White dissented."), ["Earl Warren", "White"])
        XCTAssertEqual(persons("In Gideon v. Wainwright the Court held that counsel is required."), ["Gideon", "Wainwright"])
        XCTAssertEqual(persons("William Marbury was appointed. Marbury petitioned the Court."), ["William Marbury", "Marbury"])
        XCTAssertEqual(persons("J. Edgar Hoover testified before the Senate."), ["J. Edgar Hoover"])
    }

    func testSurnameAloneFromWhatFollows() {
        XCTAssertEqual(persons("Cicenia was arrested for murder and later confessed."), ["Cicenia"])
        XCTAssertEqual(persons("Gitlow, a socialist, distributed a manifesto."), ["Gitlow"])
        XCTAssertEqual(persons("The President requested Wiener's resignation."), ["Wiener"])
        XCTAssertEqual(persons("Reno then filed motions to dismiss."), ["Reno"])
    }

    func testPlacesInstitutionsAndLegalVocabularyAreNotNames() {
        XCTAssertEqual(persons("The Supreme Court of the United States reversed the Court of Appeals for the Fifth Circuit."), [])
        XCTAssertEqual(persons("The Civil Rights Act of 1964 and the First Amendment were at issue in New York and Texas."), [])
        XCTAssertEqual(persons("Smith County and the Johnson Controls Company sued the State of Ohio."), [])
        XCTAssertEqual(persons("In March, the Federal Communications Commission issued an order."), [])
    }

    func testShapesThatAreNotAddressesOrDockets() {
        let text = "He ran in the 1972 United States Senate race. A 1973 Supreme Court decision and Executive Order No. 12564 applied; a 7 Eleven Stores clerk testified."
        XCTAssertEqual(found(text).filter { $0.0 != .person }.map(\.1), [])
        XCTAssertEqual(found("See No. 04-1152 and Docket No. 12345.").map(\.1), ["04-1152", "12345"])
    }

    /// Contracts capitalise their roles and defined terms everywhere; the capital says
    /// nothing about a name there (cases from the hand-labelled sample's errors).
    func testContractRolesAndDefinedTermsAreNotNames() {
        XCTAssertEqual(persons("Seller and Buyer entered into that certain Agreement of Purchase and Sale (the \"Agreement\"). This Agreement shall bind Buyer."), [])
        XCTAssertEqual(persons("Northwest Bancshares shall be the surviving corporation (the \u{201C}Surviving Company\u{201D}); the Surviving Company shall file."), [])
        XCTAssertEqual(persons("The Department of Transportation expelled Lane, a student, from the U.S. Merchant Marine Academy."), ["Lane"])
        XCTAssertEqual(persons("Employee Benefit Plans shall be offered to the Executive."), [])
        // A defined term that the gazetteer knows as a name stays a name.
        XCTAssertEqual(persons("This agreement is made with Jane Smith (\"Smith\"). Smith shall serve."), ["Jane Smith", "Smith", "Smith"])
        XCTAssertEqual(persons("Attention: Stephen R. Lieberman, Vice President & Treasurer"), ["Stephen R. Lieberman"])
    }

    /// Notice clauses: the whole envelope address, international numbers, and numbers
    /// that only look like phones or dockets.
    func testNoticeAddressesAndInternationalPhones() {
        func values(_ text: String, _ type: EntityType) -> [String] { found(text).filter { $0.0 == type }.map(\.1) }
        XCTAssertEqual(values("Wilmington Trust Company Rodney Square North 1100 North Market Street Wilmington, DE 19890-0001 Attention:", .address),
                       ["1100 North Market Street Wilmington, DE 19890-0001"])
        XCTAssertEqual(values("at the offices of Hale and Dorr, 60 State Street, Boston, Massachusetts, at such time", .address),
                       ["60 State Street, Boston, Massachusetts"])
        XCTAssertEqual(values("Baxter International Inc. One Baxter Parkway Deerfield, IL 60015 Attention: Robert M.", .address),
                       ["One Baxter Parkway Deerfield, IL 60015"])
        XCTAssertEqual(values("Brock Silverstein LLC, 800 Third Avenue, 21st Floor, New York, New York 10022, at 10:00 a.m.", .address),
                       ["800 Third Avenue, 21st Floor, New York, New York 10022"])
        XCTAssertEqual(values("fax number : +49\u{A0}69\u{A0}667747 95412 , Tel: (+972) 3-607-4444 or (312) 997-8000.", .phone),
                       ["+49\u{A0}69\u{A0}667747 95412", "(+972) 3-607-4444", "(312) 997-8000"])
        XCTAssertEqual(values("DFARS 252.227-7015 (technical data) applies.", .phone), [])
        XCTAssertEqual(found("The USA PATRIOT Act (Pub. L. No. 107-56) applies.").filter { $0.0 == .docket }.map(\.1), [])
    }

    func testKnownPartyNamesAreFoundWithoutOtherEvidence() {
        XCTAssertEqual(persons("Oquendo lost the appeal.", names: []), ["Oquendo"])
        XCTAssertEqual(persons("The court sided with Zbigniewa.", names: []), [])
        XCTAssertEqual(persons("The court sided with Zbigniewa.", names: ["Anna Zbigniewa"]), ["Zbigniewa"])
    }

    func testPatternsWithChecksumsAndCues() {
        let text = """
            Mr. Doe (SSN 219-09-9999, not 666-12-3456) paid with 4111 1111 1111 1111, not 4111 1111 1111 1112. \
            IBAN GB82 WEST 1234 5698 7654 32; account number 004512345. E-mail jdoe@mail.example.com, phone (217) 555-0143 \
            or +44 20 7946 0958. He was born on March 3, 1961; the hearing was on March 4, 1999. He lives at 1234 Elm Street, \
            Springfield, IL 62704. Case No. 2:19-cv-01234 and No. 18-1234 were joined. SIN 046 454 286, NI AB 12 34 56 C.
            """
        let got = found(text)
        func values(_ t: EntityType) -> [String] { got.filter { $0.0 == t }.map(\.1) }
        XCTAssertEqual(values(.ssn), ["219-09-9999"])
        XCTAssertEqual(values(.card), ["4111 1111 1111 1111"])
        XCTAssertEqual(values(.bankAccount), ["GB82 WEST 1234 5698 7654 32", "004512345"])
        XCTAssertEqual(values(.email), ["jdoe@mail.example.com"])
        XCTAssertEqual(values(.phone), ["(217) 555-0143", "+44 20 7946 0958"])
        XCTAssertEqual(values(.dateOfBirth), ["March 3, 1961"])
        XCTAssertEqual(values(.address), ["1234 Elm Street, Springfield, IL 62704"])
        XCTAssertEqual(values(.docket), ["2:19-cv-01234", "18-1234"])
        XCTAssertEqual(values(.nationalID), ["046 454 286", "AB 12 34 56 C"])
        XCTAssertEqual(values(.person), ["Doe"])
    }

    func testPolicyTurnsTypesOffAndOrganisationsOn() throws {
        let off = try MaskingPolicy(yaml: "entities:\n  person: off\n  email: off\n", file: "p.yaml")
        XCTAssertEqual(found("Mr. Smith wrote to a@b.org from 1234 Elm Street.", policy: off).map(\.0), [.address])
        let orgs = try MaskingPolicy(yaml: "entities: {organization: on}", file: "p.json")
        XCTAssertEqual(found("He worked for Garcia Plumbing, Inc. and for Acme.", policy: orgs).map(\.1), ["Garcia Plumbing, Inc."])
        XCTAssertEqual(found("He worked for Garcia Plumbing, Inc. and for Acme.").filter { $0.0 == .organization }.count, 0)
    }
}
