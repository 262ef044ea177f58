import LexgraphCore

/// An Open Inference Protocol v2 infer request. A text model (sequence classifier) takes
/// `{"id": "...", "inputs": [{"name": "text", "datatype": "BYTES", "shape": [n], "data": ["...", ...]}],
///   "outputs": [{"name": "label"}, {"name": "probabilities"}]}` (`id` and `outputs`
/// optional; `shape` may also be `[n, 1]`, with `data` flat or nested as the shape says).
/// A case-outcome model takes one BYTES tensor named `case` instead, each element a
/// pending case (`cases.jsonl` fields, as `lexgraph predict` reads them) as a JSON object
/// or a string holding one.
struct InferRequest: Equatable {
    var id: String?
    /// The input tensor's elements: strings (texts, or cases as JSON text) or case objects.
    var items: [Value]
    /// The outputs asked for, in the order asked (nil: all).
    var outputs: [String]?

    /// What a model takes and gives.
    struct Signature: Equatable {
        var input: String
        var outputs: [String]
        /// Whether elements may be JSON objects (cases) besides strings.
        var objects: Bool

        static let text = Signature(input: "text", outputs: ["label", "probabilities"], objects: false)
        static let cases = Signature(input: "case", outputs: ["p_first_party_wins", "label", "as_of"], objects: true)
    }

    /// The texts of a text model's request (every element is a string: `parse` checked).
    var texts: [String] { items.compactMap(\.stringValue) }

    static let inputName = Signature.text.input
    static let outputNames = Signature.text.outputs

    /// A request that does not follow the protocol: what is wrong, and where.
    struct Problem: Error, Equatable { let message: String }

    /// The cases of a case model's request, each as an object with the place its errors
    /// name (`inputs[0].data[i]`).
    func cases() throws -> [([String: Value], SourceLocation)] {
        try items.enumerated().map { i, item in
            let place = "inputs[0] (\"case\") data[\(i)]"
            switch item {
            case .map(let object): return (object, SourceLocation(file: place))
            case .string(let text):
                let value: Value
                do { value = try Value.parseJSON(text) } catch let error as JSONError {
                    throw Problem(message: "\(place) is not a JSON object: \(error.message)")
                }
                guard case .map(let object) = value else { throw Problem(message: "\(place) must be a JSON object (a case), got \(value.jsonKind)") }
                return (object, SourceLocation(file: place))
            default: throw Problem(message: "\(place) must be a JSON object (a case), got \(item.jsonKind)")
            }
        }
    }

    static func parse(_ body: Value, signature: Signature = .text) throws -> InferRequest {
        let inputName = signature.input, outputNames = signature.outputs
        let what = signature.objects ? "case" : "text"
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
        guard name == inputName else { throw Problem(message: "inputs[0] is named \"\(name)\"; this model takes one input, \"\(inputName)\" (BYTES)") }
        guard let datatype = input["datatype"]?.stringValue else { throw Problem(message: "inputs[0] (\"\(inputName)\") has no \"datatype\" string") }
        guard datatype == "BYTES" else { throw Problem(message: "inputs[0] (\"\(inputName)\") has datatype \(datatype); \(what)s are BYTES") }
        guard case .list(let shapeValues)? = input["shape"] else { throw Problem(message: "inputs[0] (\"\(inputName)\") has no \"shape\" list") }
        let shape = try shapeValues.map { v -> Int in
            guard let n = v.intValue, n >= 0 else { throw Problem(message: "inputs[0] (\"\(inputName)\") shape \(Value.list(shapeValues).jsonText) must hold counts (integers >= 0)") }
            return Int(n)
        }
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw Problem(message: "inputs[0] (\"\(inputName)\") shape \(Value.list(shapeValues).jsonText) must be [n] or [n, 1] (one \(what) per row)")
        }
        guard let dataValue = input["data"] else { throw Problem(message: "inputs[0] (\"\(inputName)\") has no \"data\"") }
        guard case .list(let data) = dataValue else { throw Problem(message: "inputs[0] (\"\(inputName)\") data must be a list, got \(dataValue.jsonKind)") }
        // Flat, as the protocol's JSON allows for any shape, or nested as the shape says.
        var texts: [Value] = []
        let accepted = signature.objects ? "a string or an object" : "a string"
        func element(_ v: Value) -> Value? {
            switch v {
            case .string: return v
            case .map where signature.objects: return v
            default: return nil
            }
        }
        for (i, item) in data.enumerated() {
            if let v = element(item) {
                texts.append(v)
            } else if case .list(let row) = item, shape.count == 2, row.count == 1 {
                guard let v = element(row[0]) else { throw Problem(message: "inputs[0] (\"\(inputName)\") data[\(i)][0] must be \(accepted), got \(row[0].jsonKind)") }
                texts.append(v)
            } else {
                throw Problem(message: "inputs[0] (\"\(inputName)\") data[\(i)] must be \(accepted), got \(item.jsonKind)")
            }
        }
        guard texts.count == shape[0] else {
            throw Problem(message: "inputs[0] (\"\(inputName)\") shape \(Value.list(shapeValues).jsonText) says \(shape[0]) \(what)(s), data holds \(texts.count)")
        }
        guard !texts.isEmpty else { throw Problem(message: "inputs[0] (\"\(inputName)\") holds no \(what)s") }
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
        return InferRequest(id: id, items: texts, outputs: outputs)
    }
}
