import Foundation
import LexgraphCore
import Ontology

/// A node a load will write, merged from every mapping that produced its key.
struct PendingNode {
    var key: String
    var type: String
    var properties: [String: Value]
    /// Properties holding a weak value (replaced by any later strong one).
    var weak: Set<String>
    /// The record that first made the node.
    var location: SourceLocation
    /// Which mappings contributed, and where each property came from (for conflicts).
    var mappings: Set<Int>
    var propertyOrigin: [String: SourceLocation]
}

struct PendingEdge {
    var key: String
    var type: String
    var from: String
    var to: String
    var properties: [String: Value]
    var location: SourceLocation
    var mapping: Int
}

/// Turns source records into pending nodes and edges, applying the recipe's mappings,
/// merging keys produced by several mappings and collecting every error with its
/// file:line. Nothing touches the database here.
struct LoadBatch {
    let ontology: Ontology
    var nodes: [PendingNode] = []
    var nodeIndex: [String: Int] = [:]
    var edges: [PendingEdge] = []
    var edgeIndex: [String: Int] = [:]
    var issues = LoadIssues()
    var skipped: [String: Int] = [:]
    var recordsRead = 0
    private var nodeSpecs: [String: [String: PropertySpec]] = [:]
    private var nextMapping = 0
    private var regexes: [String: NSRegularExpression] = [:]

    init(ontology: Ontology) {
        self.ontology = ontology
    }

    // MARK: Reading a recipe

