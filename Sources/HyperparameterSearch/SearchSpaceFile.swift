import Foundation
import Transformer
import Yams

/// Reading a `SearchSpace` from YAML (or JSON, a subset): unknown keys, values of the
/// wrong kind and empty or reversed ranges are errors at the file and line that hold them.
extension SearchSpace {
    static let searchKeys = ["trials", "reduction_factor", "min_epochs", "after_warmup", "max_epochs", "seed"]
    static let distributionKeys = ["choice", "log_uniform", "uniform", "int"]

    /// `baseWarmupRatio`: the warm-up ratio of trials when the space does not search one
    /// (the command's), to check that `after_warmup` leaves rung 0 below max_epochs.
    public static func load(path: String, baseWarmupRatio: Double = FineTuneOptions(task: .classify).warmupRatio) throws -> SearchSpace {
        guard let data = FileManager.default.contents(atPath: path) else { throw SearchError("cannot read the search space file", file: path) }
        guard let text = String(data: data, encoding: .utf8) else { throw SearchError("the search space file is not UTF-8 text", file: path) }
        return try parse(text, file: path, baseWarmupRatio: baseWarmupRatio)
    }

    public static func parse(_ text: String, file: String, baseWarmupRatio: Double = FineTuneOptions(task: .classify).warmupRatio) throws -> SearchSpace {
        func fail(_ message: String, _ node: Node?) -> SearchError {
            SearchError(message, file: file, line: node?.mark?.line)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            if case .scanner(_, let problem, let mark, _) = error { throw SearchError("YAML syntax error: \(problem)", file: file, line: mark.line) }
            if case .parser(_, let problem, let mark, _) = error { throw SearchError("YAML syntax error: \(problem)", file: file, line: mark.line) }
            throw SearchError("not valid YAML or JSON: \(error)", file: file)
        }
        guard let root, let top = root.mapping else { throw fail("a search space is a mapping with 'search' and 'space'", root) }
        var search: Node.Mapping?, space: Node.Mapping?
        for (key, value) in top {
            switch key.string {
            case "search":
                guard let m = value.mapping else { throw fail("'search' must be a mapping of \(searchKeys.joined(separator: ", "))", value) }
                search = m
            case "space":
                guard let m = value.mapping else { throw fail("'space' must be a mapping of hyperparameters to distributions", value) }
                space = m
            default: throw fail("unknown key '\(key.string ?? "?")' (known: search, space)", key)
            }
        }
        guard let space, space.count > 0 else { throw fail("no 'space': name at least one hyperparameter to search", root) }
        guard let search else { throw fail("no 'search' mapping: it needs max_epochs and trials", root) }

        func integer(_ node: Node, _ name: String, atLeast low: Int) throws -> Int {
            guard let v = node.scalar.flatMap({ Int($0.string) }), v >= low else {
                throw fail("'\(name)' must be an integer >= \(low), got '\(node.scalar?.string ?? "a collection")'", node)
            }
            return v
        }
        func epochs(_ node: Node, _ name: String, positive: Bool) throws -> Double {
            guard let v = node.scalar.flatMap({ Double($0.string) }), v.isFinite, positive ? v > 0 : v >= 0 else {
                throw fail("'\(name)' must be a number of epochs \(positive ? "above 0" : ">= 0") (fractions allowed), got '\(node.scalar?.string ?? "a collection")'", node)
            }
            return v
        }
        var trials: Int?, maxEpochs: Int?, eta = 3, minEpochs = 1.0, seed: UInt64 = 0
        var minNode: Node?, afterWarmup: Double?, afterNode: Node?
        for (key, value) in search {
            switch key.string {
            case "trials": trials = try integer(value, "trials", atLeast: 1)
            case "reduction_factor": eta = try integer(value, "reduction_factor", atLeast: 2)
            case "min_epochs": minEpochs = try epochs(value, "min_epochs", positive: true); minNode = value
            case "after_warmup": afterWarmup = try epochs(value, "after_warmup", positive: false); afterNode = value
            case "max_epochs": maxEpochs = try integer(value, "max_epochs", atLeast: 1)
            case "seed": seed = UInt64(try integer(value, "seed", atLeast: 0))
            default: throw fail("unknown search setting '\(key.string ?? "?")' (known: \(searchKeys.joined(separator: ", ")))", key)
            }
        }
        guard let trials else { throw fail("'search' needs 'trials' (how many configurations to sample)", root) }
        guard let maxEpochs else { throw fail("'search' needs 'max_epochs' (the top rung's budget)", root) }
        if let minNode, let afterNode {
            throw fail("give min_epochs or after_warmup, not both: each sets rung 0 (min_epochs at line \((minNode.mark?.line).map(String.init) ?? "?"))", afterNode)
        }
        guard minEpochs <= Double(maxEpochs) else { throw fail("min_epochs \(minNode?.scalar?.string ?? "") is above max_epochs \(maxEpochs)", minNode ?? root) }

        var entries: [Entry] = []
        for (key, value) in space {
            let name = key.string ?? ""
            guard let hp = Hyperparameter.named(name) else {
                throw fail("unknown hyperparameter '\(name)' (known: \(Hyperparameter.all.map(\.name).joined(separator: ", ")))", key)
            }
            entries.append(Entry(name: name, distribution: try distribution(value, hp, fail)))
        }
        if let epochs = entries.first(where: { $0.name == "epochs" }) {
            // A trial's epochs set its schedule and cap its budget; more than max_epochs would never train.
            let values: [Double]
            switch epochs.distribution {
            case .choice(let v): values = v.map(\.double)
            case .intRange(let lo, let hi): values = [Double(lo), Double(hi)]
            default: values = []
            }
            if let big = values.first(where: { $0 > Double(maxEpochs) }) {
                throw fail("epochs \(Int(big)) is above max_epochs \(maxEpochs): no rung trains that long", space.first { $0.key.string == "epochs" }?.value)
            }
        }
        let result = SearchSpace(trials: trials, reductionFactor: eta, minEpochs: minEpochs, afterWarmup: afterWarmup, maxEpochs: maxEpochs, seed: seed, entries: entries)
        if let afterWarmup, let first = result.rungs(baseWarmupRatio: baseWarmupRatio).first, first >= Double(maxEpochs) {
            let end = result.warmupEnd(baseWarmupRatio: baseWarmupRatio)
            throw fail("after_warmup \(afterNode?.scalar?.string ?? String(afterWarmup)) puts rung 0 at \(Self.epochText(end + afterWarmup)) epochs (the latest warm-up ends at "
                       + "\(Self.epochText(end))), not below max_epochs \(maxEpochs): nothing would be halved", afterNode)
        }
        if let grid = result.grid, trials > grid.count {
            throw fail("trials \(trials) is more than the \(grid.count) configurations of this all-choice space", search.first { $0.key.string == "trials" }?.value)
        }
        return result
    }

