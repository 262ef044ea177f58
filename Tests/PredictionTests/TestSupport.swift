import Foundation
import LexgraphCore
import XCTest
import TestRequirements

/// Paths and fixture loading shared by the prediction tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared data folder: $LEXGRAPH_DATA or <root>/../shared/data.
    static var dataFolder: String {
        ProcessInfo.processInfo.environment["LEXGRAPH_DATA"]
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
    }

    /// Skips the calling test when the shared data is not present (fails it under CI).
    static func requireSharedData() throws -> String {
        let folder = dataFolder
        guard FileManager.default.fileExists(atPath: folder + "/scotus/cases.jsonl") else {
            throw TestRequirements.missing("shared data not found at \(folder) (set LEXGRAPH_DATA)")
        }
        return folder
    }

    static func fixture(_ name: String) throws -> [String: Value] {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/prediction/\(name)")
        let data = try Data(contentsOf: url)
        guard case .map(let object) = try Value.parseJSON(bytes: [UInt8](data)) else {
            throw NSError(domain: "fixture \(name) is not a JSON object", code: 1)
        }
        return object
    }

    static func doubles(_ v: Value?) -> [Double] {
        guard case .list(let items)? = v else { return [] }
        return items.compactMap(\.doubleValue)
    }

    static func bools(_ v: Value?) -> [Bool] {
        doubles(v).map { $0 != 0 }
    }

    static func list(_ v: Value?) -> [Value] {
        guard case .list(let items)? = v else { return [] }
        return items
    }

    static func map(_ v: Value) -> [String: Value] {
        guard case .map(let m) = v else { return [:] }
        return m
    }
}
