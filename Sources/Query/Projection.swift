import Foundation

/// WITH and RETURN: projection, grouping and aggregation, DISTINCT, ORDER BY, SKIP, LIMIT.
extension Execution {
    /// Projects `input`; `sources` are the input rows behind each output row (nil when
    /// aggregating or DISTINCT), which WITH ... WHERE may still look at.
    func project(_ p: Projection, _ input: [Bindings], _ scope: Binder.Scope) throws -> (names: [String], rows: [[CypherValue]], sources: [Bindings?]) {
        // One copy of the evaluator (a struct of references) for the loop, not one per row.
        let evaluator = self.evaluator
        var items = p.items
        if p.star {
            let starItems = scope.order.sorted().map { ProjectionItem(expression: Expr(.variable($0), p.position), alias: nil, text: $0) }
            items = starItems + items
        }
        let names = items.map(\.name)
        let aggregating = items.contains { Binder.containsAggregate($0.expression) }
        let keepSource = !aggregating && !p.distinct
        let sortExpressions = p.orderBy.map { keepSource ? $0.expression : $0.expression.replacingProjected(items) }

        struct Projected { var values: [CypherValue]; var source: Bindings?; var keys: [CypherValue] }
        var projected: [Projected] = []
        if aggregating {
            projected = try aggregate(items, sortExpressions, input).map { Projected(values: $0.values, source: nil, keys: $0.keys) }
        } else {
            for row in input {
                try deadline.step()
                let values = try items.map { try evaluator.evaluate($0.expression, row) }
                try memory.keep(values: values)
                projected.append(Projected(values: values, source: row, keys: []))
                memory.endRow()
            }
            if p.distinct {
                var seen = Set<[CypherValue]>()
                projected = try projected.filter { try deadline.step(); return seen.insert($0.values).inserted }
            }
            if !p.orderBy.isEmpty {
                for k in projected.indices {
                    try deadline.step()
                    var env = keepSource ? (projected[k].source ?? [:]) : [:]
                    for (n, v) in zip(names, projected[k].values) { env[n] = v }
                    projected[k].keys = try sortExpressions.map { try evaluator.evaluate($0, env) }
                    try memory.keep(values: projected[k].keys)
                    memory.endRow()
                }
            }
        }
        if !p.orderBy.isEmpty {
            let directions = p.orderBy.map(\.ascending)
            projected = try stableSorted(projected) { Execution.precedes($0.keys, $1.keys, directions) }
        }
        projected = try slice(p, projected)
        // DISTINCT keeps the first source row of each distinct row for WITH ... WHERE.
        return (names, projected.map(\.values), projected.map(\.source))
    }

    /// Rows computed elsewhere (in SQL: `SQLProjection`) through ORDER BY, SKIP and
    /// LIMIT, unless `ordered` says SQL did those too.
    func orderAndSlice(_ p: Projection, _ names: [String], _ rows: [[CypherValue]], ordered: Bool) throws -> [[CypherValue]] {
        if ordered { return rows }
        // One copy of the evaluator (a struct of references) for the loop, not one per row.
        let evaluator = self.evaluator
        var keyed: [(row: [CypherValue], keys: [CypherValue])] = []
        let sortExpressions = p.orderBy.map { $0.expression.replacingProjected(p.items) }
        for row in rows {
            try deadline.step()
            let env = Dictionary(uniqueKeysWithValues: zip(names, row))
            let keys = try sortExpressions.map { try evaluator.evaluate($0, env) }
            try memory.keep(values: keys)
            keyed.append((row, keys))
            memory.endRow()
        }
        if !p.orderBy.isEmpty {
            let directions = p.orderBy.map(\.ascending)
            keyed = try stableSorted(keyed) { Execution.precedes($0.keys, $1.keys, directions) }
        }
        return try slice(p, keyed).map(\.row)
    }

    /// Whether sort keys `a` come before `b` (ORDER BY's cross-type order per key).
    static func precedes(_ a: [CypherValue], _ b: [CypherValue], _ ascending: [Bool]) -> Bool {
        for (k, up) in ascending.enumerated() {
            let c = Compare.order(a[k], b[k])
            if c == .orderedSame { continue }
            return up ? c == .orderedAscending : c == .orderedDescending
        }
        return false
    }

