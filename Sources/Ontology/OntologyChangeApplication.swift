import LexgraphCore

/// Applying one change to an ontology (pure: no store involved) and classifying it.
///
/// Each change is checked against the ontology it applies to (the type it names exists,
/// the new name is free, ...) and the result must pass `check()`, so an update whose
/// fifth change removes a type an edge still uses fails at that change's line.
extension Ontology {
    /// The ontology after `change`. Errors carry no location; `OntologyUpdate.plan`
    /// adds the change's place in the file.
    public func applying(_ change: OntologyChange) throws -> Ontology {
        var o = self
        switch change {
        case .addNodeType(let type):
            guard nodeTypes[type.name] == nil else { throw fail("node type '\(type.name)' already exists") }
            o.nodeTypes[type.name] = type
        case .addEdgeType(let type):
            guard edgeTypes[type.name] == nil else { throw fail("edge type '\(type.name)' already exists") }
            o.edgeTypes[type.name] = type
        case .addProperty(let owner, let spec, let fill):
            try requireOwner(owner)
            if let inherited = effectiveProperties(of: owner)[spec.name] {
                throw fail("\(owner) already has property '\(spec.name)' (\(inherited.type.rawValue))")
            }
            if let fill, let problem = problem(with: fill, for: spec) { throw fail("default: \(problem)") }
            o.setSpec(spec, of: owner)
        case .addIdentifierFormat(let format):
            guard identifierFormats[format.name] == nil else { throw fail("identifier format '\(format.name)' already exists") }
            o.identifierFormats[format.name] = format
        case .addAllowedValues(let owner, let p, let values):
            var spec = try declaredProperty(p, of: owner)
            guard let allowed = spec.allowedValues else {
                throw fail("property '\(p)' of \(owner) takes any value already (it has no 'values' list to extend)")
            }
            if let dup = values.first(where: allowed.contains) { throw fail("property '\(p)' of \(owner) already allows '\(dup)'") }
            spec.allowedValues = allowed + values
            o.setSpec(spec, of: owner)
        case .makeOptional(let owner, let p):
            var spec = try declaredProperty(p, of: owner)
            guard spec.required else { throw fail("property '\(p)' of \(owner) is already optional") }
            spec.required = false
            o.setSpec(spec, of: owner)
        case .setDescription(let target, let text):
            try o.setDescription(of: target, to: text)
        case .renameNodeType(let from, let to, _):
            guard var type = nodeTypes[from] else { throw unknownNodeType(from) }
            guard nodeTypes[to] == nil else { throw fail("node type '\(to)' already exists") }
            type.name = to
            o.nodeTypes[from] = nil
            o.nodeTypes[to] = type
            for (name, child) in o.nodeTypes where child.parent == from { o.nodeTypes[name]?.parent = to }
            for (name, edge) in o.edgeTypes {
                o.edgeTypes[name]?.from = edge.from.map { $0 == from ? to : $0 }
                o.edgeTypes[name]?.to = edge.to.map { $0 == from ? to : $0 }
            }
        case .renameEdgeType(let from, let to, _):
            guard var type = edgeTypes[from] else { throw unknownEdgeType(from) }
            guard edgeTypes[to] == nil else { throw fail("edge type '\(to)' already exists") }
            type.name = to
            o.edgeTypes[from] = nil
            o.edgeTypes[to] = type
        case .renameProperty(let owner, let from, let to, _):
            var spec = try declaredProperty(from, of: owner)
            if effectiveProperties(of: owner)[to] != nil { throw fail("\(owner) already has property '\(to)'") }
            o.setSpec(nil, named: from, of: owner)
            spec.name = to
            o.setSpec(spec, of: owner)
            if case .nodeType = owner {
                for (name, type) in o.nodeTypes where type.validFromProperty == from && o.isA(name, owner.name) {
                    o.nodeTypes[name]?.validFromProperty = to
                }
            }
        case .mapValues(let owner, let p, let mapping):
            let spec = try declaredProperty(p, of: owner)
            guard spec.type == .string || spec.type == .text else {
                throw fail("map_values maps text values; property '\(p)' of \(owner) is \(spec.type.rawValue)")
            }
            for m in mapping {
                if let problem = problem(with: .string(m.new), for: spec) { throw fail("mapping '\(m.old)' -> '\(m.new)': \(problem)") }
            }
        case .removeNodeType(let name):
            guard nodeTypes[name] != nil else { throw unknownNodeType(name) }
            let children = nodeTypes.values.filter { $0.parent == name }.map(\.name).sorted()
            guard children.isEmpty else { throw fail("node type '\(name)' still has subtypes: \(children.joined(separator: ", ")) (remove or re-parent them first)") }
            let users = edgeTypes.values.filter { $0.from.contains(name) || $0.to.contains(name) }.map(\.name).sorted()
            guard users.isEmpty else { throw fail("node type '\(name)' is still an end of edge type(s) \(users.joined(separator: ", ")) (redefine or remove them first)") }
            o.nodeTypes[name] = nil
        case .removeEdgeType(let name):
            guard edgeTypes[name] != nil else { throw unknownEdgeType(name) }
            o.edgeTypes[name] = nil
        case .removeProperty(let owner, let p):
            _ = try declaredProperty(p, of: owner)
            if case .nodeType = owner, let user = nodeTypes.values.first(where: { $0.validFromProperty == p && isA($0.name, owner.name) }) {
                throw fail("property '\(p)' is the valid_from of node type '\(user.name)'")
            }
            o.setSpec(nil, named: p, of: owner)
        case .removeAllowedValues(let owner, let p, let values):
            var spec = try declaredProperty(p, of: owner)
            let allowed = spec.allowedValues ?? []
            if let missing = values.first(where: { !allowed.contains($0) }) { throw fail("property '\(p)' of \(owner) does not allow '\(missing)'") }
            let remaining = allowed.filter { !values.contains($0) }
            guard !remaining.isEmpty else { throw fail("removing every allowed value of property '\(p)' of \(owner) leaves none; use redefine_property") }
            spec.allowedValues = remaining
            o.setSpec(spec, of: owner)
        case .removeIdentifierFormat(let name):
            guard identifierFormats[name] != nil else { throw fail("unknown identifier format '\(name)'" + suggestion(for: name, among: Array(identifierFormats.keys))) }
            o.identifierFormats[name] = nil
        case .changePropertyType(let owner, let p, let type):
            var spec = try declaredProperty(p, of: owner)
            guard spec.type != type else { throw fail("property '\(p)' of \(owner) is already \(type.rawValue)") }
            spec.type = type
            o.setSpec(spec, of: owner)
        case .makeRequired(let owner, let p, let fill):
            var spec = try declaredProperty(p, of: owner)
            guard !spec.required else { throw fail("property '\(p)' of \(owner) is already required") }
            if let fill {
                guard let typed = spec.type.converting(fill) else { throw fail("default \(fill.jsonText) is not a \(spec.type.rawValue)") }
                if let problem = problem(with: typed, for: spec) { throw fail("default: \(problem)") }
            }
            spec.required = true
            o.setSpec(spec, of: owner)
        case .setParent(let name, let parent):
            guard nodeTypes[name] != nil else { throw unknownNodeType(name) }
            if let parent, nodeTypes[parent] == nil { throw unknownNodeType(parent) }
            o.nodeTypes[name]?.parent = parent
        case .redefineNodeType(let type):
            guard nodeTypes[type.name] != nil else { throw unknownNodeType(type.name) }
            o.nodeTypes[type.name] = type
        case .redefineEdgeType(let type):
            guard edgeTypes[type.name] != nil else { throw unknownEdgeType(type.name) }
            o.edgeTypes[type.name] = type
        case .redefineProperty(let owner, let spec):
            _ = try declaredProperty(spec.name, of: owner)
            o.setSpec(spec, of: owner)
        case .redefineIdentifierFormat(let format):
            guard identifierFormats[format.name] != nil else { throw fail("unknown identifier format '\(format.name)'") }
            o.identifierFormats[format.name] = format
        }
        let problems = o.check()
        if let first = problems.first { throw fail("after this change: " + first) }
        return o
    }

