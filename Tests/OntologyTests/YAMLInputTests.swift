import Foundation
import LexgraphCore
import Ontology
import XCTest

/// Curator YAML (ontology documents, updates, recipes): capped in size and nesting,
/// UTF-8 only, duplicate keys refused, and errors that quote at most one line.
final class YAMLInputTests: XCTestCase {
    private func temp(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-yaml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testLatin1OntologyFileIsRefusedAtItsPlace() throws {
        let path = try temp("o.yaml", Array("ontology: t\nversion: 1\ndescription: N".utf8) + [0xEE] + Array("mes\n".utf8))
        XCTAssertThrowsError(try OntologyFile.read(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path):3:15: invalid UTF-8: byte 0xEE at byte offset 37; the file must be UTF-8 (convert it first, e.g. `iconv -f LATIN1 -t UTF-8`)")
        }
    }

    func testOversizedFileIsRefusedBeforeParsingAndTheCapCanBeRaised() throws {
        // 5 MB of one key repeated: what took minutes and half a gigabyte before the cap.
        var text = "update: 4\n"
        while text.utf8.count < 5_000_000 { text += "description: again and again and again\n" }
        let path = try temp("0004-2026-12-01-big.yaml", Array(text.utf8))
        let started = Date()
        XCTAssertThrowsError(try OntologyFile.read(path: path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(path): file is 5,000,0"), message)
            XCTAssertTrue(message.contains("over the 4,194,304-byte cap; set LEXGRAPH_MAX_YAML_BYTES"), message)
            XCTAssertLessThan(message.count, 400, "the error must not reprint the file")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        setenv(YAMLInput.maxBytesVariable, "8000000", 1)
        defer { unsetenv(YAMLInput.maxBytesVariable) }
        XCTAssertThrowsError(try OntologyFile.read(path: path)) { error in
            // Within the raised cap the file is parsed: the repeated key is the error.
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(path):2:1: duplicate key 'description'"), String(message.prefix(300)))
            XCTAssertLessThan(message.count, 300, "the error must not reprint the file")
        }
        setenv(YAMLInput.maxBytesVariable, "lots", 1)
        XCTAssertThrowsError(try OntologyFile.read(path: path)) { error in
            XCTAssertEqual("\(error)", "LEXGRAPH_MAX_YAML_BYTES must be a positive number of bytes, got 'lots'")
        }
    }

    func testDuplicateKeysAreErrorsWithTheirLine() throws {
        let text = "ontology: t\nversion: 1\nnode_types:\n  Case: {}\n  Court: {}\n  Case: {}\n"
        XCTAssertThrowsError(try Ontology(yaml: text, file: "t.yaml")) { error in
            XCTAssertEqual("\(error)", "t.yaml:4:3: duplicate key 'Case' in one mapping (each key may appear once) (line: Case: {})")
        }
    }

    func testSyntaxErrorsQuoteOnlyTheirLine() throws {
        var text = "ontology: t\nversion: 1\n"
        for i in 0..<2000 { text += "# filler line \(i)\n" }
        text += "node_types: [a, b\nedge_types: {}\n"
        XCTAssertThrowsError(try Ontology(yaml: text, file: "t.yaml")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("t.yaml:200"), message)
            XCTAssertTrue(message.contains("YAML syntax error"), message)
            XCTAssertFalse(message.contains("filler"), message)
            XCTAssertLessThan(message.count, 300, message)
        }
    }

    /// libyaml stops at 1000 levels; its message named a C function and Yams' added
    /// the whole document.
    func testDeepNestingIsAShortError() throws {
        let flow = "ontology: t\nversion: 1\ndescription: " + String(repeating: "[", count: 100_000) + "\n"
        XCTAssertThrowsError(try Ontology(yaml: flow, file: "t.yaml")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("t.yaml:3:"), message)
            XCTAssertTrue(message.contains(": YAML nested deeper than 1000 levels (line: description: [[[["), message)
            XCTAssertLessThan(message.count, 150, "the error quotes at most the line, truncated")
        }
    }
}
