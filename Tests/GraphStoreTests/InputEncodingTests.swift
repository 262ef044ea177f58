import Foundation
import GraphStore
import LexgraphCore
import XCTest

/// Files that are not UTF-8 are refused at file:line:column with the byte offset, never
/// loaded with U+FFFD in place of their letters; and YAML input is capped in size.
final class InputEncodingTests: XCTestCase {
    typealias S = LoadTestSupport

    /// "Nîmes" in Latin-1: 0xEE for î.
    static let latin1Row: [UInt8] = Array("x:1,N".utf8) + [0xEE] + Array("mes\n".utf8)

    func testLatin1CSVIsRefusedWithItsPlaceAndNothingIsWritten() throws {
        let dir = try S.tempFolder(self)
        try Data(Array("key,name\n".utf8) + Self.latin1Row).write(to: dir.appendingPathComponent("towns.csv"))
        let recipe = try S.recipe("""
            recipe: towns
            sources:
              - file: towns.csv
                nodes: [{key: "{key}", type: SupremeCourtCase, properties: {name: name}}]
            """, in: dir)
        let store = try S.newStore(in: dir)
        XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load([recipe])) { error in
            XCTAssertTrue("\(error)".contains("towns.csv:2:6: invalid UTF-8: byte 0xEE at byte offset 14"), "\(error)")
        }
        XCTAssertEqual(try S.count(store, "node"), 0)
    }

    func testEveryRecordFormatRefusesInvalidUTF8() throws {
        let dir = try S.tempFolder(self)
        let files: [(String, SourceFormat, [UInt8], String)] = [
            ("a.tsv", .tsv, Array("key\tname\n".utf8) + [0x41, 0xC3, 0x28, 0x0A], "a.tsv:2:2:"),               // bad continuation
            ("b.jsonl", .jsonl, Array("{\"a\": \"ok\"}\n{\"a\": \"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}\n".utf8), "b.jsonl:2:8:"), // a surrogate
            ("c.json", .jsonArray, Array("[{\"a\": \"".utf8) + [0xC0, 0xAF] + Array("\"}]".utf8), "c.json:1:9:"),  // overlong '/'
            ("d.csv", .csv, Array("a\n\"x\n".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("\"\n".utf8), "d.csv:3:1:"), // past U+10FFFF, inside a quoted field
        ]
        for (name, format, bytes, place) in files {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
            XCTAssertThrowsError(try RecordReader.read(path: dir.appendingPathComponent(name).path, displayName: name, format: format) { _ in }) { error in
                XCTAssertTrue("\(error)".hasPrefix(place) && "\(error)".contains("invalid UTF-8"), "\(name): \(error)")
            }
        }
    }

    func testRecipeYAMLMustBeUTF8AndWithinTheCap() throws {
        let dir = try S.tempFolder(self)
        let bad = dir.appendingPathComponent("bad.yaml")
        try Data(Array("recipe: towns\ndescription: N".utf8) + [0xEE] + Array("mes\n".utf8)).write(to: bad)
        XCTAssertThrowsError(try Recipe(contentsOf: bad.path, displayName: "bad.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("bad.yaml:2:15: invalid UTF-8: byte 0xEE at byte offset 28"), "\(error)")
        }
        let big = dir.appendingPathComponent("big.yaml")
        try Data(repeating: UInt8(ascii: "#"), count: 4 * 1024 * 1024 + 1).write(to: big)
        XCTAssertThrowsError(try Recipe(contentsOf: big.path, displayName: "big.yaml")) { error in
            XCTAssertEqual("\(error)", "big.yaml: recipe is 4,194,305 bytes, over the 4,194,304-byte cap; set LEXGRAPH_MAX_YAML_BYTES to a number of bytes to change the cap")
        }
    }
}