    /// Whether `change`, applied to this ontology, is additive, a data migration or
    /// breaking (see `ChangeImpact`). Assumes `applying(change)` succeeds.
    public func impact(of change: OntologyChange) -> ChangeImpact {
        switch change {
        case .addNodeType, .addEdgeType, .addIdentifierFormat, .addAllowedValues, .makeOptional, .setDescription:
            return .additive
        case .addProperty(_, let spec, _):
            return spec.required ? .breaking : .additive
        case .mapValues:
            return .dataMigration
        case .renameNodeType, .renameEdgeType, .renameProperty, .removeNodeType, .removeEdgeType, .removeProperty,
             .removeAllowedValues, .removeIdentifierFormat, .makeRequired, .setParent:
            return .breaking
        case .changePropertyType(let owner, let p, let type):
            guard let old = try? declaredProperty(p, of: owner) else { return .breaking }
            return type.accepts(old.type) ? .additive : .breaking
        case .redefineProperty(let owner, let spec):
            guard let old = try? declaredProperty(spec.name, of: owner) else { return .breaking }
            return spec.loosens(old) ? .additive : .breaking
        case .redefineEdgeType(let type):
            guard let old = edgeTypes[type.name] else { return .breaking }
            let endsKept = old.from.allSatisfy { f in type.from.contains { isA(f, $0) } } && old.to.allSatisfy { t in type.to.contains { isA(t, $0) } }
            return endsKept && PropertySpec.loosens(type.properties, old.properties) ? .additive : .breaking
        case .redefineNodeType(let type):
            guard let old = nodeTypes[type.name] else { return .breaking }
            let same = old.parent == type.parent && (old.isAbstract || !type.isAbstract) && old.validFromProperty == type.validFromProperty
            return same && PropertySpec.loosens(type.properties, old.properties) ? .additive : .breaking
        case .redefineIdentifierFormat(let format):
            return identifierFormats[format.name]?.pattern == format.pattern ? .additive : .breaking
        }
    }

