import Foundation
import GRDB
import GraphStore

/// The MATCH plans of one query text under one ontology stamp, kept so that a query run
/// again (an application's parameterized query, `lexgraph query --repeat`) skips the
/// planner: its SQL text is built once and only the arguments are filled per run.
///
/// Parameters are never baked in. A plan's SQL text depends on the parameters' types
/// (a string compares as text, an integer as a number, an `id(n) = $k` needs an
/// integer), on some values (a boolean, a negative SKIP/LIMIT, which is an error) and
/// never on the others, so plans are kept by clause and the parameters' `signature`,
/// and their arguments are recipes: a fixed value, or "the value of parameter p". The
/// recipe is not guessed: on a miss the clause is planned three times, with the real
/// values and with two sets of distinct stand-ins of the same signature (`Sentinels`),
/// and a plan is kept only when the three texts are equal and every argument is either
/// the same in all three or exactly the stand-in, both times, and the real value of one
/// parameter. Any other dependence on a value (arithmetic on a parameter, the full-text
/// syntax of a value) makes the clause one that is planned on every run. The planner's
/// questions about the data (whether a relationship type is common) are kept with the
/// plan and asked again when it is reused.
final class CompiledPlans: @unchecked Sendable {
    enum Recipe {
        case fixed(SQLArgument)
        case parameter(String)
    }

    /// A statement's text and its arguments' recipes.
    struct Statement {
        let sql: String
        let recipe: [Recipe]

        /// The arguments for `parameters` (whose signature is the plan's).
        func arguments(_ parameters: [String: CypherValue]) -> [SQLArgument] {
            recipe.map { r in
                switch r {
                case .fixed(let a): return a
                case .parameter(let name): return .value(Sentinels.databaseValue(parameters[name]) ?? .null)
                }
            }
        }
    }

    /// A MATCH's plan (its statement's arguments replaced per run) and, when its RETURN
    /// or WITH runs in the same statement, that projection and statement.
    struct Match {
        let plan: MatchPlan
        let statement: Statement
        let pushed: SQLProjection?
        let pushedStatement: Statement?
        /// The planner's questions about relationship types' frequency and its answers:
        /// the plan is reused only while the store answers the same (a load can make a
        /// type common, which changes the SQL).
        let commonTypes: [[String]: Bool]
    }

    /// Distinct keys kept; the oldest goes first beyond this.
    static let capacity = 64

    private let lock = NSLock()
    private let statistics: PlanStatistics.Counter
    /// nil: this clause under this signature is planned on every run.
    private var matches: [Key: Match?] = [:]
    private var arrival: [Key] = []

    /// What a plan is kept by: the clause, the unbounded path limit, and each
    /// parameter's name and `Sentinels.signature`.
    struct Key: Hashable {
        let clause: Int
        let unboundedLimit: Int
        let parameters: [String: Sentinels.Signature]

        init(clause: Int, unboundedLimit: Int, _ parameters: [String: CypherValue]) {
            self.clause = clause
            self.unboundedLimit = unboundedLimit
            self.parameters = parameters.mapValues(Sentinels.signature)
        }
    }

    init(statistics: PlanStatistics.Counter) { self.statistics = statistics }

    /// The kept plan (`.some(nil)`: known to be planned every run), or nil when unseen.
    func lookup(_ key: Key) -> Match?? {
        lock.lock()
        defer { lock.unlock() }
        return matches[key]
    }

    /// Counts a clause's planning: a kept plan reused, or planned now.
    func note(reused: Bool) {
        statistics.count { if reused { $0.reused += 1 } else { $0.planned += 1 } }
    }

    func store(_ key: Key, _ match: Match?) {
        lock.lock()
        if matches.index(forKey: key) == nil {
            if arrival.count >= CompiledPlans.capacity { matches.removeValue(forKey: arrival.removeFirst()) }
            arrival.append(key)
        }
        matches[key] = .some(match)
        lock.unlock()
        if match != nil { statistics.count { $0.kept += 1 } }
    }

