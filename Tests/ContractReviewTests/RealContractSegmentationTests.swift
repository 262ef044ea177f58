import Foundation
import TestRequirements
import XCTest
import ContractReview

/// Segmentation of the two Common Paper agreements in the shared data, .md (as published,
/// with HTML spans) and .txt (as pasted), against the clause lists written down from
/// reading them: every number, heading and line below is quoted from the documents.
final class RealContractSegmentationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func contract(_ name: String) throws -> ContractDocument {
        let data = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"].flatMap { $0.isEmpty ? nil : $0 }
            ?? root.deletingLastPathComponent().appendingPathComponent("shared/data").path
        let path = data + "/contracts/" + name
        try TestRequirements.requireFile(path, "the shared contracts (set LEXGRAPH_DATA to the shared data folder)")
        return try ContractDocument.read(path: path)
    }

    /// The Mutual NDA's Standard Terms: sections 1 to 11, each a bold lead-in heading on one
    /// line, then the licence line, which is not part of section 11.
    typealias Clause = (path: String, heading: String?, line: Int)

    static let mutualNDA: [Clause] = [
        ("1", "Introduction", 3),
        ("2", "Use and Protection of Confidential Information", 5),
        ("3", "Exceptions", 7),
        ("4", "Disclosures Required by Law", 9),
        ("5", "Term and Termination", 11),
        ("6", "Return or Destruction of Confidential Information", 13),
        ("7", "Proprietary Rights", 15),
        ("8", "Disclaimer", 17),
        ("9", "Governing Law and Jurisdiction", 19),
        ("10", "Equitable Relief", 21),
        ("11", "General", 23),
        ("¶1", nil, 25),
    ]

    /// The DPA: 11 sections whose titles stand alone; numbered subsections (a nested
    /// Markdown list, indented 4 spaces), most with a `Title.` lead-in; lettered items
    /// under 2.6, 3.2, 3.3 and 7.2; roman items under 3.2(c). The document itself says
    /// "Section 3.2 of this DPA" (3.3(a)), which fixes the numbering scheme.
    static let dataProcessingAgreement: [Clause] = dpaSections + dpaDefinitions

    static let dpaSections: [Clause] = [
        ("1", "Processor and Subprocessor Relationships", 3),
        ("1.1", "Provider as Processor", 5), ("1.2", "Provider as Subprocessor", 7),
        ("2", "Processing", 9),
        ("2.1", "Processing Details", 11), ("2.2", "Processing Instructions", 13), ("2.3", "Processing by Provider", 15),
        ("2.4", "Customer Processing", 17), ("2.5", "Consent to Processing", 19), ("2.6", "Subprocessors", 21),
        ("2.6(a)", nil, 23), ("2.6(b)", nil, 25), ("2.6(c)", nil, 27), ("2.6(d)", nil, 29),
        ("3", "Restricted Transfers", 31),
        ("3.1", "Authorization", 33), ("3.2", "Ex-EEA Transfers", 35),
        ("3.2(a)", nil, 37), ("3.2(b)", nil, 39), ("3.2(c)", nil, 41),
        ("3.2(c)(i)", nil, 43), ("3.2(c)(ii)", nil, 45), ("3.2(c)(iii)", nil, 47), ("3.2(c)(iv)", nil, 49),
        ("3.2(c)(v)", nil, 51), ("3.2(c)(vi)", nil, 53), ("3.2(c)(vii)", nil, 55),
        ("3.3", "Ex-UK Transfers", 57), ("3.3(a)", nil, 59), ("3.3(b)", nil, 61), ("3.3(c)", nil, 63),
        ("3.4", "Other International Transfers", 65),
        ("4", "Security Incident Response", 67), ("4.1", nil, 69),
        ("5", "Audit & Reports", 71),
        ("5.1", "Audit Rights", 73), ("5.2", "Security Reports", 75), ("5.3", "Security Due Diligence", 77),
        ("6", "Coordination & Cooperation", 79),
        ("6.1", "Response to Inquiries", 81), ("6.2", "DPIAs and DTIAs", 83),
        ("7", "Deletion of Customer Personal Data", 85),
        ("7.1", "Deletion by Customer", 87), ("7.2", "Deletion at DPA Expiration", 89), ("7.2(a)", nil, 91), ("7.2(b)", nil, 93),
        ("8", "Limitation of Liability", 95),
        ("8.1", "Liability Caps and Damages Waiver", 97), ("8.2", "Related-Party Claims", 99), ("8.3", "Exceptions", 101),
        ("9", "Conflicts Between Documents", 103), ("9.1", nil, 105),
        ("10", "Term of Agreement", 107), ("10.1", nil, 109),
        ("11", "Definitions", 111),
    ]

    /// 11.1 to 11.20, one definition every other line from line 113.
    static let dpaDefinitions: [Clause] = (1...20).map { n -> Clause in ("11.\(n)", nil, 111 + 2 * n) }

    func check(_ file: String, title: String, expected: [Clause]) throws -> SegmentedContract {
        let contract = ClauseSegmenter.segment(try Self.contract(file))
        XCTAssertEqual(contract.title, title, file)
        let found = contract.segments.map { "\($0.path) | \($0.heading ?? "-") | \($0.lines.lowerBound)" }
        let wanted = expected.map { "\($0.path) | \($0.heading ?? "-") | \($0.line)" }
        XCTAssertEqual(found, wanted, file)
        // Each clause here is one line; its range covers that line from the number on.
        for s in contract.segments { XCTAssertEqual(s.lines.lowerBound, s.lines.upperBound, "\(file) \(s.path)") }
        return contract
    }

    func testMutualNDAMarkdownAndTextGiveTheSameClauses() throws {
        let md = try check("commonpaper-Mutual-NDA.md", title: "Standard Terms", expected: Self.mutualNDA)
        let txt = try check("commonpaper-Mutual-NDA.txt", title: "Standard Terms", expected: Self.mutualNDA)
        XCTAssertEqual(md.segments.map(\.text), txt.segments.map(\.text), "the .md's spans removed, both read the same")
        let byPath = Dictionary(uniqueKeysWithValues: md.segments.map { ($0.path, $0) })
        // Bold markers and spans are gone; the text after the heading starts the body.
        XCTAssertTrue(byPath["1"]!.text.hasPrefix("This Mutual Non-Disclosure Agreement (which incorporates these Standard Terms"), byPath["1"]!.text)
        XCTAssertTrue(byPath["1"]!.text.contains("(“MNDA”) allows each party (“Disclosing Party”)"), byPath["1"]!.text)
        XCTAssertTrue(byPath["1"]!.text.contains("in connection with the Purpose which (1)"), byPath["1"]!.text)
        XCTAssertTrue(byPath["8"]!.text.hasPrefix("ALL CONFIDENTIAL INFORMATION IS PROVIDED “AS IS”"), byPath["8"]!.text)
        // Inline enumerations stay inside their clause.
        XCTAssertTrue(byPath["2"]!.text.contains("(a) use Confidential Information solely for the Purpose; (b) not disclose"), byPath["2"]!.text)
        XCTAssertEqual(byPath["¶1"]!.text, "Common Paper Mutual Non-Disclosure Agreement Version 1.0 free to use under CC BY 4.0.")
        XCTAssertEqual(Set(md.segments.map(\.depth)), [1])
    }

    func testDataProcessingAgreementMarkdownAndTextGiveTheSameClauses() throws {
        let md = try check("commonpaper-DPA.md", title: "Data Processing Agreement", expected: Self.dataProcessingAgreement)
        let txt = try check("commonpaper-DPA.txt", title: "Data Processing Agreement", expected: Self.dataProcessingAgreement)
        XCTAssertEqual(md.segments.count, 75)
        XCTAssertEqual(md.segments.map(\.text), txt.segments.map(\.text))
        let byPath = Dictionary(uniqueKeysWithValues: txt.segments.map { ($0.path, $0) })
        // Nesting: depth and parent follow the numbering.
        XCTAssertEqual(byPath["3.2(c)(vii)"]!.depth, 4)
        XCTAssertEqual(byPath["3.2(c)(vii)"]!.parent, "3.2(c)")
        XCTAssertEqual(byPath["2.6(a)"]!.parent, "2.6")
        XCTAssertEqual(byPath["11.20"]!.parent, "11")
        XCTAssertEqual(byPath["10"]!.depth, 1)
        // Sections whose number line holds only a title have no text of their own.
        for path in ["1", "2", "2.6", "3", "7.2", "11"] { XCTAssertEqual(byPath[path]!.text, "", path) }
        XCTAssertEqual(byPath["1.1"]!.text, "In situations where Customer is a Controller of the Customer Personal Data, Provider will be deemed a Processor that is Processing Personal Data on behalf of Customer.")
        XCTAssertTrue(byPath["8.1"]!.text.hasPrefix("To the maximum extent permitted under Applicable Data Protection Laws"), byPath["8.1"]!.text)
        XCTAssertTrue(byPath["11.1"]!.text.hasPrefix("\"Applicable Laws\" means the laws"), byPath["11.1"]!.text)
        XCTAssertEqual(byPath["3.2(c)(iv)"]!.text, "All square brackets in Clause 13 are removed;")
        // The left-to-right mark in "Section ‎18" is not part of the text.
        XCTAssertTrue(byPath["3.3(b)"]!.text.contains("under Section 18 of the UK Addendum"), byPath["3.3(b)"]!.text)
    }

    func testCharacterRangesPointIntoTheFile() throws {
        for name in ["commonpaper-DPA.md", "commonpaper-Mutual-NDA.txt"] {
            let document = try Self.contract(name)
            let scalars = Array(document.text.unicodeScalars)
            let lines = document.text.components(separatedBy: "\n")
            for s in ClauseSegmenter.segment(document).segments {
                let source = String(String.UnicodeScalarView(scalars[s.characters]))
                let line = lines[s.lines.lowerBound - 1].trimmingCharacters(in: .whitespaces)
                XCTAssertEqual(source, line, "\(name) \(s.path): the range covers the clause's line from its number on")
                if let marker = s.marker { XCTAssertTrue(source.hasPrefix(marker), "\(name) \(s.path)") }
            }
        }
    }
}
