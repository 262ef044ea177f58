import Foundation
import LexgraphCore

/// Pending cases for `lexgraph predict`: JSON Lines with `cases.jsonl` fields and nothing
/// that is only known after the decision. Any key outside `CaseInput.allowedFields` is
/// refused with its file:line and name, rather than silently dropped, so a user who pasted
/// an outcome into the input learns that it would have been leakage. A key repeated within
/// a line is refused by the JSON reader; with `identifiers`, a malformed usid or one the
/// graph does not hold is refused too (`PendingCaseIdentifiers`).
public enum PendingCases {
    public static func read(path: String, scdb: SCDBTable?, identifiers: PendingCaseIdentifiers? = nil) throws -> [CaseInput] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PredictionError("cannot read pending cases file \(path)")
        }
        return try read(jsonLines: [UInt8](data), file: path, scdb: scdb, identifiers: identifiers)
    }

    public static func read(jsonLines bytes: [UInt8], file: String, scdb: SCDBTable?, identifiers: PendingCaseIdentifiers? = nil) throws -> [CaseInput] {
        let objects = try CaseDataset.jsonObjects(jsonLines: bytes, file: file)
        guard !objects.isEmpty else { throw PredictionError("no cases in the file", file: file, line: 1) }
        return try read(objects: objects, scdb: scdb, identifiers: identifiers)
    }

    /// The same checks over objects already parsed (a request body's cases), each with the
    /// place its errors name.
    public static func read(objects: [([String: Value], SourceLocation)], scdb: SCDBTable?,
                            identifiers: PendingCaseIdentifiers? = nil) throws -> [CaseInput] {
        let allowed = Set(CaseInput.allowedFields)
        return try objects.map { object, location in
            if let field = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw PredictionError("field '\(field)' is not allowed in a pending case: it is an outcome or only known after the "
                                      + "decision (allowed: \(CaseInput.allowedFields.joined(separator: ", ")))", at: location)
            }
            let input = try CaseDataset.caseInput(object, at: location, scdb: scdb)
            try identifiers?.check(input, at: location)
            return input
        }
    }
}
