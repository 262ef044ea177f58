import Hummingbird
import Query

/// Reads a request's JSON body within the size limit: a body that is not
/// `application/json` is a 415, one over `limit` bytes a 413 (from its Content-Length
/// before any of it is read, or while it arrives without one).
enum JSONBody {
    static func bytes(of request: Request, limit: Int) async throws -> [UInt8] {
        let contentType = request.headers[.contentType]
        let mediaType = contentType.map { $0.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "" }?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw APIError(.unsupportedMediaType, "UnsupportedMediaType",
                           "\(request.method) \(request.uri.path) takes a JSON body (Content-Type: application/json), got " +
                           (contentType.map { "Content-Type: \($0)" } ?? "no Content-Type"))
        }
        let tooLarge = APIError(.contentTooLarge, "ContentTooLarge",
                                "the request body is larger than the limit of \(MemorySize.describe(limit)) (limits.max_body_size)")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }
}
