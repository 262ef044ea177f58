import GRDB
import LexgraphCore
import Ontology

/// Runs a planned ontology update against the stored graph inside the caller's
/// transaction: for each change, counts the rows it touches and how many of them it
/// would break, runs the change's migration (or, with `--force`, drops the data that
/// would break), and finally re-validates every touched row against the new ontology,
/// normalises its JSON and rebuilds its full-text entry.
///
/// Touched row ids are collected in two temporary tables as each change is counted, so
/// the final check also covers rows an earlier change migrated and a later one did
/// not mention.
struct OntologyMigration {
    let db: Database
    let force: Bool

    private static let touchedNodes = "temp.ontology_update_nodes"
    private static let touchedEdges = "temp.ontology_update_edges"
    private static let sampleLimit = 3

    func run(_ plan: OntologyUpdatePlan) throws -> OntologyUpdateReport {
        try db.execute(sql: """
            DROP TABLE IF EXISTS \(Self.touchedNodes); DROP TABLE IF EXISTS \(Self.touchedEdges);
            CREATE TABLE \(Self.touchedNodes)(id INTEGER PRIMARY KEY);
            CREATE TABLE \(Self.touchedEdges)(id INTEGER PRIMARY KEY);
            """)
        var report = OntologyUpdateReport(status: .dryRun, number: plan.result.version, baseVersion: plan.base.version, source: "")
        for step in plan.steps {
            report.outcomes.append(try run(step))
        }
        let check = try validate([RowSelection(.node, "id IN (SELECT id FROM \(Self.touchedNodes))"),
                                  RowSelection(.edge, "id IN (SELECT id FROM \(Self.touchedEdges))")],
                                 under: plan.result, normalizing: true)
        report.violationCount = check.count
        report.violations = check.samples
        try reindexText(all: plan.base.textPropertyNames != plan.result.textPropertyNames, ontology: plan.result)
        try db.execute(sql: "DROP TABLE \(Self.touchedNodes); DROP TABLE \(Self.touchedEdges)")
        return report
    }

    private func run(_ step: PlannedChange) throws -> ChangeOutcome {
        let effect = try storedEffect(of: step)
        var touched = StoredItems()
        for selection in effect.touched {
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(selection.table.rawValue) WHERE \(selection.condition)", arguments: selection.arguments) ?? 0
            switch selection.table {
            case .node: touched.nodes += n
            case .edge: touched.edges += n
            }
            if touched.sampleKeys.count < Self.sampleLimit {
                touched.sampleKeys += try String.fetchAll(db, sql: """
                    SELECT key FROM \(selection.table.rawValue) WHERE key IS NOT NULL AND (\(selection.condition)) ORDER BY key LIMIT \(Self.sampleLimit - touched.sampleKeys.count)
                    """, arguments: selection.arguments)
            }
            let marks = selection.table == .node ? Self.touchedNodes : Self.touchedEdges
            try db.execute(sql: "INSERT OR IGNORE INTO \(marks)(id) SELECT id FROM \(selection.table.rawValue) WHERE \(selection.condition)", arguments: selection.arguments)
        }
        let breaking: (count: Int, samples: [String])
        switch effect.breaking {
        case .none: breaking = (0, [])
        case .allTouched: breaking = (touched.nodes + touched.edges, [])
        case .computed(let count, let samples): breaking = (count, samples)
        }
        let action: ChangeAction
        if breaking.count == 0 {
            try effect.migration?(db)
            action = touched.isEmpty ? .nothingStored : effect.migration == nil ? .schemaOnly : .migrated
        } else if force, let drop = effect.drop {
            try effect.migration?(db)
            try drop(db)
            action = .dropped
        } else {
            let example = breaking.samples.first.map { "; e.g. \($0)" } ?? ""
            action = .refused(count: breaking.count, reason: effect.hint + example)
        }
        return ChangeOutcome(change: step.change, location: step.location, impact: step.impact, touched: touched, action: action)
    }

    // MARK: What each change does to stored rows

    /// The rows a change touches, how many of them it breaks without a migration, and
    /// the SQL of its migration and of its `--force` drop.
    private struct StoredEffect {
        enum Breaking {
            case none
            case allTouched
            case computed(Int, [String])
        }

