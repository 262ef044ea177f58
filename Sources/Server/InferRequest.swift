import LexgraphCore

/// An Open Inference Protocol v2 infer request for a text model:
/// `{"id": "...", "inputs": [{"name": "text", "datatype": "BYTES", "shape": [n], "data": ["...", ...]}],
///   "outputs": [{"name": "label"}, {"name": "probabilities"}]}` (`id` and `outputs`
/// optional; `shape` may also be `[n, 1]`, with `data` flat or nested as the shape says).
struct InferRequest: Equatable {
    var id: String?
    var texts: [String]
    /// The outputs asked for, in the order asked (nil: all).
    var outputs: [String]?

    static let inputName = "text"
    static let outputNames = ["label", "probabilities"]

    /// A request that does not follow the protocol: what is wrong, and where.
    struct Problem: Error, Equatable { let message: String }

    static func parse(_ body: Value) throws -> InferRequest {
        guard case .map(let object) = body else { throw Problem(message: "the body must be a JSON object with \"inputs\", got \(body.jsonKind)") }
        var id: String?
        if let value = object["id"], !value.isNull {
            guard case .string(let s) = value else { throw Problem(message: "\"id\" must be a string, got \(value.jsonKind)") }
            id = s
        }
        guard let inputsValue = object["inputs"] else { throw Problem(message: "the body has no \"inputs\" list") }
        guard case .list(let inputs) = inputsValue else { throw Problem(message: "\"inputs\" must be a list, got \(inputsValue.jsonKind)") }
        guard inputs.count == 1 else {
            throw Problem(message: "\"inputs\" must hold exactly one tensor, \"\(inputName)\" (BYTES), got \(inputs.count)")
        }
        guard case .map(let input) = inputs[0] else { throw Problem(message: "inputs[0] must be an object, got \(inputs[0].jsonKind)") }
        guard let name = input["name"]?.stringValue else { throw Problem(message: "inputs[0] has no \"name\" string") }
        guard name == inputName else { throw Problem(message: "inputs[0] is named \"\(name)\"; this model takes one input, \"\(inputName)\"") }
        guard let datatype = input["datatype"]?.stringValue else { throw Problem(message: "inputs[0] (\"text\") has no \"datatype\" string") }
        guard datatype == "BYTES" else { throw Problem(message: "inputs[0] (\"text\") has datatype \(datatype); texts are BYTES") }
        guard case .list(let shapeValues)? = input["shape"] else { throw Problem(message: "inputs[0] (\"text\") has no \"shape\" list") }
        let shape = try shapeValues.map { v -> Int in
            guard let n = v.intValue, n >= 0 else { throw Problem(message: "inputs[0] (\"text\") shape \(Value.list(shapeValues).jsonText) must hold counts (integers >= 0)") }
            return Int(n)
        }
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw Problem(message: "inputs[0] (\"text\") shape \(Value.list(shapeValues).jsonText) must be [n] or [n, 1] (one text per row)")
        }
        guard let dataValue = input["data"] else { throw Problem(message: "inputs[0] (\"text\") has no \"data\"") }
        guard case .list(let data) = dataValue else { throw Problem(message: "inputs[0] (\"text\") data must be a list, got \(dataValue.jsonKind)") }
        // Flat, as the protocol's JSON allows for any shape, or nested as the shape says.
        var texts: [String] = []
        for (i, item) in data.enumerated() {
            switch item {
            case .string(let s): texts.append(s)
            case .list(let row) where shape.count == 2 && row.count == 1:
                guard case .string(let s) = row[0] else { throw Problem(message: "inputs[0] (\"text\") data[\(i)][0] must be a string, got \(row[0].jsonKind)") }
                texts.append(s)
            default: throw Problem(message: "inputs[0] (\"text\") data[\(i)] must be a string, got \(item.jsonKind)")
            }
        }
        guard texts.count == shape[0] else {
            throw Problem(message: "inputs[0] (\"text\") shape \(Value.list(shapeValues).jsonText) says \(shape[0]) text(s), data holds \(texts.count)")
        }
        guard !texts.isEmpty else { throw Problem(message: "inputs[0] (\"text\") holds no texts") }
        var outputs: [String]?
        if let outputsValue = object["outputs"], !outputsValue.isNull {
            guard case .list(let list) = outputsValue else { throw Problem(message: "\"outputs\" must be a list, got \(outputsValue.jsonKind)") }
            outputs = try list.enumerated().map { i, item in
                guard case .map(let o) = item, let name = o["name"]?.stringValue else { throw Problem(message: "outputs[\(i)] must be an object with a \"name\"") }
                guard outputNames.contains(name) else {
                    throw Problem(message: "outputs[\(i)] asks for \"\(name)\"; this model's outputs are \(outputNames.map { "\"\($0)\"" }.joined(separator: ", "))")
                }
                return name
            }
        }
        return InferRequest(id: id, texts: texts, outputs: outputs)
    }
}
