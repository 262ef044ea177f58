import Foundation
import XCTest
import ContractReview

/// The segmenter's rules on small documents written for each: plain-text numbering with
/// nested lists, unnumbered contracts, headings, hard-wrapped lines, trailing text, and
/// line endings.
final class SegmentationRuleTests: XCTestCase {
    func outline(_ text: String) -> [String] {
        ClauseSegmenter.segment(text: text).segments.map { "\($0.path) | \($0.heading ?? "-") | \($0.text)" }
    }

    func testPlainTextNumberingWithBracketedSubItemsAtTheSameIndent() {
        let text = """
            MASTER SERVICES AGREEMENT

            1. Definitions. In this Agreement:
            (a) "Services" means the services in Schedule 1;
            (b) "Fees" means the fees in Schedule 2.
            2. PAYMENT
            Customer shall pay the Fees within 30 days.
            2.1 Late Payment. Interest accrues at 1% a month.
            2.2 Taxes. Fees exclude taxes.
            (i) VAT is added where due;
            (ii) withholding is grossed up.
            3. Term. This Agreement lasts one year.
            """
        let contract = ClauseSegmenter.segment(text: text)
        XCTAssertEqual(contract.title, "MASTER SERVICES AGREEMENT")
        XCTAssertEqual(outline(text), [
            "1 | Definitions | In this Agreement:",
            "1(a) | - | \"Services\" means the services in Schedule 1;",
            "1(b) | - | \"Fees\" means the fees in Schedule 2.",
            "2 | PAYMENT | Customer shall pay the Fees within 30 days.",
            "2.1 | Late Payment | Interest accrues at 1% a month.",
            "2.2 | Taxes | Fees exclude taxes.",
            "2.2(i) | - | VAT is added where due;",
            "2.2(ii) | - | withholding is grossed up.",
            "3 | Term | This Agreement lasts one year.",
        ])
        XCTAssertEqual(contract.segments.map(\.depth), [1, 2, 2, 1, 2, 2, 3, 3, 1])
        XCTAssertEqual(contract.segments.first { $0.path == "2" }?.lines, 6...7)
    }

    func testLetterIAfterHIsALetterAndSectionWordsNumberClauses() {
        let letters = "abcdefgh".map { "(\($0)) item \($0);" }.joined(separator: "\n")
        let text = "Section 1. Scope.\n" + letters + "\n(i) item i;\n(j) item j.\n\nSection 2 – Notices\nNotices must be in writing.\n"
        XCTAssertEqual(ClauseSegmenter.segment(text: text).segments.map(\.path),
                       ["1"] + "abcdefghij".map { "1(\($0))" } + ["2"])
        XCTAssertEqual(ClauseSegmenter.segment(text: text).segments.last?.heading, "Notices")
        XCTAssertEqual(ClauseSegmenter.segment(text: text).segments.last?.text, "Notices must be in writing.")
    }

    func testANumberThatAHardLineBreakPutFirstIsNotAClause() {
        let text = """
            1. Assignment. Neither party may assign this Agreement except as set out in Section
            3.2 of the Master Agreement or with consent, and any assignment made on less than
            12. Months' notice is void.

            2. Notices. In writing.
            """
        XCTAssertEqual(outline(text), [
            "1 | Assignment | Neither party may assign this Agreement except as set out in Section 3.2 of the Master Agreement or with consent, and any assignment made on less than 12. Months' notice is void.",
            "2 | Notices | In writing.",
        ])
    }

    func testAContractWithoutNumberingIsSegmentedByParagraphs() {
        let text = """
            CONSULTING AGREEMENT

            This Agreement is made between Acme Ltd and Jane Doe.

            Services. The Consultant will provide advice on pricing
            as the Company asks from time to time.

            Fees. The Company will pay the Consultant USD 100 an hour.

            The parties sign below.
            """
        let contract = ClauseSegmenter.segment(text: text)
        XCTAssertEqual(contract.title, "CONSULTING AGREEMENT")
        XCTAssertEqual(outline(text), [
            "¶1 | - | This Agreement is made between Acme Ltd and Jane Doe.",
            "¶2 | Services | The Consultant will provide advice on pricing as the Company asks from time to time.",
            "¶3 | Fees | The Company will pay the Consultant USD 100 an hour.",
            "¶4 | - | The parties sign below.",
        ])
        XCTAssertEqual(contract.segments[1].lines, 5...6)
    }