    /// SKIP, then LIMIT.
    func slice<T>(_ p: Projection, _ rows: [T]) throws -> [T] {
        var rows = rows
        if let skip = p.skip { rows = Array(rows.dropFirst(try count(skip, "SKIP"))) }
        if let limit = p.limit { rows = Array(rows.prefix(try count(limit, "LIMIT"))) }
        return rows
    }

    /// Sorts, keeping equal items in their order; each comparison is a step towards the
    /// deadline. The numbered copy it sorts is counted while it lives.
    func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) throws -> [T] {
        try memory.reserve(2 * MemoryBudget.bufferHeader + items.count * (MemoryLayout<(offset: Int, element: T)>.stride + MemoryLayout<T>.stride))
        defer { memory.endRow() }
        return try items.enumerated().sorted { a, b in
            try deadline.step()
            if less(a.element, b.element) { return true }
            if less(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// SKIP/LIMIT: a non-negative integer computed from literals and parameters only.
    func count(_ e: Expr, _ what: String, parameters: [String: CypherValue]? = nil) throws -> Int {
        var evaluator = self.evaluator
        if let parameters {
            evaluator = Evaluator(parameters: parameters, graph: graph, source: ast.source, ontology: ontology, asOf: ast.asOf,
                                  deadline: deadline, memory: memory)
        }
        let v = try evaluator.evaluate(e, [:])
        switch v {
        case .int(let i) where i >= 0: return Int(clamping: i)
        case .int:
            throw QueryError(.syntax, "NegativeIntegerArgument", "\(what) must not be negative, got \(Functions.toStringValue(v))", at: e.position, in: ast.source)
        default:
            throw QueryError(.syntax, "InvalidArgumentType", "\(what) needs an integer, got \(v.typeName)", at: e.position, in: ast.source)
        }
    }

    // MARK: Aggregation

    /// Groups by the non-aggregate items and computes every aggregate call per group.
    func aggregate(_ items: [ProjectionItem], _ sortExpressions: [Expr], _ input: [Bindings]) throws -> [(values: [CypherValue], keys: [CypherValue])] {
        // One copy of the evaluator (a struct of references) for the loop, not one per row.
        let evaluator = self.evaluator
        var calls: [Expr] = []
        for item in items { Execution.collectAggregates(item.expression, &calls) }
        for e in sortExpressions { Execution.collectAggregates(e, &calls) }
        let keyIndexes = items.indices.filter { !Binder.containsAggregate(items[$0].expression) }
        var groups: [[CypherValue]: (first: Bindings, accumulators: [Accumulator])] = [:]
        var order: [[CypherValue]] = []
        for row in input {
            try deadline.step()
            let key = try keyIndexes.map { try evaluator.evaluate(items[$0].expression, row) }
            if groups[key] == nil {
                try memory.keep(values: key)
                groups[key] = (row, try calls.map { try Accumulator($0, evaluator) })
                order.append(key)
            }
            for i in calls.indices { try groups[key]!.accumulators[i].add(row, evaluator) }
            memory.endRow()
        }
        if input.isEmpty && keyIndexes.isEmpty {
            groups[[]] = ([:], try calls.map { try Accumulator($0, evaluator) })
            order.append([])
        }
        var out: [(values: [CypherValue], keys: [CypherValue])] = []
        for key in order {
            try deadline.step()
            let group = groups[key]!
            var ev = evaluator
            for (i, call) in calls.enumerated() { ev.aggregates[call.position] = try group.accumulators[i].result(evaluator) }
            var values: [CypherValue] = []
            var k = 0
            for (i, item) in items.enumerated() {
                if keyIndexes.contains(i) { values.append(key[k]); k += 1 } else { values.append(try ev.evaluate(item.expression, group.first)) }
            }
            var env = Bindings()
            for (item, v) in zip(items, values) { env[item.name] = v }
            let keys = try sortExpressions.map { try ev.evaluate($0, env) }
            try memory.keep(values: values)
            try memory.keep(values: keys)
            out.append((values, keys))
            memory.endRow()
        }
        return out
    }

    /// The aggregate calls in `e`, outermost first (not inside list comprehensions).
    static func collectAggregates(_ e: Expr, _ out: inout [Expr]) {
        switch e.kind {
        case .countStar: out.append(e); return
        case .call(let name, _, _) where Functions.isAggregate(name): out.append(e); return
        case .listComprehension, .quantifier: return
        default: for child in Binder.children(e) { collectAggregates(child, &out) }
        }
    }
}

/// The running state of one aggregate call over one group.
struct Accumulator {
    let name: String
    let distinct: Bool
    let argument: Expr?
    let expr: Expr
    var seen = Set<CypherValue>()
    var values: [CypherValue] = []
    var count: Int64 = 0

    init(_ e: Expr, _ ev: Evaluator) throws {
        expr = e
        switch e.kind {
        case .countStar: name = "count*"; distinct = false; argument = nil
        case .call(let n, let d, let args): name = n; distinct = d; argument = args.first
        default: throw QueryError(.runtime, "Internal", "not an aggregate")
        }
    }

    /// percentileDisc/percentileCont: the percentile argument (same for every row).
    var percentile: CypherValue = .null

    mutating func add(_ row: Bindings, _ ev: Evaluator) throws {
        guard let argument else { count += 1; return }
        if case .call(_, _, let args) = expr.kind, args.count == 2 { percentile = try ev.evaluate(args[1], row) }
        let v = try ev.evaluate(argument, row)
        if v.isNull { return }
        if distinct { guard seen.insert(v).inserted else { return } }
        // Every aggregate keeps its values until the group is done.
        try ev.memory.keep(value: v)
        values.append(v)
    }

    func result(_ ev: Evaluator) throws -> CypherValue {
        switch name {
        case "count*": return .int(count)
        case "count": return .int(Int64(values.count))
        case "collect": return .list(values)
        case "min", "max":
            guard var best = values.first else { return .null }
            for v in values.dropFirst() {
                let c = Compare.order(v, best)
                if name == "min" ? c == .orderedAscending : c == .orderedDescending { best = v }
            }
            return best
        case "sum", "avg":
            if values.isEmpty { return name == "sum" ? .int(0) : .null }
            var intSum: Int64 = 0
            var floatSum = 0.0
            var isFloat = false
            for v in values {
                switch v {
                case .int(let i):
                    let (s, o) = intSum.addingReportingOverflow(i)
                    if o { isFloat = true; floatSum += Double(i) } else { intSum = s }
                case .float(let d): isFloat = true; floatSum += d
                default: throw ev.typeError("\(name)() needs numbers, got \(v.typeName)", expr)
                }
            }
            if name == "sum" { return isFloat ? .float(floatSum + Double(intSum)) : .int(intSum) }
            return .float((floatSum + Double(intSum)) / Double(values.count))
        case "percentiledisc", "percentilecont":
            guard let p = percentile.doubleValue else {
                if values.isEmpty { return .null }
                throw ev.typeError("\(name)() needs a numeric percentile, got \(percentile.typeName)", expr)
            }
            guard p >= 0 && p <= 1 else {
                throw ev.argumentError("\(name)() needs a percentile between 0.0 and 1.0, got \(Functions.toStringValue(percentile))", expr, code: "NumberOutOfRange")
            }
            let sorted = try values.map { v -> CypherValue in
                guard v.doubleValue != nil else { throw ev.typeError("\(name)() needs numbers, got \(v.typeName)", expr) }
                return v
            }.sorted { $0.doubleValue! < $1.doubleValue! }
            guard !sorted.isEmpty else { return .null }
            let n = Double(sorted.count)
            if name == "percentiledisc" {
                let index = p == 0 ? 0 : Int((p * n).rounded(.up)) - 1
                return sorted[min(max(index, 0), sorted.count - 1)]
            }
            let position = p * (n - 1)
            let lo = Int(position.rounded(.down)), hi = Int(position.rounded(.up))
            let a = sorted[lo].doubleValue!, b = sorted[hi].doubleValue!
            return .float(a + (b - a) * (position - Double(lo)))
        case "stdev", "stdevp":
            let xs = try values.map { v -> Double in
                guard let d = v.doubleValue else { throw ev.typeError("\(name)() needs numbers, got \(v.typeName)", expr) }
                return d
            }
            let n = Double(xs.count)
            let denominator = name == "stdev" ? n - 1 : n
            guard denominator > 0 else { return .float(0) }
            let mean = xs.reduce(0, +) / n
            return .float((xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / denominator).squareRoot())
        default:
            throw QueryError(.syntax, "UnknownFunction", "unknown aggregate \(name)()")
        }
    }
}
