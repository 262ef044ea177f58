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
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, json_extract(props, '$.term'), json_extract(props, '$.petitioner_code'),
                       json_extract(props, '$.respondent_code'), json_extract(props, '$.case_source_code'),
                       json_extract(props, '$.case_origin_code'), json_extract(props, '$.lc_disposition_code')
                FROM node WHERE key = ?
                """, arguments: [key]) else { return false }
            let id: Int64 = row[0]
            term = (row[1] as DatabaseValue).codeValue
            petitioner = (row[2] as DatabaseValue).codeValue
            respondent = (row[3] as DatabaseValue).codeValue
            caseSource = (row[4] as DatabaseValue).codeValue
            caseOrigin = (row[5] as DatabaseValue).codeValue
            lcDisposition = (row[6] as DatabaseValue).codeValue
            let edges = try Row.fetchAll(db, sql: """
                SELECT d.key FROM edge e JOIN node d ON d.id = e.dst
                WHERE e.src = ? AND e.type IN ('HAS_ISSUE', 'APPLIES', 'HAS_LAW_TYPE', 'DECIDED_DURING') ORDER BY e.id
                """, arguments: [id])
            for edge in edges {
                let target: String = edge[0]
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
