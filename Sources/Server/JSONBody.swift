import Hummingbird
import Query

/// Reads a request's JSON body within the size limit: a body that is not
/// `application/json` is a 415, one over `limit` bytes a 413 (from its Content-Length
/// before any of it is read, or while it arrives without one).
enum JSONBody {
    static func bytes(of request: Request, limit: Int) async throws -> [UInt8] {
        try await bytes(of: request, limit: limit, accepting: ["application/json"], takes: "a JSON body (Content-Type: application/json)").bytes
    }

    /// The body and its media type (lowercased, parameters dropped), which must be one of
    /// `accepting` (else a 415 saying the route `takes` ...), within `limit` bytes.
    static func bytes(of request: Request, limit: Int, accepting: Set<String>, takes: String) async throws -> (mediaType: String, bytes: [UInt8]) {
        let contentType = request.headers[.contentType]
        let mediaType = contentType.map { $0.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "" }?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard let mediaType, accepting.contains(mediaType) else {
            throw APIError(.unsupportedMediaType, "UnsupportedMediaType",
                           "\(request.method) \(request.uri.path) takes \(takes), got " +
                           (contentType.map { "Content-Type: \($0)" } ?? "no Content-Type"))
        }
        let tooLarge = APIError(.contentTooLarge, "ContentTooLarge",
                                "the request body is larger than the limit of \(MemorySize.describe(limit)) (limits.max_body_size)")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return (mediaType, Array(buffer.readableBytesView))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }
}
