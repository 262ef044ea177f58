import LexgraphCore

/// The difference between two ontology documents as a list of update changes, so a
/// curator who edited a full document sees what an update would do (`lexgraph ontology
/// diff FILE`) and the store can count what each change touches exactly as for an
/// update file. A rename cannot be told from a removal plus an addition here; write an
/// update file with `rename_*` to carry data over.
extension Ontology {
    /// Changes that turn `self` into `target` (the version number aside), in an order
    /// in which each one applies: formats and node types are added first, removals come
    /// last, leaves before their parents.
    public func changes(to target: Ontology) throws -> [OntologyChange] {
        var changes: [OntologyChange] = []

        for format in target.identifierFormats.values.sorted(by: { $0.name < $1.name }) {
            if let old = identifierFormats[format.name] {
                if old != format { changes.append(.redefineIdentifierFormat(format)) }
            } else {
                changes.append(.addIdentifierFormat(format))
            }
        }

        for name in target.nodeTypesInHierarchyOrder() {
            guard let new = target.nodeTypes[name] else { continue }
            guard let old = nodeTypes[name] else {
                changes.append(.addNodeType(new))
                continue
            }
            if old.parent != new.parent || old.isAbstract != new.isAbstract || old.validFromProperty != new.validFromProperty {
                changes.append(.redefineNodeType(new))
                continue
            }
            if old.description != new.description { changes.append(.setDescription(.nodeType(name), new.description)) }
            changes += Ontology.propertyChanges(owner: .nodeType(name), from: old.properties, to: new.properties)
        }

        for new in target.edgeTypes.values.sorted(by: { $0.name < $1.name }) {
            guard let old = edgeTypes[new.name] else {
                changes.append(.addEdgeType(new))
                continue
            }
            if old.from != new.from || old.to != new.to {
                changes.append(.redefineEdgeType(new))
                continue
            }
            if old.description != new.description { changes.append(.setDescription(.edgeType(new.name), new.description)) }
            changes += Ontology.propertyChanges(owner: .edgeType(new.name), from: old.properties, to: new.properties)
        }

        for name in edgeTypes.keys.sorted() where target.edgeTypes[name] == nil { changes.append(.removeEdgeType(name)) }
        for name in nodeTypesInHierarchyOrder().reversed() where target.nodeTypes[name] == nil { changes.append(.removeNodeType(name)) }
        for name in identifierFormats.keys.sorted() where target.identifierFormats[name] == nil { changes.append(.removeIdentifierFormat(name)) }
        if description != target.description { changes.append(.setDescription(.ontology, target.description)) }
        if name != target.name {
            throw OntologyError(message: "the documents are different ontologies ('\(name)' and '\(target.name)')")
        }
        return changes
    }

    static func propertyChanges(owner: PropertyOwner, from old: [String: PropertySpec], to new: [String: PropertySpec]) -> [OntologyChange] {
        var changes: [OntologyChange] = []
        for spec in new.values.sorted(by: { $0.name < $1.name }) {
            guard let before = old[spec.name] else {
                changes.append(.addProperty(owner, spec, fill: nil))
                continue
            }
            var withOldDescription = spec
            withOldDescription.description = before.description
            if withOldDescription != before { changes.append(.redefineProperty(owner, spec)) } else if spec.description != before.description {
                changes.append(.setDescription(.property(owner, spec.name), spec.description))
            }
        }
        for name in old.keys.sorted() where new[name] == nil { changes.append(.removeProperty(owner, property: name)) }
        return changes
    }
}