    func testHeadingsWithoutNumbersHoldTheParagraphsUnderThem() {
        let text = """
            # Supply Agreement

            ## Delivery

            The Supplier delivers to the Buyer's site.

            Risk passes on delivery.

            **Warranty**

            The goods conform to the specification.

            LIMITATION OF LIABILITY

            Neither party is liable for indirect loss.
            """
        XCTAssertEqual(ClauseSegmenter.segment(text: text).title, "Supply Agreement")
        XCTAssertEqual(outline(text), [
            "¶1 | Delivery | The Supplier delivers to the Buyer's site.\nRisk passes on delivery.",
            "¶2 | Warranty | The goods conform to the specification.",
            "¶3 | LIMITATION OF LIABILITY | Neither party is liable for indirect loss.",
        ])
    }

    func testNumberedMarkdownHeadings() {
        let text = "# Terms\n\n## 1. Confidentiality\n\nKeep it secret.\n\n## 2. Term\n\nOne year.\n"
        XCTAssertEqual(outline(text), ["1 | Confidentiality | Keep it secret.", "2 | Term | One year."])
    }

    func testParagraphsAfterAClauseBelongToItUnlessTheyTrailTheLastClause() {
        let text = """
            1. Payment. Fees are due monthly.

            Late fees apply after 30 days.

            2. Law. English law governs.

            IN WITNESS WHEREOF the parties have signed this Agreement.

            Signed: ____________
            """
        XCTAssertEqual(outline(text), [
            "1 | Payment | Fees are due monthly.\nLate fees apply after 30 days.",
            "2 | Law | English law governs.",
            "¶1 | - | IN WITNESS WHEREOF the parties have signed this Agreement.",
            "¶2 | - | Signed: ____________",
        ])
    }

    func testAParagraphInCapitalsIsNotAHeading() {
        let text = "1. Disclaimer.\n\nTHE SOFTWARE IS PROVIDED AS IS\nWITHOUT WARRANTY OF ANY KIND.\n"
        XCTAssertEqual(outline(text), ["1 | Disclaimer | THE SOFTWARE IS PROVIDED AS IS WITHOUT WARRANTY OF ANY KIND."])
    }

    func testMixedLineEndingsGiveTheSameClausesAndLines() {
        let lf = "# NDA\n\n1. **Term**. One year.\n\n2. **Law**. English law\napplies.\n\n3. **Notices**. In writing.\n"
        // Each line break written a different way: CRLF, CR and LF mixed in one file.
        var mixed = ""
        for (k, line) in lf.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if k > 0 { mixed += ["\n", "\r\n", "\r"][k % 3] }
            mixed += line
        }
        let a = ClauseSegmenter.segment(text: lf), b = ClauseSegmenter.segment(text: mixed)
        XCTAssertEqual(a.title, b.title)
        XCTAssertEqual(a.segments.map(\.path), ["1", "2", "3"])
        XCTAssertEqual(a.segments.map(\.text), b.segments.map(\.text))
        XCTAssertEqual(a.segments.map(\.heading), b.segments.map(\.heading))
        XCTAssertEqual(a.segments.map(\.lines), b.segments.map(\.lines))
        XCTAssertEqual(b.segments[1].lines, 5...6)
        // Offsets count the file's own line breaks (a CRLF is two scalars).
        let scalars = Array(mixed.unicodeScalars)
        for s in b.segments {
            let source = String(String.UnicodeScalarView(scalars[s.characters]))
            XCTAssertTrue(source.hasPrefix("\(s.path). **"), source)
            XCTAssertTrue(source.hasSuffix(".") , source)
        }
        XCTAssertEqual(String(String.UnicodeScalarView(scalars[b.segments[1].characters])), "2. **Law**. English law\rapplies.")
    }

    func testSentences() {
        let text = "The Company (e.g. Acme Inc.) may end this. It must give notice! See Section 4.2. Notice goes to J. Smith.\nNew paragraph"
        XCTAssertEqual(SentenceSplitter.split(text).map(\.text), [
            "The Company (e.g. Acme Inc.) may end this.", "It must give notice!", "See Section 4.2.", "Notice goes to J. Smith.", "New paragraph",
        ])
        for s in SentenceSplitter.split(text) {
            XCTAssertEqual(String(String.UnicodeScalarView(Array(text.unicodeScalars)[s.range])), s.text)
        }
    }
}
