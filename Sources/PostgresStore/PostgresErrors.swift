import GraphStore
import PostgresNIO

extension PostgresGraphStore {
    /// A failure as one clear line: what went wrong, on which server, and what to do.
    static func describe(_ error: any Error, _ location: PostgresLocation) -> GraphStoreError {
        if let error = error as? GraphStoreError { return error }
        // A failed transaction: its cause, BEGIN's, the body's or COMMIT's (none of it is
        // kept: a failed body is rolled back, and a server that lost the connection drops
        // the unfinished transaction itself).
        if let failed = error as? PostgresTransactionError, let cause = failed.closureError ?? failed.commitError ?? failed.beginError {
            return describe(cause, location)
        }
        let server = "\(location.host):\(location.port)"
        // A value of another type than the reader asked for (the column, not its data).
        if let error = error as? PostgresDecodingError {
            return GraphStoreError(message: "PostgreSQL at \(location): cannot read column \(error.columnIndex) ('\(error.columnName)', "
                                   + "\(error.postgresType) in \(error.postgresFormat) format) as \(error.targetType): \(error.code)")
        }
        guard let error = error as? PSQLError else {
            return GraphStoreError(message: "PostgreSQL at \(location): \(error)")
        }
        if let info = error.serverInfo {
            return describeServerError(location, message: info[.message], sqlState: info[.sqlState], detail: info[.detail], context: info[.locationContext])
        }
        switch error.code {
        case .connectionError:
            let why = error.underlying.map { " (\($0))" } ?? ""
            return GraphStoreError(message: "cannot connect to PostgreSQL at \(server)\(why): is the server running and listening there?")
        case .serverClosedConnection, .uncleanShutdown:
            return closed(server)
        case .authMechanismRequiresPassword:
            return GraphStoreError(message: "PostgreSQL at \(server) asks a password for user '\(location.user)': put it in the URL (postgres://user:PASSWORD@...) or in $PGPASSWORD")
        case .unsupportedAuthMechanism:
            return GraphStoreError(message: "PostgreSQL at \(server) asks for an authentication method postgres-nio does not support for user '\(location.user)'")
        default:
            return GraphStoreError(message: "PostgreSQL at \(location): \(error.code)\(error.underlying.map { ": \($0)" } ?? "")")
        }
    }

    static func closed(_ server: String) -> GraphStoreError {
        GraphStoreError(message: "the connection to PostgreSQL at \(server) was closed (server stopped or restarted?): the statement did not complete, and a load writes nothing unless it commits")
    }

    /// An error the server reported, by its SQLSTATE.
    static func describeServerError(_ location: PostgresLocation, message: String?, sqlState: String?, detail: String?, context: String?) -> GraphStoreError {
        let server = "\(location.host):\(location.port)"
        let message = message ?? "error"
        switch sqlState ?? "" {
        case "28P01", "28000":
            return GraphStoreError(message: "PostgreSQL at \(server) refused user '\(location.user)' for database '\(location.database)': \(message) (check the user, and the password in the URL or $PGPASSWORD)")
        case "3D000":
            return GraphStoreError(message: "PostgreSQL at \(server) has no database '\(location.database)': create it (`createdb -h \(location.host) -p \(location.port) -U \(location.user) \(location.database)`) or name another")
        case "57P01", "57P02", "57P03":
            return GraphStoreError(message: "PostgreSQL at \(server) is shutting down or restarting (\(message)): nothing was written; try again when it is up")
        case "57014":
            return GraphStoreError(message: "PostgreSQL at \(location) cancelled the statement: \(message)")
        default:
            var text = "PostgreSQL at \(location): \(message)"
            if let detail { text += " (\(detail))" }
            if let context { text += " [\(context.count > 300 ? String(context.prefix(300)) + "..." : context)]" }
            return GraphStoreError(message: text)
        }
    }
}