    // MARK: Properties by owner

    /// The properties an owner has: a node type's declared and inherited ones, an edge
    /// type's own.
    public func effectiveProperties(of owner: PropertyOwner) -> [String: PropertySpec] {
        switch owner {
        case .nodeType(let n): return properties(ofNodeType: n)
        case .edgeType(let n): return edgeTypes[n]?.properties ?? [:]
        }
    }

    /// The property as declared on `owner` itself; an inherited or unknown one is an
    /// error saying where it is declared.
    public func declaredProperty(_ name: String, of owner: PropertyOwner) throws -> PropertySpec {
        try requireOwner(owner)
        let declared: [String: PropertySpec]
        switch owner {
        case .nodeType(let n): declared = nodeTypes[n]?.properties ?? [:]
        case .edgeType(let n): declared = edgeTypes[n]?.properties ?? [:]
        }
        if let spec = declared[name] { return spec }
        if case .nodeType(let n) = owner, let holder = ancestors(of: n).first(where: { nodeTypes[$0]?.properties[name] != nil }) {
            throw fail("property '\(name)' is declared on node type '\(holder)', not on '\(n)' (change it there)")
        }
        throw fail("\(owner) has no property '\(name)'" + suggestion(for: name, among: Array(effectiveProperties(of: owner).keys)))
    }

    /// The node types whose nodes carry `property` as declared on `owner`: the owner and
    /// every subtype that does not declare the property itself.
    public func nodeTypes(inheriting property: String, from owner: String) -> [String] {
        subtypes(of: owner).filter { type in
            ancestors(of: type).first(where: { nodeTypes[$0]?.properties[property] != nil }) == owner
        }
    }

    func requireOwner(_ owner: PropertyOwner) throws {
        switch owner {
        case .nodeType(let n): if nodeTypes[n] == nil { throw unknownNodeType(n) }
        case .edgeType(let n): if edgeTypes[n] == nil { throw unknownEdgeType(n) }
        }
    }

    mutating func setSpec(_ spec: PropertySpec, of owner: PropertyOwner) {
        setSpec(spec, named: spec.name, of: owner)
    }

    mutating func setSpec(_ spec: PropertySpec?, named name: String, of owner: PropertyOwner) {
        switch owner {
        case .nodeType(let n): nodeTypes[n]?.properties[name] = spec
        case .edgeType(let n): edgeTypes[n]?.properties[name] = spec
        }
    }

    mutating func setDescription(of target: DescribedElement, to text: String?) throws {
        switch target {
        case .ontology: description = text
        case .nodeType(let n):
            guard nodeTypes[n] != nil else { throw unknownNodeType(n) }
            nodeTypes[n]?.description = text
        case .edgeType(let n):
            guard edgeTypes[n] != nil else { throw unknownEdgeType(n) }
            edgeTypes[n]?.description = text
        case .property(let owner, let p):
            var spec = try declaredProperty(p, of: owner)
            spec.description = text
            setSpec(spec, of: owner)
        case .identifierFormat(let n):
            guard identifierFormats[n] != nil else { throw fail("unknown identifier format '\(n)'") }
            identifierFormats[n]?.description = text
        }
    }

    private func fail(_ message: String) -> OntologyError { OntologyError(message: message) }

    private func unknownNodeType(_ name: String) -> OntologyError {
        fail("unknown node type '\(name)'" + suggestion(for: name, among: Array(nodeTypes.keys)))
    }

    private func unknownEdgeType(_ name: String) -> OntologyError {
        fail("unknown edge type '\(name)'" + suggestion(for: name, among: Array(edgeTypes.keys)))
    }
}

extension PropertySpec {
    /// Whether every value valid under `old` is valid under `self`.
    public func loosens(_ old: PropertySpec) -> Bool {
        type.accepts(old.type) && (!required || old.required)
            && (allowedValues == nil || old.allowedValues.map { Set($0).isSubset(of: Set(allowedValues ?? [])) } == true)
            && (format == nil || format == old.format)
    }

    /// Whether a property set accepts everything `old` did: every old property kept and
    /// loosened, no new required one.
    static func loosens(_ new: [String: PropertySpec], _ old: [String: PropertySpec]) -> Bool {
        old.allSatisfy { name, spec in new[name]?.loosens(spec) == true }
            && new.allSatisfy { name, spec in old[name] != nil || !spec.required }
    }
}