        var touched: [RowSelection] = []
        var breaking: Breaking = .none
        var migration: ((Database) throws -> Void)?
        var drop: ((Database) throws -> Void)?
        var hint = ""
    }

    private func storedEffect(of step: PlannedChange) throws -> StoredEffect {
        let before = step.before, after = step.after
        var effect = StoredEffect()
        switch step.change {
        case .addNodeType, .addEdgeType, .addIdentifierFormat, .addAllowedValues, .makeOptional, .setDescription, .removeIdentifierFormat:
            break

        case .addProperty(let owner, let spec, let fill):
            guard spec.required else { break }
            effect = fillEffect(RowSelection.owner(owner, property: spec.name, in: after), property: spec.name, fill: fill)

        case .makeRequired(let owner, let p, let fill):
            let spec = try before.declaredProperty(p, of: owner)
            effect = fillEffect(RowSelection.owner(owner, property: p, in: before), property: p, fill: fill.flatMap(spec.type.converting))

        case .renameNodeType(let from, let to, let migrate):
            effect.touched = [RowSelection(.node, "type = ?", [from])]
            effect.hint = "add 'migrate: true' to carry the nodes over to '\(to)'"
            if migrate {
                effect.migration = { db in
                    try db.execute(sql: "UPDATE node SET type = ? WHERE type = ?", arguments: [to, from])
                    try db.execute(sql: "UPDATE node_label SET label = ? WHERE label = ?", arguments: [to, from])
                }
            } else {
                effect.breaking = .allTouched
            }

        case .renameEdgeType(let from, let to, let migrate):
            effect.touched = [RowSelection(.edge, "type = ?", [from])]
            effect.hint = "add 'migrate: true' to carry the edges over to '\(to)'"
            if migrate {
                // Conventional edge keys start with the type (`EdgeInput.defaultKey`): keep
                // them in step so a re-load under the new name finds the same edges.
                let oldPrefix = from + "|", newPrefix = to + "|"
                effect.migration = { db in
                    try db.execute(sql: """
                        UPDATE edge SET type = ?, key = CASE WHEN substr(key, 1, ?) = ? THEN ? || substr(key, ?) ELSE key END
                        WHERE type = ?
                        """, arguments: [to, oldPrefix.count, oldPrefix, newPrefix, oldPrefix.count + 1, from])
                }
            } else {
                effect.breaking = .allTouched
            }

        case .renameProperty(let owner, let from, let to, let migrate):
            let selection = RowSelection.owner(owner, property: from, in: before).having(from)
            effect.touched = [selection]
            effect.hint = "add 'migrate: true' to move the stored values to '\(to)'"
            if migrate {
                let oldPath = RowSelection.path(from), newPath = RowSelection.path(to)
                effect.migration = { db in
                    try db.execute(sql: """
                        UPDATE \(selection.table.rawValue) SET props = json_remove(json_set(props, ?, json(props -> ?)), ?) WHERE \(selection.condition)
                        """, arguments: [newPath, oldPath, oldPath] + selection.arguments)
                }
            } else {
                effect.breaking = .allTouched
            }

        case .mapValues(let owner, let p, let mapping):
            let selection = RowSelection.owner(owner, property: p, in: before).valued(p, in: mapping.map(\.old))
            effect.touched = [selection]
            let cases = mapping.map { _ in "WHEN ? THEN ?" }.joined(separator: " ")
            var arguments: StatementArguments = [RowSelection.path(p), RowSelection.path(p)]
            for m in mapping { arguments += [m.old, m.new] }
            effect.migration = { db in
                try db.execute(sql: """
                    UPDATE \(selection.table.rawValue) SET props = json_set(props, ?, CASE json_extract(props, ?) \(cases) END) WHERE \(selection.condition)
                    """, arguments: arguments + selection.arguments)
            }

        case .removeNodeType(let name):
            effect.touched = [RowSelection(.node, "type = ?", [name]),
                              RowSelection(.edge, "src IN (SELECT id FROM node WHERE type = ?) OR dst IN (SELECT id FROM node WHERE type = ?)", [name, name])]
            effect.breaking = .allTouched
            effect.hint = "pass --force to delete these nodes and their edges"
            effect.drop = { db in
                try db.execute(sql: "DELETE FROM node_fts WHERE rowid IN (SELECT id FROM node WHERE type = ?)", arguments: [name])
                try db.execute(sql: "DELETE FROM node WHERE type = ?", arguments: [name])
            }

        case .removeEdgeType(let name):
            effect.touched = [RowSelection(.edge, "type = ?", [name])]
            effect.breaking = .allTouched
            effect.hint = "pass --force to delete these edges"
            effect.drop = { db in try db.execute(sql: "DELETE FROM edge WHERE type = ?", arguments: [name]) }

        case .removeProperty(let owner, let p):
            let selection = RowSelection.owner(owner, property: p, in: before).having(p)
            effect = removalEffect(selection, property: p, hint: "rename it with 'rename_property' and 'migrate: true' to keep the values, or pass --force to drop them")

        case .removeAllowedValues(let owner, let p, let values):
            let selection = RowSelection.owner(owner, property: p, in: before).valued(p, in: values)
            effect = removalEffect(selection, property: p, hint: "map them to allowed values with 'map_values' first, or pass --force to drop them")

        case .changePropertyType(let owner, let p, let type):
            guard step.impact == .breaking else { break }
            effect = try conversionEffect(RowSelection.owner(owner, property: p, in: before).having(p), property: p, to: type)

        case .setParent(let name, _):
            guard step.impact == .breaking else { break }
            effect = try subtreeEffect(name, under: after)

        case .redefineNodeType(let type):
            guard step.impact == .breaking else { break }
            effect = try subtreeEffect(type.name, under: after)

        case .redefineEdgeType(let type):
            guard step.impact == .breaking else { break }
            effect = try revalidationEffect([RowSelection(.edge, "type = ?", [type.name])], under: after)

        case .redefineProperty(let owner, let spec):
            guard step.impact == .breaking else { break }
            var selection = RowSelection.owner(owner, property: spec.name, in: after)
            if !spec.required { selection = selection.having(spec.name) }
            effect = try revalidationEffect([selection], under: after)

        case .redefineIdentifierFormat(let format):
            guard step.impact == .breaking else { break }
            let nodeTypes = after.nodeTypes.keys.filter { after.properties(ofNodeType: $0).values.contains { $0.format == format.name } }.sorted()
            let edgeTypes = after.edgeTypes.values.filter { $0.properties.values.contains { $0.format == format.name } }.map(\.name).sorted()
            effect = try revalidationEffect([RowSelection(.node, "type IN (\(nodeTypes.map { _ in "?" }.joined(separator: ", ")))", StatementArguments(nodeTypes)),
                                             RowSelection(.edge, "type IN (\(edgeTypes.map { _ in "?" }.joined(separator: ", ")))", StatementArguments(edgeTypes))],
                                            under: after)
        }
        return effect
    }

