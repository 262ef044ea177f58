import LexgraphCore
import Ontology

/// What the masking stage masks and how: the entity types switched on, placeholders
/// or consistent fictional substitutes, and the substitutes' seed. Read from YAML or
/// JSON (JSON is YAML); an unknown key or entity type is an error at its file:line.
///
/// ```yaml
/// mode: substitute          # or placeholder (the default)
/// seed: corpus-2026         # substitutes are a function of the seed and the original
/// entities:                 # every type not named keeps its default
///   person: on
///   organization: on        # organisations named after individuals; off by default
///   docket: off
/// ```
public struct MaskingPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case placeholder, substitute }

    public var mode: Mode
    public var enabled: Set<EntityType>
    public var seed: String

    /// Every type on except organisations (see `EntityType.organization`).
    public static let defaultTypes: Set<EntityType> = Set(EntityType.allCases).subtracting([.organization])

    public init(mode: Mode = .placeholder, enabled: Set<EntityType> = MaskingPolicy.defaultTypes, seed: String = "lexgraph") {
        self.mode = mode
        self.enabled = enabled
        self.seed = seed
    }

    static let keys: Set<String> = ["mode", "seed", "entities"]

    /// Parses a policy document; `file` is what errors call it.
    public init(yaml text: String, file: String) throws {
        self.init()
        do {
            let doc = try YAMLDocument(text: text, file: file)
            try doc.checkKeys(Self.keys, in: "a masking policy")
            if let m = try doc.optionalString("mode") {
                guard let mode = Mode(rawValue: m) else {
                    throw doc["mode"]!.error("unknown masking mode '\(m)' (known: \(Mode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                self.mode = mode
            }
            if let s = try doc.optionalString("seed") { seed = s }
            if let entities = doc["entities"], !entities.isNull {
                if let list = entities.items {
                    // A list names exactly the types to mask.
                    enabled = []
                    for item in list {
                        guard let name = item.scalar else { throw item.error("entity types must be names") }
                        enabled.insert(try Self.type(name, at: item))
                    }
                } else {
                    for (name, value) in try entities.requireEntries("'entities'") {
                        let type = try Self.type(name, at: value)
                        guard let on = try entities.optionalBool(name) else { throw value.error("'\(name)' must be on or off") }
                        if on { enabled.insert(type) } else { enabled.remove(type) }
                    }
                }
            }
        } catch let error as OntologyError {
            throw ComplianceError(error.message, at: error.location)
        }
    }

    private static func type(_ name: String, at node: YAMLDocument) throws -> EntityType {
        guard let type = EntityType(rawValue: name) else {
            throw node.error("unknown entity type '\(name)' (known: \(EntityType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return type
    }

    /// Reads a policy file (UTF-8, under the YAML size cap).
    public init(path: String) throws {
        let text: String
        do { text = try YAMLInput.read(path: path, what: "masking policy") } catch let error as OntologyError {
            throw ComplianceError(error.message, at: error.location)
        }
        try self.init(yaml: text, file: path)
    }
}