    /// Epochs as the space file and the results write them: 1.5, 9 (not 9.0), 1.04.
    public static func epochText(_ epochs: Double) -> String {
        epochs == epochs.rounded() && abs(epochs) < 1e15 ? String(Int(epochs)) : String(format: "%.4g", epochs)
    }

    /// One `{choice: [...]}`, `{log_uniform: [lo, hi]}`, `{uniform: [lo, hi]}` or `{int: [lo, hi]}`.
    static func distribution(_ node: Node, _ hp: Hyperparameter, _ fail: (String, Node?) -> SearchError) throws -> Distribution {
        guard let m = node.mapping, m.count == 1, let first = m.first, let kind = first.key.string else {
            throw fail("'\(hp.name)' must be one of {choice: [...]}, {log_uniform: [low, high]}, {uniform: [low, high]}, {int: [low, high]}", node)
        }
        let key = first.key, body = first.value
        guard distributionKeys.contains(kind) else {
            throw fail("unknown distribution '\(kind)' for '\(hp.name)' (known: \(distributionKeys.joined(separator: ", ")))", key)
        }
        guard let items = body.sequence, !items.isEmpty else { throw fail("'\(hp.name)': \(kind) needs a non-empty list", body) }
        func value(_ item: Node) throws -> ParameterValue {
            let text = item.scalar?.string ?? ""
            let v: ParameterValue?
            switch hp.kind {
            case .bool: v = ["true": true, "false": false][text.lowercased()].map(ParameterValue.bool)
            case .int: v = Int(text).map(ParameterValue.int)
            case .real: v = Double(text).map(ParameterValue.real)
            }
            if v == nil, hp.name == "dropout", ["true", "false"].contains(text.lowercased()) {
                throw fail("'dropout' is a rate in [0, 1) (0: none, 0.1: BERT's default), not on/off: got '\(text)'", item)
            }
            guard let v else { throw fail("'\(hp.name)' takes \(hp.kind == .int ? "an integer" : hp.kind == .real ? "a number" : "true or false"), got '\(text)'", item) }
            if let why = hp.check(v.double) { throw fail("'\(hp.name)' \(why), got \(text)", item) }
            return v
        }
        let values = try items.map(value)
        if kind == "choice" {
            guard Set(values).count == values.count else { throw fail("'\(hp.name)': a choice lists each value once", body) }
            return .choice(values)
        }
        guard hp.kind != .bool else { throw fail("'\(hp.name)' is true or false: use {choice: [true, false]}", key) }
        guard values.count == 2 else { throw fail("'\(hp.name)': \(kind) needs [low, high], got \(values.count) value(s)", body) }
        let lo = values[0].double, hi = values[1].double
        guard lo < hi else { throw fail("'\(hp.name)': the range [\(items[0].scalar?.string ?? ""), \(items[1].scalar?.string ?? "")] is empty or reversed (low must be below high)", body) }
        switch kind {
        case "int":
            guard hp.kind == .int else { throw fail("'\(hp.name)' is a real number: use uniform or log_uniform", key) }
            return .intRange(low: Int(lo), high: Int(hi))
        case "log_uniform":
            guard hp.kind == .real else { throw fail("'\(hp.name)' is an integer: use {int: [low, high]} or a choice", key) }
            guard lo > 0 else { throw fail("'\(hp.name)': log_uniform needs a positive low end, got \(lo)", body) }
            return .logUniform(low: lo, high: hi)
        default:
            guard hp.kind == .real else { throw fail("'\(hp.name)' is an integer: use {int: [low, high]} or a choice", key) }
            return .uniform(low: lo, high: hi)
        }
    }
}
