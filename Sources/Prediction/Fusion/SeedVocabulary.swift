import Grounding

/// The seed roles whose nodes get a learned embedding in the graph-feature head, in
/// vector order (each case has at most one seed per role; a case's own cited precedents
/// are not among them).
public let embeddedSeedRoles: [SeedRole] = [.issue, .issueArea, .provision, .lawType, .petitioner, .respondent,
                                            .sourceCourt, .originCourt, .naturalCourt]

/// Per seed role, the node keys that get their own embedding row: those seen at least
/// `minimumCount` times among the TRAINING cases. Row 0 of every role is shared by unknown,
/// rare and absent seeds (UNK), so a dev/test/new case never indexes a row that training
/// did not shape.
public struct SeedVocabulary: Sendable, Codable, Equatable {
    /// Per role (raw value), keys in row order starting at row 1.
    public var keys: [String: [String]]

    public init(keys: [String: [String]]) { self.keys = keys }

    /// Counts seeds over training groundings.
    public init(training groundings: [CaseGrounding], minimumCount: Int = 2) {
        var counts: [SeedRole: [String: Int]] = [:]
        for g in groundings {
            for role in embeddedSeedRoles {
                if let key = g.seeds.known.first(where: { $0.role == role })?.key { counts[role, default: [:]][key, default: 0] += 1 }
            }
        }
        var keys: [String: [String]] = [:]
        for role in embeddedSeedRoles {
            keys[role.rawValue] = (counts[role] ?? [:]).filter { $0.value >= minimumCount }.map(\.key).sorted()
        }
        self.keys = keys
    }

    /// Rows per role (UNK included), in `embeddedSeedRoles` order.
    public var sizes: [Int] { embeddedSeedRoles.map { (keys[$0.rawValue]?.count ?? 0) + 1 } }

    /// The embedding row of each role's seed for a case (0 = UNK).
    public func indices(_ seeds: CaseSeeds) -> [Int32] {
        embeddedSeedRoles.map { role in
            guard let key = seeds.known.first(where: { $0.role == role })?.key,
                  let row = keys[role.rawValue]?.firstIndex(of: key) else { return 0 }
            return Int32(row + 1)
        }
    }
}
