/// What an API token may do. Roles are ordered: each one may do everything the ones
/// before it may.
/// - `reader`: read queries (`/db/{name}/tx/commit` without CREATE), `/metrics`, model
///   metadata and readiness (`GET /v2/models/...`: names and labels, nothing private).
/// - `analyst`: also model inference (`POST /v2/models/.../infer`), explanations
///   (`POST /v1/models/.../explain`) and contract reviews (`POST /v1/review`), which spend
///   the server's CPU on the caller's texts and cases.
/// - `curator`: also queries that write (CREATE), the label queue (`/v1/curation/...`);
///   ontology validate, diff and apply (`/v1/ontology/...`).
/// - `admin`: also token administration (`GET /v1/tokens`).
public enum Role: String, CaseIterable, Sendable, Comparable {
    case reader, analyst, curator, admin

    private var rank: Int { Role.allCases.firstIndex(of: self)! }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    /// Whether queries that write (CREATE) are allowed.
    public var mayWrite: Bool { self >= .curator }

    /// The role named `text`, or an error listing the roles there are.
    public static func named(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw ServerError("unknown role '\(text)': use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}
