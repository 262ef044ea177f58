import XCTest
import LexgraphCore

final class ValueJSONTests: XCTestCase {
    func testIntAndFloatStayDistinct() throws {
        let v = try Value.parseJSON(#"{"a": 1, "b": 1.0, "c": [true, null, "x\u00e9\n"], "d": -2.5e3}"#)
        XCTAssertEqual(v, .map(["a": .int(1), "b": .float(1.0), "c": .list([.bool(true), .null, .string("xé\n")]), "d": .float(-2500)]))
        XCTAssertEqual(try Value.parseJSON(v.jsonText), v)
        XCTAssertEqual(Value.float(1).jsonText, "1.0")
    }

    func testSyntaxErrorsNameTheColumn() {
        XCTAssertThrowsError(try Value.parseJSON(#"{"a": tru}"#)) { error in
            XCTAssertEqual((error as? JSONError)?.location?.column, 7)
        }
        XCTAssertThrowsError(try Value.parseJSON(#"[1, 2"#))
        XCTAssertThrowsError(try Value.parseJSON(#"{"a":1} x"#))
    }

    func testLegalDateIsStrict() {
        XCTAssertEqual(LegalDate(iso: "2000-02-29")?.iso, "2000-02-29")
        XCTAssertNil(LegalDate(iso: "1900-02-29"))
        XCTAssertNil(LegalDate(iso: "2001-13-01"))
        XCTAssertNil(LegalDate(iso: "2001-1-01"))
        XCTAssertTrue(LegalDate(iso: "1999-12-31")! < LegalDate(iso: "2000-01-01")!)
    }
}
