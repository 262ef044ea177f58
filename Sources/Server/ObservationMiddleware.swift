import Compliance
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: gives it a request id (the caller's
/// `X-Request-Id` when it is a plain token, else Hummingbird's), turns every failure
/// into a JSON answer (`APIError`; anything unexpected a 500 that names the request id
/// and is logged), counts and times it per route pattern, logs one line for it, and
/// queues its audit entry (`RequestAuditLog`; the health checks excepted).
struct ObservationMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics
    var audit: RequestAuditLog? = nil
    /// Masks what a caller chose that reaches a log line (the path, an unexpected
    /// error's text) with the default masking policy: a name, an e-mail or an id in a URL
    /// is logged as `[PERSON_1]`, `[EMAIL_1]`.
    var logMasker = LogMasker()

    /// Routes not audited: probes an orchestrator polls every few seconds, without a
    /// token and without data; auditing them would bury the requests that matter.
    static let unauditedRoutes: Set<String> = ["/v2/health/live", "/v2/health/ready"]

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var context = context
        let requestID = ObservationMiddleware.acceptedID(request.headers[ObservationMiddleware.requestIDHeader]) ?? context.id
        context.logger[metadataKey: "request_id"] = .string(requestID)
        metrics.requestStarted()
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            response = try APIError.notFound(request).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try APIError(error.status, error.status.reasonPhrase.replacingOccurrences(of: " ", with: ""),
                                    "\(error.status.code) \(error.status.reasonPhrase)").response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": .string(logMasker.mask(String(describing: error)))])
            response = try APIError(.internalServerError, "InternalError",
                                    "the server failed to answer this request; its log has the cause under request id \(requestID)")
                .response(from: request, context: context)
        }
        response.headers[ObservationMiddleware.requestIDHeader] = requestID
        let nanoseconds = DispatchTime.now().uptimeNanoseconds - started
        let route = context.endpointPath ?? "unmatched"
        metrics.requestFinished(method: request.method.rawValue, route: route, status: Int(response.status.code), nanoseconds: nanoseconds)
        var fields: Logger.Metadata = [
            "method": .string(request.method.rawValue), "path": .string(logMasker.mask(request.uri.path.removingPercentEncoding ?? request.uri.path)), "route": .string(route),
            "status": .stringConvertible(response.status.code), "duration_ms": .string(String(format: "%.3f", Double(nanoseconds) / 1e6)),
        ]
        if let token = context.notes.tokenID { fields["token_id"] = .string(token) }
        context.logger.info("request", metadata: fields)
        if let audit, !ObservationMiddleware.unauditedRoutes.contains(route) {
            let principal = context.notes.tokenID.map { "token \($0) (\(context.notes.tokenName ?? ""))" } ?? "anonymous"
            audit.record(principal: principal, method: request.method.rawValue, route: route, status: Int(response.status.code), requestID: requestID)
        }
        return response
    }

    /// A caller's request id, kept when it is 1-128 letters, digits, '-', '_' or '.'
    /// (anything else could forge log lines or headers).
    static func acceptedID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E })
        else { return nil }
        return value
    }
}

/// The default masking policy's masker, copied for each text (a copy numbers its own
/// placeholders from 1, so log lines never share state).
struct LogMasker: @unchecked Sendable {
    private let prototype: Masker? = try? Masker(policy: MaskingPolicy())

    func mask(_ text: String) -> String {
        guard var masker = prototype else { return text }
        return masker.mask(text)
    }
}
