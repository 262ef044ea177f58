import Hummingbird
import LexgraphCore

/// A request refused before or around its route's work (authentication, roles, limits,
/// routing, body format), answered with its status and a JSON body naming the problem:
/// `{"error": {"status": 401, "code": "Unauthorized", "message": "..."}}`.
/// The transaction endpoint answers problems with its statements in Neo4j's own shape
/// instead (`Neo4jTransaction`).
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]
    /// More fields of `error` where a route has them (an ontology error's `location`).
    var details: [String: Value] = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:], details: [String: Value] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details
    }

    var body: Value {
        let fields: [String: Value] = ["status": .int(Int64(status.code)), "code": .string(code), "message": .string(message)]
        return .map(["error": .map(details.merging(fields) { _, own in own })])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(status, body, headers: headers)
    }

    /// The `code` of a status: its reason phrase without spaces ("Bad Request" -> "BadRequest").
    static func code(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.split(separator: " ").joined()
    }

    static func unauthorized(_ message: String) -> APIError {
        // RFC 6750: a 401 names the scheme it wants.
        APIError(.unauthorized, "Unauthorized", message, headers: [.wwwAuthenticate: "Bearer realm=\"lexgraph\""])
    }

    static func notFound(_ request: Request) -> APIError {
        APIError(.notFound, "NotFound", "no route \(request.method) \(request.uri.path) (routes: GET /v2/health/live, GET /v2/health/ready, POST /db/{name}/tx/commit, GET /metrics, GET /v1/tokens, GET /v2/models/{name}[/versions/{v}][/ready], POST /v2/models/{name}[/versions/{v}]/infer, POST /v1/models/{name}[/versions/{v}]/explain, POST /v1/review, GET /v1/curation/next, POST /v1/curation/answers, POST /v1/ontology/validate|diff|apply)")
    }
}

/// JSON responses, written with `Value` (sorted keys, control characters escaped).
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ body: Value, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body.jsonText + "\n")))
    }
}
