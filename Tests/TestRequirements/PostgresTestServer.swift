import Foundation

/// The throwaway PostgreSQL 15 server of tools/pg_test_server.sh (tools/test.sh starts
/// it; `eval "$(tools/pg_test_server.sh start)"` by hand): trust authentication for user
/// `postgres` on 127.0.0.1:$LEXGRAPH_PG_PORT. Without it the tests that need it skip,
/// and fail under CI (`TestRequirements.missing`).
public enum PostgresTestServer {
    /// The server's port; throws `TestRequirements.missing` when none was started.
    public static func port(file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["LEXGRAPH_PG_PORT"], let port = Int(text) else {
            throw TestRequirements.missing("no PostgreSQL test server: run `eval \"$(tools/pg_test_server.sh start)\"` (sets LEXGRAPH_PG_PORT)",
                                           file: file, line: line)
        }
        return port
    }

    /// psql (PostgreSQL's client), from $LEXGRAPH_PG_PSQL or Debian's place.
    public static var psql: String { ProcessInfo.processInfo.environment["LEXGRAPH_PG_PSQL"] ?? "/usr/lib/postgresql/15/bin/psql" }

    /// A new, empty database named `lexgraph_NAME_PID` (an old one of that name is
    /// dropped first); returns its `postgres://` URL. `drop(url)` removes it.
    public static func freshDatabase(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let port = try port(file: file, line: line)
        try TestRequirements.requireFile(psql, "psql (PostgreSQL's client)", file: file, line: line)
        let database = "lexgraph_\(name)_\(ProcessInfo.processInfo.processIdentifier)".lowercased()
        _ = try run(port: port, database: "postgres", "DROP DATABASE IF EXISTS \(database)")
        _ = try run(port: port, database: "postgres", "CREATE DATABASE \(database)")
        return "postgres://postgres@127.0.0.1:\(port)/\(database)"
    }

    /// Drops the database of a `freshDatabase` URL (its connections are ended first).
    public static func drop(_ url: String) {
        guard let port = try? port(), let database = url.split(separator: "/").last else { return }
        _ = try? run(port: port, database: "postgres", "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
    }

    /// Runs `sql` with psql on database `database`; its output (unaligned, tuples only).
    /// Throws with psql's message when it fails.
    @discardableResult
    public static func run(port: Int, database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MissingTestResource(message: "psql failed on '\(sql)': \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
