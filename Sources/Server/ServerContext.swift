import Foundation
import Hummingbird

/// Each request's context: Hummingbird's own (logger with the request id, route
/// parameters) and who the caller is, once `AuthMiddleware` has checked the token.
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: APITokens.Principal?
    /// What inner layers learn that the outer one logs (the context itself is a value,
    /// so a change made further in does not reach back out).
    let notes = RequestNotes()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// See `ServerContext.notes`.
final class RequestNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var _tokenID: String?
    private var _tokenName: String?

    var tokenID: String? {
        get { lock.lock(); defer { lock.unlock() }; return _tokenID }
        set { lock.lock(); _tokenID = newValue; lock.unlock() }
    }

    /// The authenticated token's name (for the audit trail's principal).
    var tokenName: String? {
        get { lock.lock(); defer { lock.unlock() }; return _tokenName }
        set { lock.lock(); _tokenName = newValue; lock.unlock() }
    }
}
