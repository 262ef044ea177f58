import Foundation
import LexgraphCore
import Ontology

/// The data-quality report of one load, kept beside its `load_log` row (table
/// `load_quality`, written in the load's transaction, so it exists exactly when the load
/// does): what the recipes made, optional properties left empty, dates outside what a
/// legal record can hold, records kept out as duplicates, references that resolved to
/// nothing, and how the counts moved against the previous load of the same recipes.
public struct LoadQuality: Sendable, Equatable {
    /// Optional ontology properties a node type's nodes left empty (absent or null).
    public struct Missing: Sendable, Equatable {
        public var type: String
        public var property: String
        public var missing: Int
        public var of: Int

        public init(type: String, property: String, missing: Int, of: Int) {
            self.type = type; self.property = property; self.missing = missing; self.of = of
        }
    }

    /// Date properties before `earliestDate` or after the day of the load.
    public struct OutOfRange: Sendable, Equatable {
        public var type: String
        public var property: String
        public var count: Int
        /// The first such value and the record it came from (file:line).
        public var example: String

        public init(type: String, property: String, count: Int, example: String) {
            self.type = type; self.property = property; self.count = count; self.example = example
        }
    }

    /// Since the previous load of the same recipes: a node or edge type whose count moved
    /// by more than `changeThreshold` (or appeared, or disappeared), or an optional
    /// property whose empty share moved by more than `changeThreshold` (then the values
    /// are percents of the type's nodes).
    public struct Change: Sendable, Equatable {
        public var what: String
        public var previous: Int
        public var current: Int

        public init(what: String, previous: Int, current: Int) {
            self.what = what; self.previous = previous; self.current = current
        }
    }

    public static let earliestDate = LegalDate(year: 1600, month: 1, day: 1)!
    public static let changeThreshold = 0.10

    public var recipes: [String]
    public var recordsRead: Int
    public var nodesByType: [String: Int]
    public var edgesByType: [String: Int]
    public var missing: [Missing]
    public var outOfRange: [OutOfRange]
    /// Later duplicates kept out (`duplicates: first`), per mapping (recipe file:line).
    public var duplicates: [String: Int]
    /// Records whose key or edge endpoints resolved to nothing, per mapping.
    public var unresolved: [String: Int]
    /// The `load_log` id of the load compared with, nil for the first load of these recipes.
    public var previousLoad: Int64?
    public var changes: [Change]

    /// Measures a batch against its ontology (pure: no database).
    static func measure(_ batch: LoadBatch, recipes: [String], today: LegalDate = .today) -> LoadQuality {
        var nodesByType: [String: Int] = [:], edgesByType: [String: Int] = [:]
        var missing: [String: [String: Int]] = [:]
        var outOfRange: [String: OutOfRange] = [:]
        var specs: [String: [String: PropertySpec]] = [:]
        for node in batch.nodes {
            nodesByType[node.type, default: 0] += 1
            let properties = specs[node.type] ?? batch.ontology.properties(ofNodeType: node.type)
            specs[node.type] = properties
            for (name, spec) in properties {
                let value = node.properties[name]
                if !spec.required && (value == nil || value!.isNull) { missing[node.type, default: [:]][name, default: 0] += 1 }
                guard spec.type == .date, let text = value?.stringValue, let date = LegalDate(iso: text),
                      date < earliestDate || date > today else { continue }
                let id = node.type + "\u{0}" + name
                if outOfRange[id] == nil {
                    let at = node.propertyOrigin[name] ?? node.location
                    outOfRange[id] = OutOfRange(type: node.type, property: name, count: 0, example: "\(node.key): \(text) (\(at))")
                }
                outOfRange[id]!.count += 1
            }
        }
        for edge in batch.edges { edgesByType[edge.type, default: 0] += 1 }
        let missingList = missing.flatMap { type, props in
            props.map { Missing(type: type, property: $0.key, missing: $0.value, of: nodesByType[type] ?? 0) }
        }.sorted { ($0.type, $0.property) < ($1.type, $1.property) }
        return LoadQuality(recipes: recipes, recordsRead: batch.recordsRead, nodesByType: nodesByType, edgesByType: edgesByType,
                           missing: missingList,
                           outOfRange: outOfRange.values.sorted { ($0.type, $0.property) < ($1.type, $1.property) },
                           duplicates: batch.skipped.filter { $0.key.contains("duplicates") },
                           unresolved: batch.skipped.filter { $0.key.contains("unresolved") },
                           previousLoad: nil, changes: [])
    }

    /// Fills `previousLoad` and `changes` from the previous report of the same recipes.
    mutating func compare(with previous: LoadQuality, loadID: Int64) {
        previousLoad = loadID
        var list: [Change] = []
        func diff(_ label: String, _ old: [String: Int], _ new: [String: Int]) {
            for type in Set(old.keys).union(new.keys).sorted() {
                let a = old[type] ?? 0, b = new[type] ?? 0
                if a == b { continue }
                if a == 0 || b == 0 || Double(abs(b - a)) / Double(a) > LoadQuality.changeThreshold {
                    list.append(Change(what: "\(label) \(type)", previous: a, current: b))
                }
            }
        }
        diff("node", previous.nodesByType, nodesByType)
        diff("edge", previous.edgesByType, edgesByType)
        // Empty shares of a type's optional properties: a move of more than 10 points
        // (a source column that stopped filling a property shows here).
        func shares(_ q: LoadQuality) -> [String: (Int, Int)] {
            var d: [String: (Int, Int)] = [:]
            for m in q.missing { d["\(m.type).\(m.property)"] = (m.missing, m.of) }
            return d
        }
        let old = shares(previous), new = shares(self)
        for type in Set(previous.nodesByType.keys).intersection(nodesByType.keys).sorted() {
            for key in Set(old.keys).union(new.keys).filter({ $0.hasPrefix(type + ".") }).sorted() {
                let a = old[key] ?? (0, previous.nodesByType[type] ?? 0), b = new[key] ?? (0, nodesByType[type] ?? 0)
                guard a.1 > 0, b.1 > 0 else { continue }
                let before = Double(a.0) / Double(a.1), after = Double(b.0) / Double(b.1)
                if abs(after - before) > LoadQuality.changeThreshold {
                    list.append(Change(what: "empty \(key) (percent of nodes)", previous: Int((100 * before).rounded()), current: Int((100 * after).rounded())))
                }
            }
        }
        changes = list
    }

