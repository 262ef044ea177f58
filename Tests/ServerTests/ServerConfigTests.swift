import Foundation
import XCTest
import Server

/// `lexgraph serve`'s configuration: YAML or JSON, environment overrides, and errors
/// that name the file, line and setting.
final class ServerConfigTests: XCTestCase {
    func file(_ text: String, _ name: String = "serve.yaml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testYAMLAndJSONGiveTheSameSettings() throws {
        let yaml = try file("""
            database:
              path: graph.sqlite
              name: legal
              read_only: true
            http:
              bind: "[::1]:8080"
            limits:
              max_body_size: 64K
              request_time_limit_seconds: 2.5
              max_concurrent_requests: 4
            log:
              format: text
              level: debug
            """)
        let json = try file("""
            {"database": {"path": "graph.sqlite", "name": "legal", "read_only": true}, "http": {"bind": "[::1]:8080"},
             "limits": {"max_body_size": "64K", "request_time_limit_seconds": 2.5, "max_concurrent_requests": 4},
             "log": {"format": "text", "level": "debug"}}
            """, "serve.json")
        let a = try ServerConfig.load(file: yaml, environment: [:])
        var b = try ServerConfig.load(file: json, environment: [:])
        XCTAssertEqual(a.databasePath, URL(fileURLWithPath: yaml).deletingLastPathComponent().appendingPathComponent("graph.sqlite").path,
                       "a relative path is relative to the file's folder")
        b.databasePath = a.databasePath
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.databaseName, "legal")
        XCTAssertTrue(a.readOnly)
        XCTAssertEqual(a.host, "::1")
        XCTAssertEqual(a.port, 8080)
        XCTAssertEqual(a.maxBodyBytes, 65536)
        XCTAssertEqual(a.requestTimeLimit, 2.5)
        XCTAssertEqual(a.maxConcurrentRequests, 4)
        XCTAssertEqual(a.logFormat, .text)
        XCTAssertEqual(a.logLevel, .debug)
    }

    func testEnvironmentOverridesTheFileAndDefaultsAreLoopback() throws {
        let defaults = try ServerConfig.load(file: nil, environment: [:])
        XCTAssertEqual(defaults.host, "127.0.0.1")
        XCTAssertEqual(defaults.port, 7474)
        let path = try file("http:\n  bind: 127.0.0.1:9000\nlimits:\n  max_concurrent_requests: 2\n")
        let c = try ServerConfig.load(file: path, environment: ["LEXGRAPH_BIND": "0.0.0.0:9100", "LEXGRAPH_DB": "/data/g.sqlite"])
        XCTAssertEqual(c.host, "0.0.0.0")
        XCTAssertEqual(c.port, 9100)
        XCTAssertEqual(c.databasePath, "/data/g.sqlite")
        XCTAssertEqual(c.maxConcurrentRequests, 2)
    }

    func testErrorsNameFileLineAndSetting() throws {
        let path = try file("http:\n  bind: 127.0.0.1:9000\nlimits:\n  max_concurent_requests: 2\n")
        XCTAssertThrowsError(try ServerConfig.load(file: path, environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):4: unknown setting 'limits.max_concurent_requests' (known: database.path,"), "\(error)")
        }
        let bad = try file("limits:\n  request_time_limit_seconds: soon\n")
        XCTAssertThrowsError(try ServerConfig.load(file: bad, environment: [:])) { error in
            XCTAssertEqual("\(error)", "\(bad):2: 'limits.request_time_limit_seconds' must be a number of seconds greater than 0, got 'soon'")
        }
        XCTAssertThrowsError(try ServerConfig.load(file: nil, environment: ["LEXGRAPH_BIND": "localhost"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("$LEXGRAPH_BIND must be HOST:PORT"), "\(error)")
        }
        XCTAssertThrowsError(try ServerConfig.load(file: nil, environment: ["LEXGRAPH_MAX_BODY_SIZE": "0"]))
        let list = try file("- a\n- b\n")
        XCTAssertThrowsError(try ServerConfig.load(file: list, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("must be a mapping of sections"), "\(error)")
        }
        let broken = try file("limits: {max_body_size: 1M\n")
        XCTAssertThrowsError(try ServerConfig.load(file: broken, environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(broken): not valid YAML or JSON"), "\(error)")
        }
    }
}
