import GRDB
import GraphStore
import LexgraphCore

extension CaseAttributes {
    /// The pre-decision codes of the case node `key` as the store holds them: the SCDB
    /// code properties and the code edges (HAS_ISSUE, APPLIES, HAS_LAW_TYPE,
    /// DECIDED_DURING). Outcome properties and the DECIDED_ON_AUTHORITY / AUTHORED_BY
    /// edges are never read.
    public init(caseKey key: String, in store: GraphStore) throws {
        self.init(caseKey: key)
        let found: Bool = try store.read { db in
            guard let node = try GraphReads.nodeFields(db, key: key, fields: [
                "term", "petitioner_code", "respondent_code", "case_source_code", "case_origin_code", "lc_disposition_code",
            ]) else { return false }
            let values = node.values
            term = values[0].codeValue
            petitioner = values[1].codeValue
            respondent = values[2].codeValue
            caseSource = values[3].codeValue
            caseOrigin = values[4].codeValue
            lcDisposition = values[5].codeValue
            let targets = try GraphReads.targetKeys(db, from: node.id, types: ["HAS_ISSUE", "APPLIES", "HAS_LAW_TYPE", "DECIDED_DURING"])
            for target in targets {
                guard let colon = target.lastIndex(of: ":"), let code = Int(target[target.index(after: colon)...]) else { continue }
                if target.hasPrefix("scdb:issue:") { issue = code }
                else if target.hasPrefix("scdb:issueArea:") { issueArea = code }
                else if target.hasPrefix("scdb:lawSupp:") { lawSupp.append(code) }
                else if target.hasPrefix("scdb:lawType:") { lawType = code }
                else if target.hasPrefix("scdb:naturalCourt:") { naturalCourt = code }
            }
            return true
        }
        guard found else { throw GroundingError("no node with key '\(key)' in the graph") }
    }

}

extension DatabaseValue {
    /// A stored code as an integer: SQLite hands back 2, 2.0 or "2" depending on how the
    /// loader typed the column.
    var codeValue: Int? {
        switch storage {
        case .int64(let v): return Int(v)
        case .double(let v): return v.isFinite ? Int(v) : nil
        case .string(let s): return Int(s) ?? Double(s).flatMap { $0.isFinite ? Int($0) : nil }
        default: return nil
        }
    }
}
