import Foundation
import LexgraphCore
import XCTest
import ContractReview

/// Bad input: each gets a clear error naming the file (and line) or a documented behaviour.
final class ContractDocumentTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "lexgraph-contract-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func message(_ path: String, limit: TextFile.Limit? = nil) -> String {
        do {
            _ = try ContractDocument.read(path: path, displayName: (path as NSString).lastPathComponent, limit: limit)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testEmptyAndBlankFiles() {
        XCTAssertEqual(message(write("empty.txt", [])), "empty.txt: contract is empty (0 bytes)")
        XCTAssertEqual(message(write("blank.md", Array(" \n\t\r\n\u{FEFF}\n".utf8))), "blank.md: contract holds only whitespace")
    }

    func testBinaryFilesAreRefusedWithWhatTheyAre() {
        XCTAssertEqual(message(write("nul.txt", Array("line one\nline two\0rest".utf8))),
                       "nul.txt:2: binary file: NUL byte at byte offset 17; a contract must be plain text or Markdown in UTF-8")
        XCTAssertEqual(message(write("utf16.txt", [0xFF, 0xFE] + Array("Hi".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
                       "utf16.txt:1: binary file: NUL byte at byte offset 3; it looks like UTF-16 text: convert it to UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)")
        // A Word file by its extension (not even read) and by its first bytes under another name.
        XCTAssertTrue(message(write("contract.docx", [0x50, 0x4B, 0x03, 0x04])).hasPrefix("contract.docx: this is a Word document (.docx), which lexgraph does not read: save the contract as plain text (.txt) or Markdown (.md)"))
        XCTAssertTrue(message(write("renamed.txt", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])).hasPrefix("renamed.txt: this is a zip archive (a Word .docx or OpenDocument file is one)"))
        XCTAssertTrue(message(write("scan.txt", Array("%PDF-1.7\n".utf8))).hasPrefix("scan.txt: this is a PDF, which lexgraph does not read"))
    }

    func testInvalidUTF8IsRefusedAtItsLineAndColumn() {
        // "Société" in Latin-1 on line 2.
        let latin1: [UInt8] = Array("1. Parties.\nSoci".utf8) + [0xE9] + Array("t\u{E9}".utf8)
        XCTAssertEqual(message(write("latin1.txt", latin1)),
                       "latin1.txt:2:5: invalid UTF-8: byte 0xE9 at byte offset 16; the file must be UTF-8 (convert it first, e.g. `iconv -f LATIN1 -t UTF-8`)")
    }

    func testMissingFileAndFolder() {
        XCTAssertEqual(message(folder + "/nope.txt"), "nope.txt: no such file")
        XCTAssertEqual(message(folder), "\((folder as NSString).lastPathComponent): is a folder, not a contract file")
    }

    /// A 5 MB contract: over the default cap it is refused before it is read, naming the
    /// cap and how to raise it; under a raised cap it is read and segmented whole.
    func testAFiveMegabyteContract() throws {
        let clause = "Each party shall keep the other party's Confidential Information secret and use it only for the Purpose, "
            + "with at least reasonable care, for five years after the end of this Agreement.\n\n"
        // Sections of 150 numbered subsections each, until 5 MB.
        var text = "# Framework Agreement\n\n"
        var sections = 0, clauses = 0, line = 3
        var last = (path: "", line: 0)
        while text.utf8.count < 5_000_000 {
            sections += 1
            text += "\(sections). Part \(sections)\n\n"
            clauses += 1
            line += 2
            for m in 1...150 {
                text += "\(sections).\(m) Clause \(m). " + clause
                clauses += 1
                last = ("\(sections).\(m)", line)
                line += 2
            }
        }
        let path = folder + "/big.md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let size = text.utf8.count
        XCTAssertEqual(message(path), "big.md: contract is \(Self.grouped(size)) bytes, over the 2,097,152-byte cap; set LEXGRAPH_MAX_CONTRACT_BYTES to a number of bytes to change the cap")

        let started = Date()
        let document = try ContractDocument.read(path: path, limit: TextFile.Limit(bytes: 8_000_000, howToRaise: ""))
        let contract = ClauseSegmenter.segment(document)
        let seconds = Date().timeIntervalSince(started)
        print("segmented a \(size)-byte contract into \(contract.segments.count) clauses in \(String(format: "%.2f", seconds)) s")
        XCTAssertEqual(contract.segments.count, clauses)
        XCTAssertEqual(contract.segments.filter { $0.depth == 1 }.count, sections)
        XCTAssertEqual(contract.segments.last?.path, last.path)
        XCTAssertEqual(contract.segments.last?.heading, "Clause 150")
        XCTAssertEqual(contract.segments.last?.parent, "\(sections)")
        XCTAssertEqual(contract.segments.last?.lines.lowerBound, last.line)
    }

    func testTheCapComesFromTheEnvironment() throws {
        XCTAssertEqual(try ContractDocument.limit(environment: [:]).bytes, 2 * 1024 * 1024)
        XCTAssertEqual(try ContractDocument.limit(environment: ["LEXGRAPH_MAX_CONTRACT_BYTES": "6000000"]).bytes, 6_000_000)
        XCTAssertThrowsError(try ContractDocument.limit(environment: ["LEXGRAPH_MAX_CONTRACT_BYTES": "lots"])) { error in
            XCTAssertEqual("\(error)", "LEXGRAPH_MAX_CONTRACT_BYTES must be a positive number of bytes, got 'lots'")
        }
    }

    static func grouped(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.groupingSeparator = ","
        f.usesGroupingSeparator = true
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
}