    /// A node type moved or redefined: its nodes and their edges are re-validated.
    private func subtreeEffect(_ name: String, under after: Ontology) throws -> StoredEffect {
        let types = after.subtypes(of: name)
        let marks = Array(repeating: "?", count: types.count).joined(separator: ", ")
        let typeArguments = StatementArguments(types)
        let nodes = RowSelection(.node, "type IN (\(marks))", typeArguments)
        let edges = RowSelection(.edge, "src IN (SELECT id FROM node WHERE type IN (\(marks))) OR dst IN (SELECT id FROM node WHERE type IN (\(marks)))", typeArguments + typeArguments)
        return try revalidationEffect([nodes, edges], under: after)
    }

    /// Items lacking a now-required property: breaking unless `fill` supplies it.
    private func fillEffect(_ owned: RowSelection, property p: String, fill: Value?) -> StoredEffect {
        var effect = StoredEffect()
        let selection = owned.lacking(p)
        effect.touched = [selection]
        effect.hint = "give the change a 'default:' to store in them"
        if let fill {
            effect.migration = { db in
                try db.execute(sql: "UPDATE \(selection.table.rawValue) SET props = json_set(props, ?, json(?)) WHERE \(selection.condition)",
                               arguments: [RowSelection.path(p), fill.jsonText] + selection.arguments)
            }
        } else {
            effect.breaking = .allTouched
        }
        return effect
    }