    /// The recipe of a statement planned with the real parameters (`real`) and with
    /// stand-ins `a` and `b`, or nil when the three do not differ only where a
    /// parameter's value goes.
    static func recipe(real: (String, [SQLArgument]), a: (String, [SQLArgument]), b: (String, [SQLArgument]),
                       parameters: [String: CypherValue], sentinels: Sentinels) -> Statement? {
        guard real.0 == a.0, a.0 == b.0, real.1.count == a.1.count, a.1.count == b.1.count else { return nil }
        var recipe: [Recipe] = []
        recipe.reserveCapacity(real.1.count)
        for k in real.1.indices {
            let r = real.1[k], x = a.1[k], y = b.1[k]
            if x == y {
                guard x == r else { return nil }
                recipe.append(.fixed(r))
                continue
            }
            let names = sentinels.varied.filter { name in
                x == .value(sentinels.a[name]!) && y == .value(sentinels.b[name]!)
                    && r == Sentinels.databaseValue(parameters[name]).map(SQLArgument.value)
            }
            guard names.count == 1 else { return nil }
            recipe.append(.parameter(names[0]))
        }
        return Statement(sql: real.0, recipe: recipe)
    }
}

/// Two sets of stand-in values for a query's parameters, each of the same signature as
/// the real value, distinct from each other and from one set to the other: strings,
/// non-negative and negative integers, finite floats. Other values (booleans, null,
/// lists, maps, ...) have their whole value in their signature and stand for themselves.
struct Sentinels {
    let parametersA: [String: CypherValue]
    let parametersB: [String: CypherValue]
    /// The stand-ins as the database sees them, for the names that vary.
    let a: [String: DatabaseValue]
    let b: [String: DatabaseValue]
    let varied: [String]

    init(_ parameters: [String: CypherValue]) {
        var pa = parameters, pb = parameters
        var a: [String: DatabaseValue] = [:], b: [String: DatabaseValue] = [:]
        var varied: [String] = []
        for (n, name) in parameters.keys.sorted().enumerated() {
            let stand: (CypherValue, CypherValue)
            switch parameters[name]! {
            case .string: stand = (.string("\u{2}lexgraph stand-in A \(n)"), .string("\u{2}lexgraph stand-in B \(n)"))
            case .int(let i) where i >= 0: stand = (.int(0x5EED_0000_0000 + Int64(2 * n)), .int(0x5EED_0000_0000 + Int64(2 * n + 1)))
            case .int: stand = (.int(-0x5EED_0000_0000 - Int64(2 * n)), .int(-0x5EED_0000_0000 - Int64(2 * n + 1)))
            case .float(let d) where d.isFinite: stand = (.float(7_340_033.015625 + Double(2 * n)), .float(7_340_033.015625 + Double(2 * n + 1)))
            default: continue
            }
            pa[name] = stand.0
            pb[name] = stand.1
            a[name] = Sentinels.databaseValue(stand.0)
            b[name] = Sentinels.databaseValue(stand.1)
            varied.append(name)
        }
        parametersA = pa
        parametersB = pb
        self.a = a
        self.b = b
        self.varied = varied
    }

    /// What a plan keys on for one parameter: its type, and for the types whose value can
    /// change the SQL text or its validity, more (a negative integer is an error as SKIP
    /// or LIMIT; a non-finite float is not compared in SQL); any other value (a boolean
    /// writes its own SQL, lists, maps, null) is kept whole, so that such a plan is only
    /// reused for an equal value.
    enum Signature: Hashable {
        case string
        case integer(negative: Bool)
        case finite
        case nonFinite(bits: UInt64)
        case value(CypherValue)
    }

    static func signature(_ value: CypherValue) -> Signature {
        switch value {
        case .string: return .string
        case .int(let i): return .integer(negative: i < 0)
        case .float(let d): return d.isFinite ? .finite : .nonFinite(bits: d.bitPattern)
        default: return .value(value)
        }
    }

    /// The value a planner binds for a string, integer or float parameter.
    static func databaseValue(_ value: CypherValue?) -> DatabaseValue? {
        switch value {
        case .string(let s)?: return s.databaseValue
        case .int(let i)?: return i.databaseValue
        case .float(let d)?: return d.databaseValue
        default: return nil
        }
    }
}

/// What an engine's MATCH planning did since it was made: plans reused from
/// `CompiledPlans` (arguments filled in), clauses planned, and plans kept for reuse.
public struct PlanStatistics: Sendable, Equatable {
    public var reused = 0
    public var planned = 0
    public var kept = 0

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = PlanStatistics()

        func count(_ change: (inout PlanStatistics) -> Void) {
            lock.lock()
            change(&value)
            lock.unlock()
        }

        var current: PlanStatistics {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
    }
}
