import Foundation
import GraphStore

/// Where a PostgreSQL graph is: `postgres://user[:password]@host[:port]/database`
/// (`postgresql://` too). Without a password in the URL, `$PGPASSWORD` is used, as psql
/// does. `description` never shows the password.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    public init(user: String, password: String? = nil, host: String = "127.0.0.1", port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ why: String) -> GraphStoreError {
            GraphStoreError(message: "bad PostgreSQL URL '\(PostgresLocation.redacted(text))': \(why) (expected postgres://user@host:port/database)")
        }
        guard PostgresLocation.isURL(text), let url = URLComponents(string: text) else { throw bad("not a URL") }
        guard let user = url.user, !user.isEmpty else { throw bad("no user") }
        guard let host = url.host, !host.isEmpty else { throw bad("no host") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw bad("no database name after the host") }
        if let port = url.port, !(1...65535).contains(port) { throw bad("port \(port) out of range") }
        self.init(user: user.removingPercentEncoding ?? user, password: url.password?.removingPercentEncoding ?? environment["PGPASSWORD"],
                  host: host, port: url.port ?? 5432, database: database.removingPercentEncoding ?? database)
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `text` with any password replaced by `***`, for messages.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