    mutating func add(recipe: Recipe, dataFolder: URL, progress: (String) -> Void) throws {
        let lookups = try LoadBatch.buildLookups(recipe, dataFolder: dataFolder)
        for source in recipe.sources {
            let path = recipe.resolve(source.file, dataFolder: dataFolder).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw GraphStoreError(location: source.location, message: "source file '\(source.file)' not found (\(path)); pass --data with the shared data folder")
            }
            progress("reading \(source.file)")
            makeRoom(forRecords: RecordReader.estimatedRecordCount(path: path), of: source)
            let firstNode = nextMapping
            nextMapping += source.nodes.count
            let firstEdge = nextMapping
            nextMapping += source.edges.count
            var checkedHeader = false
            try RecordReader.read(path: path, displayName: source.file, format: source.format) { record in
                if !checkedHeader {
                    checkedHeader = true
                    try LoadBatch.checkFields(source, against: record)
                }
                recordsRead += 1
                for condition in source.conditions where !condition.holds(for: record) { return }
                let location = SourceLocation(file: source.file, line: record.line)
                for (i, mapping) in source.nodes.enumerated() {
                    forEachItem(mapping.each, record) { item in
                        addNode(mapping, id: firstNode + i, record: record, item: item, location: location, lookups: lookups)
                    }
                }
                for (i, mapping) in source.edges.enumerated() {
                    forEachItem(mapping.each, record) { item in
                        addEdge(mapping, id: firstEdge + i, record: record, item: item, location: location, lookups: lookups)
                    }
                }
            }
        }
    }

    /// Reserves room for what `records` records of `source` will add, so the pending
    /// lists and their key indexes are not rehashed again and again as they grow (a
    /// load claims a key for every record it reads). Capacity at least doubles, so
    /// many small sources do not reallocate on every one.
    private mutating func makeRoom(forRecords records: Int, of source: SourceSpec) {
        func grow<T>(_ list: inout [T], by extra: Int) {
            let needed = list.count + extra
            if needed > list.capacity { list.reserveCapacity(Swift.max(needed, 2 * list.capacity)) }
        }
        func grow<V>(_ index: inout [String: V], by extra: Int) {
            let needed = index.count + extra
            if needed > index.capacity { index.reserveCapacity(Swift.max(needed, 2 * index.capacity)) }
        }
        grow(&nodes, by: records * source.nodes.count)
        grow(&nodeIndex, by: records * source.nodes.count)
        grow(&edges, by: records * source.edges.count)
        grow(&edgeIndex, by: records * source.edges.count)
    }

    /// A recipe naming a column its file does not have is a recipe error, reported once
    /// at the recipe line rather than as "no value" on every record. (JSON records may
    /// leave optional members out, so only delimited files are checked.)
    static func checkFields(_ source: SourceSpec, against record: SourceRecord) throws {
        guard record.object == nil else { return }
        var names: [(String, SourceLocation)] = source.conditions.map { ($0.column, source.location) }
        for m in source.nodes {
            for t in m.keys + [m.type] { names += t.fieldNames.map { ($0, m.location) } }
            for p in m.properties { names += p.fieldNames.map { ($0, p.location) } }
            if let e = m.each { names.append((e.column, m.location)) }
        }
        for m in source.edges {
            for t in m.from + m.to + [m.type] + [m.key].compactMap({ $0 }) { names += t.fieldNames.map { ($0, m.location) } }
            for p in m.properties { names += p.fieldNames.map { ($0, p.location) } }
            if let e = m.each { names.append((e.column, m.location)) }
        }
        for (name, location) in names where !name.hasPrefix("_") && !record.hasField(name) {
            throw GraphStoreError(location: location, message: "column '\(name)' is not in \(source.file) (columns: \(record.fieldNames.joined(separator: ", ")))")
        }
    }

    private func forEachItem(_ each: EachSpec?, _ record: SourceRecord, _ body: (String?) -> Void) {
        guard let each else { body(nil); return }
        guard let text = record.text(each.column) else { return }
        for piece in text.components(separatedBy: each.separator) {
            let item = piece.trimmingCharacters(in: .whitespaces)
            if item.isEmpty || each.skip.contains(item) { continue }
            body(item)
        }
    }

    static func buildLookups(_ recipe: Recipe, dataFolder: URL) throws -> LookupTables {
        var tables = LookupTables()
        for spec in recipe.lookups {
            let path = recipe.resolve(spec.file, dataFolder: dataFolder).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw GraphStoreError(location: spec.location, message: "lookup '\(spec.name)': file '\(spec.file)' not found (\(path)); pass --data with the shared data folder")
            }
            var table: [String: String] = [:]
            if let member = spec.object {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw GraphStoreError(location: SourceLocation(file: spec.file), message: "cannot read lookup file: \(error.localizedDescription)")
                }
                if let p = UTF8Validation.firstInvalid(in: Array(data)) {
                    throw GraphStoreError(location: SourceLocation(file: spec.file, line: p.line, column: p.column), message: UTF8Validation.message(p))
                }
                let root: Value
                do { root = try Value.parseJSON(bytes: Array(data)) } catch let e as JSONError {
                    throw GraphStoreError(location: SourceLocation(file: spec.file, column: e.location?.column), message: e.message)
                }
                guard case .map(let top) = root, case .map(let entries)? = top[member] else {
                    throw GraphStoreError(location: spec.location, message: "lookup '\(spec.name)': \(spec.file) has no object member '\(member)'")
                }
                for (k, v) in entries { if let s = SourceRecord.text(of: v) { table[k] = s } }
            } else if let keyColumn = spec.keyColumn {
                let value = spec.value ?? Template.column(keyColumn)
                try RecordReader.read(path: path, displayName: spec.file, format: spec.format) { record in
                    for c in spec.conditions where !c.holds(for: record) { return }
                    guard let k = record.text(keyColumn), let v = value.resolve(record, item: nil, lookups: tables) else { return }
                    if table[k] == nil { table[k] = v }
                }
            }
            tables.tables[spec.name] = table
        }
        return tables
    }

    // MARK: Properties

    private mutating func specs(ofNodeType type: String) -> [String: PropertySpec] {
        if let s = nodeSpecs[type] { return s }
        let s = ontology.properties(ofNodeType: type)
        nodeSpecs[type] = s
        return s
    }

    /// The mapped properties of one record, coerced to the ontology's types. Problems
    /// are reported with the column, the property and the value.
    private mutating func properties(_ mappings: [PropertyMapping], from propertiesFrom: String?, specs: [String: PropertySpec],
                                     owner: String, record: SourceRecord, item: String?, location: SourceLocation,
                                     lookups: LookupTables) -> (props: [String: Value], weak: Set<String>) {
        var props: [String: Value] = [:]
        var weak = Set<String>()
        if let from = propertiesFrom {
            switch record.value(from) {
            case .null: break
            case .map(let members):
                for (name, raw) in members {
                    set(name, raw: raw, spec: specs[name], layout: nil, separator: nil, origin: "field '\(from).\(name)'",
                        owner: owner, location: location, into: &props)
                }
            case let other:
                issues.add(location, "field '\(from)' must be a JSON object of properties, got \(other.jsonText.prefix(60))")
            }
        }
        for m in mappings {
            var raw: Value
            switch m.origin {
            case .column(let c): raw = record.value(c)
            case .template(let t): raw = t.lazy.compactMap { $0.resolve(record, item: item, lookups: lookups) }.first.map(Value.string) ?? .null
            }
            if raw.isNull { continue }
            if m.match != nil || m.map != nil {
                guard var text = SourceRecord.text(of: raw) else { continue }
                if let pattern = m.match {
                    if regexes[pattern] == nil { regexes[pattern] = try? NSRegularExpression(pattern: pattern) }
                    guard let re = regexes[pattern],
                          let hit = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { continue }
                    if let replace = m.replace {
                        text = re.replacementString(for: hit, in: text, offset: 0, template: replace)
                    }
                }
                if let map = m.map {
                    if let mapped = map[text] { text = mapped } else if let d = m.mapDefault { text = d }
                }
                raw = .string(text)
            }
            if m.weak { weak.insert(m.name) }
            set(m.name, raw: raw, spec: specs[m.name], layout: m.dateFormat, separator: m.separator,
                origin: m.originDescription, owner: owner, location: location, into: &props)
        }
        return (props, weak)
    }

    private mutating func set(_ name: String, raw: Value, spec: PropertySpec?, layout: DateLayout?, separator: String?,
                              origin: String, owner: String, location: SourceLocation, into props: inout [String: Value]) {
        let (value, problem) = ValueCoercion.coerce(raw, to: spec, layout: layout, separator: separator)
        if let problem {
            issues.add(location, "\(origin) -> property '\(name)' of \(owner): \(problem)")
            return
        }
        // Formats and vocabularies are checked once, with the whole record, by the writer.
        guard let value else { return }
        props[name] = value
    }

    // MARK: Nodes

    private mutating func addNode(_ m: NodeMapping, id: Int, record: SourceRecord, item: String?, location: SourceLocation, lookups: LookupTables) {
        guard let key = m.keys.lazy.compactMap({ $0.resolve(record, item: item, lookups: lookups) }).first else {
            skipped["\(m.location): node key \(m.keys.map(\.source).joined(separator: " | ")) unresolved", default: 0] += 1
            return
        }
        guard let type = m.type.resolve(record, item: item, lookups: lookups) else {
            issues.add(location, "node '\(key)': no type (template '\(m.type.source)' has an empty field)")
            return
        }
        let specs = specs(ofNodeType: type)
        let (props, weak) = properties(m.properties, from: m.propertiesFrom, specs: specs, owner: "\(type) '\(key)'",
                                       record: record, item: item, location: location, lookups: lookups)
        guard let index = LoadBatch.claim(key, in: &nodeIndex, next: nodes.count) else {
            nodes.append(PendingNode(key: key, type: type, properties: props, weak: weak, location: location, mappings: [id],
                                     propertyOrigin: props.mapValues { _ in location }))
            return
        }
        var node = nodes[index]
        if node.mappings.contains(id) || !m.merge {
            if node.type == type && node.properties == props { return }
            if node.mappings.contains(id) && m.duplicates == .first {
                skipped["\(m.location): later duplicates of a node key (duplicates: first)", default: 0] += 1
                return
            }
            let difference = LoadBatch.firstDifference(node.properties, props, typeA: node.type, typeB: type)
            issues.add(location, "duplicate key '\(key)' with different content (first at \(node.location)): \(difference)"
                       + (node.mappings.contains(id) ? "" : "; add 'merge: true' to combine records of several mappings"))
            return
        }
        if node.type != type {
            issues.add(location, "node '\(key)' is a \(type) here but a \(node.type) at \(node.location)")
            return
        }
        node.mappings.insert(id)
        for (name, value) in props {
            let newWeak = weak.contains(name)
            if let old = node.properties[name] {
                if old == value {
                    if !newWeak { node.weak.remove(name) }
                    continue
                }
                if newWeak { continue }
                if !node.weak.contains(name) {
                    issues.add(location, "node '\(key)': property '\(name)' is \(value.jsonText.prefix(80)) here but \(old.jsonText.prefix(80)) at \(node.propertyOrigin[name] ?? node.location)")
                    continue
                }
            }
            node.properties[name] = value
            node.propertyOrigin[name] = location
            if newWeak { node.weak.insert(name) } else { node.weak.remove(name) }
        }
        nodes[index] = node
    }

    /// The position `key` already has in `index`, or nil after giving it `next` (the
    /// caller then appends the new item there). One hash lookup either way: a load
    /// claims a key for every record it reads.
    static func claim(_ key: String, in index: inout [String: Int], next: Int) -> Int? {
        var existing: Int?
        func take(_ slot: inout Int) {
            if slot >= 0 { existing = slot } else { slot = next }
        }
        take(&index[key, default: -1])
        return existing
    }

    static func firstDifference(_ a: [String: Value], _ b: [String: Value], typeA: String, typeB: String) -> String {
        if typeA != typeB { return "type \(typeA) vs \(typeB)" }
        for name in Set(a.keys).union(b.keys).sorted() where a[name] != b[name] {
            return "property '\(name)' \(a[name].map { String($0.jsonText.prefix(80)) } ?? "absent") vs \(b[name].map { String($0.jsonText.prefix(80)) } ?? "absent")"
        }
        return "same content"
    }

    // MARK: Edges

    private mutating func addEdge(_ m: EdgeMapping, id: Int, record: SourceRecord, item: String?, location: SourceLocation, lookups: LookupTables) {
        guard let from = m.from.lazy.compactMap({ $0.resolve(record, item: item, lookups: lookups) }).first,
              let to = m.to.lazy.compactMap({ $0.resolve(record, item: item, lookups: lookups) }).first else {
            skipped["\(m.location): edge endpoints unresolved", default: 0] += 1
            return
        }
        guard let type = m.type.resolve(record, item: item, lookups: lookups) else {
            issues.add(location, "edge \(from) -> \(to): no type (template '\(m.type.source)' has an empty field)")
            return
        }
        let key = m.key?.resolve(record, item: item, lookups: lookups) ?? EdgeInput.defaultKey(type: type, from: from, to: to)
        let specs = ontology.edgeTypes[type]?.properties ?? [:]
        let (props, _) = properties(m.properties, from: m.propertiesFrom, specs: specs, owner: "edge \(type) '\(key)'",
                                    record: record, item: item, location: location, lookups: lookups)
        if let index = LoadBatch.claim(key, in: &edgeIndex, next: edges.count) {
            let old = edges[index]
            if old.type == type && old.from == from && old.to == to && old.properties == props { return }
            if old.mapping == id && m.duplicates == .first {
                skipped["\(m.location): later duplicates of an edge key (duplicates: first)", default: 0] += 1
                return
            }
            issues.add(location, "duplicate edge key '\(key)' with different content (first at \(old.location)): "
                       + (old.from != from || old.to != to ? "endpoints \(old.from)->\(old.to) vs \(from)->\(to)"
                          : LoadBatch.firstDifference(old.properties, props, typeA: old.type, typeB: type)))
            return
        }
        edges.append(PendingEdge(key: key, type: type, from: from, to: to, properties: props, location: location, mapping: id))
    }
}

extension PropertyMapping {
    var fieldNames: [String] {
        switch origin {
        case .column(let c): return [c]
        case .template(let t): return t.flatMap(\.fieldNames)
        }
    }
}