    /// Items holding data a removal invalidates; `--force` removes the property from them.
    private func removalEffect(_ selection: RowSelection, property p: String, hint: String) -> StoredEffect {
        var effect = StoredEffect()
        effect.touched = [selection]
        effect.breaking = .allTouched
        effect.hint = hint
        effect.drop = { db in
            try db.execute(sql: "UPDATE \(selection.table.rawValue) SET props = json_remove(props, ?) WHERE \(selection.condition)",
                           arguments: [RowSelection.path(p)] + selection.arguments)
        }
        return effect
    }

    /// A tightened property type: values that convert are rewritten (the migration),
    /// the others break; `--force` removes them.
    private func conversionEffect(_ selection: RowSelection, property p: String, to type: PropertyType) throws -> StoredEffect {
        var converted: [(Int64, Value)] = [], failed: [Int64] = [], samples: [String] = []
        let rows = try Row.fetchAll(db, sql: "SELECT id, key, props -> ? AS value FROM \(selection.table.rawValue) WHERE \(selection.condition)",
                                    arguments: [RowSelection.path(p)] + selection.arguments)
        for row in rows {
            let value = try Value.parseJSON(row["value"] as String)
            if let new = type.converting(value) {
                if new != value { converted.append((row["id"], new)) }
            } else {
                failed.append(row["id"])
                if samples.count < Self.sampleLimit { samples.append("\(selection.table.rawValue) '\(row["key"] as String? ?? "#\(row["id"] as Int64)")' has \(value.jsonText)") }
            }
        }
        var effect = StoredEffect()
        effect.touched = [selection]
        effect.breaking = .computed(failed.count, samples)
        effect.hint = "these values do not convert to \(type.rawValue); fix them or pass --force to drop them"
        let table = selection.table.rawValue, path = RowSelection.path(p)
        effect.migration = { db in
            for (id, value) in converted {
                try db.execute(sql: "UPDATE \(table) SET props = json_set(props, ?, json(?)) WHERE id = ?", arguments: [path, value.jsonText, id])
            }
        }
        effect.drop = { db in
            for id in failed { try db.execute(sql: "UPDATE \(table) SET props = json_remove(props, ?) WHERE id = ?", arguments: [path, id]) }
        }
        return effect
    }

    /// A change whose effect is "some stored items may no longer fit": the items that
    /// would violate the new ontology break it; there is no automatic migration.
    private func revalidationEffect(_ selections: [RowSelection], under ontology: Ontology) throws -> StoredEffect {
        let check = try validate(selections, under: ontology, normalizing: false)
        var effect = StoredEffect()
        effect.touched = selections
        effect.breaking = .computed(check.count, check.samples)
        effect.hint = "these items would violate the new definition; migrate them first"
        return effect
    }

    // MARK: Validation and re-indexing

    /// Checks every selected row against `ontology`: how many violate it, with the
    /// first few messages. With `normalizing`, valid rows get their JSON written in the
    /// store's canonical form (sorted keys) and their full-text entry rebuilt.
    private func validate(_ selections: [RowSelection], under ontology: Ontology, normalizing: Bool) throws -> (count: Int, samples: [String]) {
        var count = 0, samples: [String] = []
        func note(_ message: String) {
            count += 1
            if samples.count < Self.sampleLimit { samples.append(message) }
        }
        let textProperties = ontology.textPropertyNames
        for selection in selections {
            switch selection.table {
            case .node:
                let rows = try Row.fetchCursor(db, sql: "SELECT id, key, type, props FROM node WHERE \(selection.condition)", arguments: selection.arguments)
                var rewrites: [(Int64, String, String?)] = []
                while let row = try rows.next() {
                    let key: String = row["key"], text: String = row["props"]
                    guard case .map(let props) = try Value.parseJSON(text) else { note("node '\(key)': properties are not a JSON object"); continue }
                    if let problem = ontology.violations(nodeType: row["type"], properties: props).first {
                        note("node '\(key)': \(problem)")
                    } else if normalizing {
                        rewrites.append((row["id"], Value.map(props).jsonText, GraphWriter.fullText(of: props, textProperties: textProperties)))
                    }
                }
                for (id, json, fullText) in rewrites {
                    try db.execute(sql: "UPDATE node SET props = ? WHERE id = ? AND props != ?", arguments: [json, id, json])
                    try db.execute(sql: "DELETE FROM node_fts WHERE rowid = ?", arguments: [id])
                    if let fullText { try db.execute(sql: "INSERT INTO node_fts(rowid, text) VALUES (?, ?)", arguments: [id, fullText]) }
                }
            case .edge:
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT e.id, e.key, e.type, e.props, s.type AS src_type, d.type AS dst_type, s.key AS src_key, d.key AS dst_key
                    FROM (SELECT * FROM edge WHERE \(selection.condition)) e JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst
                    """, arguments: selection.arguments)
                var rewrites: [(Int64, String)] = []
                while let row = try rows.next() {
                    let name = "edge \(row["src_key"] as String) -[\(row["type"] as String)]-> \(row["dst_key"] as String)"
                    let text: String = row["props"]
                    guard case .map(let props) = try Value.parseJSON(text) else { note("\(name): properties are not a JSON object"); continue }
                    if let problem = ontology.violations(edgeType: row["type"], fromType: row["src_type"], toType: row["dst_type"], properties: props).first {
                        note("\(name): \(problem)")
                    } else if normalizing {
                        rewrites.append((row["id"], Value.map(props).jsonText))
                    }
                }
                for (id, json) in rewrites {
                    try db.execute(sql: "UPDATE edge SET props = ? WHERE id = ? AND props != ?", arguments: [json, id, json])
                }
            }
        }
        return (count, samples)
    }

    /// When the set of text-typed property names changed, every node's full-text entry
    /// is rebuilt (touched nodes were already re-indexed by `validate`).
    private func reindexText(all: Bool, ontology: Ontology) throws {
        guard all else { return }
        let textProperties = ontology.textPropertyNames
        try db.execute(sql: "DELETE FROM node_fts")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, props FROM node")
        var entries: [(Int64, String)] = []
        while let row = try rows.next() {
            guard case .map(let props) = try Value.parseJSON(row["props"] as String),
                  let text = GraphWriter.fullText(of: props, textProperties: textProperties) else { continue }
            entries.append((row["id"], text))
        }
        for (id, text) in entries { try db.execute(sql: "INSERT INTO node_fts(rowid, text) VALUES (?, ?)", arguments: [id, text]) }
    }
}

/// Some rows of `node` or `edge`: an SQL condition over that table's columns.
struct RowSelection {
    enum Table: String {
        case node, edge
    }

    var table: Table
    var condition: String
    var arguments: StatementArguments

    init(_ table: Table, _ condition: String, _ arguments: StatementArguments = []) {
        self.table = table
        self.condition = condition
        self.arguments = arguments
    }

    /// The JSON path of a property, quoted so any name is one key.
    static func path(_ property: String) -> String {
        "$.\"" + property.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The rows that carry `property` as `owner` declares it: nodes of the owner type
    /// and of subtypes that inherit it, or edges of the owner type.
    static func owner(_ owner: PropertyOwner, property: String, in ontology: Ontology) -> RowSelection {
        switch owner {
        case .edgeType(let name):
            return RowSelection(.edge, "type = ?", [name])
        case .nodeType(let name):
            let types = ontology.nodeTypes(inheriting: property, from: name)
            guard !types.isEmpty else { return RowSelection(.node, "0") }
            return RowSelection(.node, "type IN (\(types.map { _ in "?" }.joined(separator: ", ")))", StatementArguments(types))
        }
    }

    private func and(_ condition: String, _ arguments: StatementArguments) -> RowSelection {
        RowSelection(table, "(\(self.condition)) AND \(condition)", self.arguments + arguments)
    }

    /// ... that have `property` (null included: an unknown key is invalid even when null).
    func having(_ property: String) -> RowSelection {
        and("json_type(props, ?) IS NOT NULL", [Self.path(property)])
    }

    /// ... that have no value (or null) for `property`.
    func lacking(_ property: String) -> RowSelection {
        and("coalesce(json_type(props, ?), 'null') = 'null'", [Self.path(property)])
    }

    /// ... whose text value of `property` is one of `values`.
    func valued(_ property: String, in values: [String]) -> RowSelection {
        and("json_type(props, ?) = 'text' AND json_extract(props, ?) IN (\(values.map { _ in "?" }.joined(separator: ", ")))",
            [Self.path(property), Self.path(property)] + StatementArguments(values))
    }
}
