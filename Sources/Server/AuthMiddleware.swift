import Hummingbird

/// The token check in front of every route but the health checks: a missing, malformed,
/// unknown or revoked token is a 401, a valid token whose role is below the route's
/// `minimum` a 403, each with a JSON body saying which.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let tokens: APITokens
    let minimum: Role

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal: APITokens.Principal
        do {
            principal = try tokens.authenticate(authorization: request.headers[.authorization])
        } catch let refusal as APITokens.Refusal {
            if case .badRole = refusal { throw APIError(.forbidden, "Forbidden", refusal.message) }
            throw APIError.unauthorized(refusal.message)
        } catch {
            throw APIError(.serviceUnavailable, "DatabaseUnavailable", "cannot check the API token: \(error)")
        }
        context.notes.tokenID = principal.tokenID
        context.notes.tokenName = principal.name
        guard principal.role >= minimum else {
            throw APIError(.forbidden, "Forbidden",
                           "\(request.method) \(context.endpointPath ?? request.uri.path) needs the role \(minimum.rawValue) or higher; API token \(principal.tokenID) (\(principal.name)) has the role \(principal.role.rawValue)")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