    /// The lines the CLI prints after a load's summary.
    public var summary: String {
        let nulls = missing.reduce(0) { $0 + $1.missing }
        var lines = ["quality: \(nulls) empty optional properties, \(outOfRange.reduce(0) { $0 + $1.count }) dates out of range, "
                     + "\(duplicates.values.reduce(0, +)) duplicates kept out, \(unresolved.values.reduce(0, +)) unresolved references"]
        // One line per node type: its optional properties empty in at least half its nodes.
        let mostlyEmpty = Dictionary(grouping: missing.filter { $0.of > 0 && 2 * $0.missing >= $0.of }, by: \.type)
        for (type, list) in mostlyEmpty.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(type) (\(nodesByType[type] ?? 0) nodes): mostly empty: " + list.map(\.property).joined(separator: ", "))
        }
        for o in outOfRange { lines.append("  \(o.type).\(o.property): \(o.count) outside \(LoadQuality.earliestDate.iso)..today, e.g. \(o.example)") }
        // Unresolved references and duplicates per mapping are the load summary's `skipped` lines.
        if let previousLoad {
            lines.append(changes.isEmpty ? "  counts within \(Int(LoadQuality.changeThreshold * 100))% of load #\(previousLoad) of the same recipes"
                                         : "  changed since load #\(previousLoad) of the same recipes:")
            for c in changes { lines.append("    \(c.what): \(c.previous) -> \(c.current)") }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Stored form

    public var json: Value {
        func counts(_ d: [String: Int]) -> Value { .map(d.mapValues { .int(Int64($0)) }) }
        return .map([
            "recipes": .list(recipes.map(Value.string)), "records_read": .int(Int64(recordsRead)),
            "nodes_by_type": counts(nodesByType), "edges_by_type": counts(edgesByType),
            "missing": .list(missing.map { .map(["type": .string($0.type), "property": .string($0.property),
                                                 "missing": .int(Int64($0.missing)), "of": .int(Int64($0.of))]) }),
            "out_of_range": .list(outOfRange.map { .map(["type": .string($0.type), "property": .string($0.property),
                                                         "count": .int(Int64($0.count)), "example": .string($0.example)]) }),
            "duplicates": counts(duplicates), "unresolved": counts(unresolved),
            "previous_load": previousLoad.map { Value.int($0) } ?? Value.null,
            "changes": .list(changes.map { .map(["what": .string($0.what), "previous": .int(Int64($0.previous)),
                                                 "current": .int(Int64($0.current))]) }),
        ])
    }

    /// Reads a stored report back (the previous load's, for `compare`).
    public init(json value: Value) throws {
        func fail(_ what: String) -> GraphStoreError { GraphStoreError(location: nil, message: "corrupt load_quality report: \(what)") }
        guard case .map(let m) = value else { throw fail("not an object") }
        func counts(_ key: String) throws -> [String: Int] {
            guard case .map(let d)? = m[key] else { throw fail("'\(key)' is not an object") }
            return try d.mapValues { guard let i = $0.intValue else { throw fail("'\(key)' holds a non-integer") }; return Int(i) }
        }
        func list(_ key: String) throws -> [[String: Value]] {
            guard case .list(let items)? = m[key] else { throw fail("'\(key)' is not a list") }
            return try items.map { guard case .map(let d) = $0 else { throw fail("'\(key)' holds a non-object") }; return d }
        }
        func int(_ d: [String: Value], _ k: String) -> Int { Int(d[k]?.intValue ?? 0) }
        func string(_ d: [String: Value], _ k: String) -> String { d[k]?.stringValue ?? "" }
        guard case .list(let names)? = m["recipes"] else { throw fail("'recipes' is not a list") }
        recipes = names.compactMap(\.stringValue)
        recordsRead = Int(m["records_read"]?.intValue ?? 0)
        nodesByType = try counts("nodes_by_type")
        edgesByType = try counts("edges_by_type")
        missing = try list("missing").map { Missing(type: string($0, "type"), property: string($0, "property"), missing: int($0, "missing"), of: int($0, "of")) }
        outOfRange = try list("out_of_range").map { OutOfRange(type: string($0, "type"), property: string($0, "property"), count: int($0, "count"), example: string($0, "example")) }
        duplicates = try counts("duplicates")
        unresolved = try counts("unresolved")
        previousLoad = m["previous_load"]?.intValue
        changes = try list("changes").map { Change(what: string($0, "what"), previous: int($0, "previous"), current: int($0, "current")) }
    }

    init(recipes: [String], recordsRead: Int, nodesByType: [String: Int], edgesByType: [String: Int], missing: [Missing],
         outOfRange: [OutOfRange], duplicates: [String: Int], unresolved: [String: Int], previousLoad: Int64?, changes: [Change]) {
        self.recipes = recipes; self.recordsRead = recordsRead; self.nodesByType = nodesByType; self.edgesByType = edgesByType
        self.missing = missing; self.outOfRange = outOfRange; self.duplicates = duplicates; self.unresolved = unresolved
        self.previousLoad = previousLoad; self.changes = changes
    }
}
