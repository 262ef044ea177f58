import Prediction
import XCTest

final class CSVTableTests: XCTestCase {
    func testQuotedFieldsAndLines() throws {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",3\n4,\"two\nlines\",6\n7,,\"\"\n"
        let t = try CSVTable(bytes: Array(text.utf8), file: "t.csv")
        XCTAssertEqual(t.header, ["a", "b", "c"])
        XCTAssertEqual(t.rows, [["1", "x, \"y\"", "3"], ["4", "two\nlines", "6"], ["7", "", ""]])
        XCTAssertEqual(t.lines, [2, 3, 5])
        XCTAssertEqual(try t.column("c"), 2)
        XCTAssertThrowsError(try t.column("d")) { XCTAssertEqual("\($0)", "t.csv:1: CSV file has no column 'd'") }
    }

    func testLatin1IsRefusedNotReplaced() {
        let bytes = Array("caseId,name\n1,N".utf8) + [0xEE] + Array("mes\n".utf8)
        XCTAssertThrowsError(try CSVTable(bytes: bytes, file: "t.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.csv:2:4: invalid UTF-8: byte 0xEE at byte offset 15"), "\(error)")
        }
    }

    func testRaggedRowNamesItsLine() {
        XCTAssertThrowsError(try CSVTable(bytes: Array("a,b\n1,2\n3\n".utf8), file: "r.csv")) { error in
            XCTAssertEqual("\(error)", "r.csv:3: row has 1 fields, header has 2")
        }
        XCTAssertThrowsError(try CSVTable(bytes: Array("a,b\n1,\"2\n".utf8), file: "q.csv")) { error in
            XCTAssertEqual("\(error)", "q.csv:2: unterminated quoted field")
        }
    }
}
