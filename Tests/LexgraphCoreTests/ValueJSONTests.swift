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

    /// A key repeated within one object is an error at the repeated key (keeping either
    /// value would let two readers of the same text disagree), at any depth; equal keys in
    /// different objects are fine.
    func testDuplicateKeysAreErrors() {
        XCTAssertThrowsError(try Value.parseJSON(#"{"usid": "1US1", "facts": "x", "usid": "2US2"}"#)) { error in
            XCTAssertEqual((error as? JSONError)?.location?.column, 32)
            XCTAssertEqual((error as? JSONError)?.message, #"invalid JSON: duplicate key "usid" in an object"#)
        }
        XCTAssertThrowsError(try Value.parseJSON(#"[{"a": {"b": 1, "b": 1}}]"#)) { XCTAssertTrue("\($0)".contains(#"duplicate key "b""#), "\($0)") }
        XCTAssertThrowsError(try Value.parseJSON(#"{"\u0061": 1, "a": 2}"#), "the same key written two ways")
        XCTAssertEqual(try Value.parseJSON(#"[{"a": 1}, {"a": 2, "b": {"a": 3}}]"#),
                       .list([.map(["a": .int(1)]), .map(["a": .int(2), "b": .map(["a": .int(3)])])]))
    }

    func testLegalDateIsStrict() {
        XCTAssertEqual(LegalDate(iso: "2000-02-29")?.iso, "2000-02-29")
        XCTAssertNil(LegalDate(iso: "1900-02-29"))
        XCTAssertNil(LegalDate(iso: "2001-13-01"))
        XCTAssertNil(LegalDate(iso: "2001-1-01"))
        XCTAssertTrue(LegalDate(iso: "1999-12-31")! < LegalDate(iso: "2000-01-01")!)
    }
}

final class ValueJSONNumberRangeTests: XCTestCase {
    /// A number past a double's range is an error at the number (it used to be read as
    /// infinity); an integer past 64 bits is its nearest double, as Hugging Face's
    /// `model_max_length` of int(1e30) needs.
    func testNumbersPastTheDoubleRangeAreErrors() {
        XCTAssertThrowsError(try Value.parseJSON("[1e999]")) { error in
            XCTAssertEqual((error as? JSONError)?.location?.column, 2)
            XCTAssertTrue("\(error)".contains("out of the range"), "\(error)")
        }
        XCTAssertThrowsError(try Value.parseJSON("-1e400"))
        XCTAssertEqual(try Value.parseJSON("[9223372036854775807, -9223372036854775808, 1e308, 1e-400, 1000000000000000019884624838656]"),
                       .list([.int(.max), .int(.min), .float(1e308), .float(0), .float(1e30)]))
    }
}
