import Foundation
import LexgraphCore
import Logging
import PostgresStore
import Query
import Yams

/// Everything `lexgraph serve` needs to know, from a YAML or JSON file (`--config`),
/// environment variables (which win over the file) and defaults, in that order.
///
/// ```yaml
/// database:
///   path: var/lexgraph.sqlite      # relative to this file's folder, or a graph on PostgreSQL
///                                  # (postgres://user@host:port/db); LEXGRAPH_DB
///   service_path: var/service.sqlite # with a postgres:// path: the SQLite file of this
///                                  # service's API tokens, model registry and request audit
///                                  # trail, relative to this file's folder; LEXGRAPH_SERVICE_DB
///   name: lexgraph                 # the {name} of /db/{name}/tx/commit; LEXGRAPH_DB_NAME
///   read_only: false               # no writer at all; LEXGRAPH_READ_ONLY
///   key_file: secrets/db.key       # the key of an encrypted database, relative to this
///                                  # file's folder; LEXGRAPH_DB_KEY_FILE (or LEXGRAPH_DB_KEY)
/// http:
///   bind: 127.0.0.1:7474           # HOST:PORT, port 0 = any free one; LEXGRAPH_BIND
///   idle_timeout_seconds: 60       # a connection idle this long is closed; LEXGRAPH_IDLE_TIMEOUT
/// limits:
///   max_body_size: 1M              # larger request bodies get 413; LEXGRAPH_MAX_BODY_SIZE
///   request_time_limit_seconds: 30 # a request still running then gets 503; LEXGRAPH_REQUEST_TIME_LIMIT
///   max_concurrent_requests: 16    # more at once get 429; LEXGRAPH_MAX_CONCURRENT_REQUESTS
/// log:
///   format: json                   # json (one object per line) or text; LEXGRAPH_LOG_FORMAT
///   level: info                    # trace ... critical; LEXGRAPH_LOG_LEVEL
/// curation:
///   state: labelling/contracts     # a `lexgraph label` state folder served on /v1/curation,
///                                  # relative to this file's folder; LEXGRAPH_CURATION_STATE
/// ```
public struct ServerConfig: Sendable, Equatable {
    public var databasePath = "var/lexgraph.sqlite"
    /// With a graph on PostgreSQL (`databasePath` a `postgres://` URL): the SQLite file that
    /// keeps what is the service's own rather than the graph's (API tokens, the model
    /// registry, the request audit trail). Each replica its own copy: SQLite files are not shared between servers.
    public var servicePath: String?
    public var databaseName = "lexgraph"
    public var readOnly = false
    /// The key file of an encrypted database; nil: the configured key ($LEXGRAPH_DB_KEY), if any.
    public var databaseKeyFile: String?
    public var host = "127.0.0.1"
    public var port = 7474
    public var idleTimeout: Double = 60
    public var maxBodyBytes = 1 << 20
    public var requestTimeLimit: Double = 30
    public var maxConcurrentRequests = 16
    public var logFormat = LogFormat.json
    public var logLevel = Logger.Level.info
    /// The active-learning session the curation routes serve (nil: none).
    public var curationState: String?

    public enum LogFormat: String, Sendable, CaseIterable { case json, text }

    public init() {}

    /// The settings of `file` (nil: none) with the environment's overrides.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfig {
        var config = ServerConfig()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ServerError("cannot read the configuration file \(file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ServerError("the configuration file \(file) is not UTF-8 text")
            }
            try config.apply(yaml: text, file: file)
        }
        for setting in settings {
            if let value = environment[setting.variable], !value.isEmpty {
                try setting.apply(value, &config, "$\(setting.variable)", nil)
            }
        }
        return config
    }

    /// Reads the settings of a YAML (or JSON) document over these values.
    public mutating func apply(yaml text: String, file: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ServerError("\(file): not valid YAML or JSON: \(error)")
        }
        guard let root else { return }  // an empty file: all defaults
        let pathBefore = databasePath, keyFileBefore = databaseKeyFile, curationBefore = curationState, serviceBefore = servicePath
        defer {
            // A relative database path in a file is relative to that file's folder, so the
            // same file works whatever folder the service starts in.
            if databasePath != pathBefore, !databasePath.hasPrefix("/"), !PostgresLocation.isURL(databasePath) {
                databasePath = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(databasePath).standardizedFileURL.path
            }
            if let keyFile = databaseKeyFile, keyFile != keyFileBefore, !keyFile.hasPrefix("/") {
                databaseKeyFile = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(keyFile).standardizedFileURL.path
            }
            if let service = servicePath, service != serviceBefore, !service.hasPrefix("/") {
                servicePath = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(service).standardizedFileURL.path
            }
            if let state = curationState, state != curationBefore, !state.hasPrefix("/") {
                curationState = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(state).standardizedFileURL.path
            }
        }
        guard let sections = root.mapping else {
            throw ServerError("the configuration must be a mapping of sections (\(ServerConfig.sections)), got \(root.sequence != nil ? "a list" : "a single value")", at: place(root, file))
        }
        for (sectionKey, sectionValue) in sections {
            let section = sectionKey.string ?? ""
            guard let entries = sectionValue.mapping else {
                throw ServerError("'\(section)' must be a mapping of settings", at: place(sectionValue, file))
            }
            for (key, value) in entries {
                let name = "\(section).\(key.string ?? "")"
                guard let setting = ServerConfig.settings.first(where: { $0.key == name }) else {
                    throw ServerError("unknown setting '\(name)' (known: \(ServerConfig.settings.map(\.key).joined(separator: ", ")))", at: place(key, file))
                }
                guard let scalar = value.scalar?.string else {
                    throw ServerError("'\(name)' must be a single value", at: place(value, file))
                }
                try setting.apply(scalar, &self, "'\(name)'", place(value, file))
            }
        }
    }

    /// `http://HOST:PORT` as clients write it (IPv6 hosts in brackets).
    public static func url(host: String, port: Int) -> String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    private func place(_ node: Node, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line)
    }

    private static var sections: String { Set(settings.map { String($0.key.prefix { $0 != "." }) }).sorted().joined(separator: ", ") }

    /// One setting: where it lives in the file, its variable, and how its text is read.
    struct Setting: Sendable {
        var key: String
        var variable: String
        /// (text, config, how to name it in a message, where it came from).
        var apply: @Sendable (String, inout ServerConfig, String, SourceLocation?) throws -> Void
    }

    static let settings: [Setting] = [
        Setting(key: "database.path", variable: "LEXGRAPH_DB") { text, c, _, _ in c.databasePath = text },
        Setting(key: "database.service_path", variable: "LEXGRAPH_SERVICE_DB") { text, c, name, at in
            guard !text.isEmpty else { throw ServerError("\(name) must name a SQLite file", at: at) }
            c.servicePath = text
        },
        Setting(key: "database.name", variable: "LEXGRAPH_DB_NAME") { text, c, name, at in
            guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw ServerError("\(name) must be letters, digits, '-', '_' or '.', got '\(text)'", at: at)
            }
            c.databaseName = text
        },
        Setting(key: "database.read_only", variable: "LEXGRAPH_READ_ONLY") { text, c, name, at in
            c.readOnly = try bool(text, name, at)
        },
        Setting(key: "database.key_file", variable: "LEXGRAPH_DB_KEY_FILE") { text, c, name, at in
            guard !text.isEmpty else { throw ServerError("\(name) must name a key file", at: at) }
            c.databaseKeyFile = text
        },
        Setting(key: "http.bind", variable: "LEXGRAPH_BIND") { text, c, name, at in
            (c.host, c.port) = try bindAddress(text, name, at)
        },
        Setting(key: "http.idle_timeout_seconds", variable: "LEXGRAPH_IDLE_TIMEOUT") { text, c, name, at in
            c.idleTimeout = try seconds(text, name, at)
        },
        Setting(key: "limits.max_body_size", variable: "LEXGRAPH_MAX_BODY_SIZE") { text, c, name, at in
            guard let bytes = MemorySize.parse(text), bytes > 0 else {
                throw ServerError("\(name) must be a size such as 1M, 512K or 65536 (bytes), greater than 0, got '\(text)'", at: at)
            }
            c.maxBodyBytes = bytes
        },
        Setting(key: "limits.request_time_limit_seconds", variable: "LEXGRAPH_REQUEST_TIME_LIMIT") { text, c, name, at in
            c.requestTimeLimit = try seconds(text, name, at)
        },
        Setting(key: "limits.max_concurrent_requests", variable: "LEXGRAPH_MAX_CONCURRENT_REQUESTS") { text, c, name, at in
            guard let n = Int(text), n >= 1 else { throw ServerError("\(name) must be a whole number of at least 1, got '\(text)'", at: at) }
            c.maxConcurrentRequests = n
        },
        Setting(key: "log.format", variable: "LEXGRAPH_LOG_FORMAT") { text, c, name, at in
            guard let format = LogFormat(rawValue: text) else {
                throw ServerError("\(name) must be \(LogFormat.allCases.map(\.rawValue).joined(separator: " or ")), got '\(text)'", at: at)
            }
            c.logFormat = format
        },
        Setting(key: "log.level", variable: "LEXGRAPH_LOG_LEVEL") { text, c, name, at in
            guard let level = Logger.Level(rawValue: text) else {
                throw ServerError("\(name) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'", at: at)
            }
            c.logLevel = level
        },
        Setting(key: "curation.state", variable: "LEXGRAPH_CURATION_STATE") { text, c, _, _ in c.curationState = text },
    ]

    static func bool(_ text: String, _ name: String, _ at: SourceLocation?) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw ServerError("\(name) must be true or false, got '\(text)'", at: at)
        }
    }

    static func seconds(_ text: String, _ name: String, _ at: SourceLocation?) throws -> Double {
        guard let value = Double(text), value.isFinite, value > 0 else {
            throw ServerError("\(name) must be a number of seconds greater than 0, got '\(text)'", at: at)
        }
        return value
    }

    /// `HOST:PORT` or `[IPv6]:PORT`, the port 0-65535.
    static func bindAddress(_ text: String, _ name: String, _ at: SourceLocation?) throws -> (String, Int) {
        let refusal = ServerError("\(name) must be HOST:PORT (e.g. 127.0.0.1:7474, [::1]:7474, 0.0.0.0:7474; port 0 picks a free one), got '\(text)'", at: at)
        guard let colon = text.lastIndex(of: ":") else { throw refusal }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw refusal
        }
        return (host, port)
    }
}
