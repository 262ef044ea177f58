import Ontology

/// The semantic check between parsing and planning: every variable is defined before
/// use and keeps one kind, aggregates sit only where they may, and (in ontology mode)
/// every label, relationship type and property exists in the active ontology, with a
/// "did you mean" for typos. Permissive stores skip the ontology checks.
struct Binder {
    let ontology: Ontology
    let source: String

    /// Variables in scope before a clause, with their kinds.
    struct Scope {
        var kinds: [String: VariableKind] = [:]
        var order: [String] = []
        var labels: [String: [String]] = [:]

        mutating func add(_ name: String, _ kind: VariableKind) {
            if kinds[name] == nil { order.append(name) }
            kinds[name] = kind
        }
    }

    func error(_ code: String, _ message: String, at position: SourcePosition) -> QueryError {
        QueryError(.syntax, code, message, at: position, in: source)
    }

    /// The scope before each clause (the executor's view of what is bound).
    func bind(_ ast: QueryAST) throws -> [Scope] {
        var scope = Scope()
        var scopes: [Scope] = []
        for clause in ast.clauses {
            scopes.append(scope)
            switch clause {
            case .match(_, let parts, let predicate, _):
                var seen = Set<String>()
                for part in parts { try bindPattern(part, &scope, creating: false, seenRelationships: &seen) }
                if let predicate { try check(predicate, scope, aggregatesAllowed: false) }
            case .unwind(let e, let alias, let pos):
                try check(e, scope, aggregatesAllowed: false)
                if scope.kinds[alias] != nil { throw error("VariableAlreadyBound", "variable '\(alias)' is already defined", at: pos) }
                scope.add(alias, .value)
            case .with(let projection, let predicate):
                let before = scope
                scope = try bindProjection(projection, scope)
                // After the projection's own checks, so that an ambiguous aggregation in
                // its ORDER BY is reported as such.
                for item in projection.items where item.alias == nil {
                    if case .variable = item.expression.kind { continue }
                    throw error("NoExpressionAlias", "an expression in WITH must be aliased (use AS)", at: item.expression.position)
                }
                if let predicate {
                    // WITH ... WHERE also sees the variables from before the WITH.
                    var whereScope = scope
                    if !projection.items.contains(where: { Binder.containsAggregate($0.expression) }) {
                        for name in before.order where whereScope.kinds[name] == nil { whereScope.add(name, before.kinds[name]!) }
                    }
                    try check(predicate, whereScope, aggregatesAllowed: false)
                }
            case .return(let projection):
                scope = try bindProjection(projection, scope)
            case .create(let parts, _):
                var seen = Set<String>()
                for part in parts { try bindPattern(part, &scope, creating: true, seenRelationships: &seen) }
            }
        }
        return scopes
    }

    func bindProjection(_ p: Projection, _ scope: Scope) throws -> Scope {
        var next = Scope()
        if p.star {
            if scope.order.isEmpty && p.items.isEmpty {
                throw error("NoVariablesInScope", "RETURN * / WITH * needs at least one variable in scope", at: p.position)
            }
            for name in scope.order { next.add(name, scope.kinds[name]!); next.labels[name] = scope.labels[name] }
        }
        var names = Set<String>()
        var aggregating = false
        for item in p.items {
            try check(item.expression, scope, aggregatesAllowed: true)
            if Binder.containsAggregate(item.expression) { aggregating = true }
            guard names.insert(item.name).inserted else {
                throw error("ColumnNameConflict", "column '\(item.name)' is defined twice", at: item.expression.position)
            }
            if case .variable(let v) = item.expression.kind, let kind = scope.kinds[v] {
                next.add(item.name, kind)
                next.labels[item.name] = scope.labels[v]
            } else {
                next.add(item.name, Binder.isScalarLiteral(item.expression) ? .scalar : .value)
            }
        }
        if aggregating {
            let keys = p.items.filter { !Binder.containsAggregate($0.expression) }
            for item in p.items where Binder.containsAggregate(item.expression) {
                try checkGrouping(item.expression, keys: keys, projectedNames: [])
            }
            for s in p.orderBy where Binder.containsAggregate(s.expression) {
                try checkGrouping(s.expression, keys: keys, projectedNames: Set(p.items.map(\.name)))
            }
        }
        // ORDER BY sees the projected names and, without aggregation or DISTINCT, the old ones.
        var sortScope = next
        if !aggregating && !p.distinct {
            for name in scope.order where sortScope.kinds[name] == nil { sortScope.add(name, scope.kinds[name]!) }
        }
        // An aggregate in ORDER BY sees the rows before the projection only when the
        // projection computes the same aggregate; otherwise just the projected names.
        var projectedAggregates = Set<String>()
        for item in p.items { Binder.forEachAggregate(item.expression) { projectedAggregates.insert($0.canonical) } }
        for s in p.orderBy where aggregating {
            var foreign: [Expr] = []
            Binder.forEachAggregate(s.expression) { if !projectedAggregates.contains($0.canonical) { foreign.append($0) } }
            for call in foreign { for arg in Binder.children(call) { try check(arg, sortScope, aggregatesAllowed: false) } }
        }
        for s in p.orderBy {
            let e = aggregating || p.distinct ? s.expression.replacingProjected(p.items) : s.expression
            try check(e, sortScope, aggregatesAllowed: aggregating, insideAggregate: false, aggregateScope: aggregating ? scope : nil)
        }
        for e in [p.skip, p.limit].compactMap({ $0 }) { try checkConstant(e) }
        return next
    }

    /// Next to an aggregate, an expression may only use grouping keys that are variables
    /// or property reads (`RETURN n.x, n.x + count(*)`), never a more complex grouping
    /// expression's parts (`RETURN a + b, a + b + count(*)` is ambiguous).
    func checkGrouping(_ e: Expr, keys: [ProjectionItem], projectedNames: Set<String>) throws {
        switch e.kind {
        case .countStar: return
        case .call(let name, _, _) where Functions.isAggregate(name): return
        case .listComprehension, .quantifier: return
        case .variable(let v):
            if projectedNames.contains(v) { return }
            if keys.contains(where: { if case .variable(v) = $0.expression.kind { return true } else { return false } }) { return }
            // In ORDER BY after an aggregation, a variable the projection does not use at
            // all is out of scope; one inside a grouping expression is ambiguous.
            if !projectedNames.isEmpty, !keys.contains(where: { key in
                var names: [(String, SourcePosition)] = []
                Binder.collectVariables(key.expression, &names)
                return names.contains { $0.0 == v }
            }) {
                throw error("UndefinedVariable", "variable '\(v)' is not defined after the aggregation (project it to sort by it)", at: e.position)
            }
            throw error("AmbiguousAggregationExpression", "'\(v)' next to an aggregate must be a grouping key on its own", at: e.position)
        case .property(let base, _):
            if case .variable = base.kind, keys.contains(where: { $0.expression.canonical == e.canonical }) { return }
        default: break
        }
        for child in Binder.children(e) { try checkGrouping(child, keys: keys, projectedNames: projectedNames) }
    }

    /// SKIP and LIMIT take no variables, and a literal must be a non-negative integer
    /// (a parameter's value is checked when the query runs).
    func checkConstant(_ e: Expr) throws {
        switch e.kind {
        case .literal(.int(let i)) where i < 0:
            throw error("NegativeIntegerArgument", "SKIP and LIMIT must not be negative, got \(i)", at: e.position)
        case .literal(let v) where !v.isNull:
            if case .int = v { break }
            throw error("InvalidArgumentType", "SKIP and LIMIT need an integer, got \(v.typeName)", at: e.position)
        default: break
        }
        var variables: [(String, SourcePosition)] = []
        Binder.collectVariables(e, &variables)
        if let (name, pos) = variables.first {
            throw error("NonConstantExpression", "SKIP and LIMIT cannot use the variable '\(name)'", at: pos)
        }
    }

    static func collectVariables(_ e: Expr, _ out: inout [(String, SourcePosition)]) {
        if case .variable(let v) = e.kind { out.append((v, e.position)) }
        for child in children(e) { collectVariables(child, &out) }
    }


    func bindPattern(_ part: PatternPart, _ scope: inout Scope, creating: Bool, seenRelationships: inout Set<String>) throws {
        let before = scope
        for node in part.nodes {
            if let props = node.properties { try check(props, before, aggregatesAllowed: false) }
            for (label, pos) in zip(node.labels, node.labelPositions) { try checkLabel(label, pos) }
            guard let v = node.variable else { continue }
            if let kind = scope.kinds[v] {
                if kind != .node && kind != .value {
                    throw error("VariableTypeConflict", "'\(v)' is a \(kind) here, not a node", at: node.position)
                }
                if creating, before.kinds[v] != nil, !node.labels.isEmpty || node.properties != nil {
                    throw error("VariableAlreadyBound", "node '\(v)' already exists: CREATE cannot add labels or properties to it", at: node.position)
                }
            } else {
                scope.add(v, .node)
            }
            scope.labels[v, default: []] += node.labels
        }
        for rel in part.relationships {
            if let props = rel.properties { try check(props, before, aggregatesAllowed: false) }
            for (type, pos) in zip(rel.types, rel.typePositions) { try checkType(type, pos) }
            if creating {
                if rel.types.count != 1 {
                    throw error("NoSingleRelationshipType", "CREATE needs exactly one relationship type", at: rel.position)
                }
                if rel.direction == .both {
                    throw error("RequiresDirectedRelationship", "CREATE needs a directed relationship", at: rel.position)
                }
                if rel.length != nil {
                    throw error("CreatingVarLength", "CREATE cannot make a variable-length relationship", at: rel.position)
                }
            }
            guard let v = rel.variable else { continue }
            if !seenRelationships.insert(v).inserted {
                throw error("RelationshipUniquenessViolation", "relationship variable '\(v)' is used twice in one pattern", at: rel.position)
            }
            let kind: VariableKind = rel.length == nil ? .relationship : .relationshipList
            if let existing = scope.kinds[v] {
                if creating { throw error("VariableAlreadyBound", "variable '\(v)' is already defined", at: rel.position) }
                // A list literal may hold the relationships of a variable-length pattern.
                if existing != kind && existing != .value && !(existing == .scalar && kind == .relationshipList) {
                    throw error("VariableTypeConflict", "'\(v)' is a \(existing) here, not a relationship", at: rel.position)
                }
            }
            scope.add(v, kind)
        }
        if let p = part.pathVariable {
            if scope.kinds[p] != nil { throw error("VariableAlreadyBound", "variable '\(p)' is already defined", at: part.position) }
            scope.add(p, .path)
        }
    }

    // MARK: Ontology checks

    func checkLabel(_ label: String, _ pos: SourcePosition) throws {
        guard !ontology.isPermissive, ontology.nodeTypes[label] == nil else { return }
        throw error("UnknownLabel", "unknown label '\(label)'" + ontology.suggestion(for: label, among: Array(ontology.nodeTypes.keys)), at: pos)
    }

    func checkType(_ type: String, _ pos: SourcePosition) throws {
        guard !ontology.isPermissive, ontology.edgeTypes[type] == nil else { return }
        throw error("UnknownRelationshipType", "unknown relationship type '\(type)'" + ontology.suggestion(for: type, among: Array(ontology.edgeTypes.keys)), at: pos)
    }

    func checkProperty(_ key: String, of variable: String, _ scope: Scope, _ pos: SourcePosition) throws {
        guard !ontology.isPermissive else { return }
        var candidates = Set<String>()
        switch scope.kinds[variable] {
        case .node?:
            let labels = scope.labels[variable] ?? []
            let types = labels.isEmpty ? Array(ontology.nodeTypes.keys) : labels.flatMap { ontology.subtypes(of: $0) }
            for t in types { candidates.formUnion(ontology.properties(ofNodeType: t).keys) }
        case .relationship?:
            for t in ontology.edgeTypes.values { candidates.formUnion(t.properties.keys) }
        default:
            return
        }
        guard !candidates.contains(key) else { return }
        throw error("UnknownProperty", "unknown property '\(key)' for '\(variable)'" + ontology.suggestion(for: key, among: Array(candidates)), at: pos)
    }

    // MARK: Expressions

    /// A non-null literal, or a list or map literal: never a graph element.
    static func isScalarLiteral(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(let v): return !v.isNull
        case .list, .map: return true
        default: return false
        }
    }

    static func forEachAggregate(_ e: Expr, _ body: (Expr) -> Void) {
        switch e.kind {
        case .countStar: body(e)
        case .call(let name, _, _) where Functions.isAggregate(name): body(e)
        case .listComprehension, .quantifier: return
        default: for child in children(e) { forEachAggregate(child, body) }
        }
    }

    static func containsAggregate(_ e: Expr) -> Bool {
        switch e.kind {
        case .countStar: return true
        case .call(let name, _, _) where Functions.isAggregate(name): return true
        case .listComprehension, .quantifier: return false
        default: return children(e).contains(where: containsAggregate)
        }
    }

    static func children(_ e: Expr) -> [Expr] {
        switch e.kind {
        case .literal, .parameter, .variable, .countStar: return []
        case .property(let b, _): return [b]
        case .index(let a, let b): return [a, b]
        case .slice(let a, let b, let c): return [a] + [b, c].compactMap { $0 }
        case .list(let items): return items
        case .map(let entries): return entries.map(\.1)
        case .unary(_, let a): return [a]
        case .binary(_, let a, let b): return [a, b]
        case .isNull(let a, _): return [a]
        case .hasLabels(let a, _): return [a]
        case .call(_, _, let args): return args
        case .caseWhen(let s, let branches, let o): return [s].compactMap { $0 } + branches.flatMap { [$0.0, $0.1] } + [o].compactMap { $0 }
        case .listComprehension(_, let l, let f, let m): return [l] + [f, m].compactMap { $0 }
        case .quantifier(_, _, let l, let p): return [l] + [p].compactMap { $0 }
        case .pattern: return []
        }
    }

    /// `aggregateScope`: the scope an aggregate's argument sees, when it differs
    /// (ORDER BY after an aggregating projection: `ORDER BY count(you.age)`).
    func check(_ e: Expr, _ scope: Scope, aggregatesAllowed: Bool, insideAggregate: Bool = false, aggregateScope: Scope? = nil) throws {
        switch e.kind {
        case .variable(let v):
            if scope.kinds[v] == nil {
                throw error("UndefinedVariable", "variable '\(v)' is not defined", at: e.position)
            }
            return
        case .property(let base, let key):
            if case .variable(let v) = base.kind {
                if scope.kinds[v] == .path || scope.kinds[v] == .relationshipList {
                    throw error("InvalidArgumentType", "'\(v)' is a \(scope.kinds[v] == .path ? "path" : "list of relationships") and has no property '\(key)'", at: e.position)
                }
                try checkProperty(key, of: v, scope, e.position)
            }
        case .hasLabels(_, let labels):
            for l in labels { try checkLabel(l, e.position) }
        case .countStar:
            if !aggregatesAllowed { throw error("InvalidAggregation", "count(*) is not allowed here", at: e.position) }
            _ = aggregateScope
            if insideAggregate { throw error("NestedAggregation", "aggregates cannot be nested", at: e.position) }
            return
        case .call(let name, _, let args):
            if Functions.isAggregate(name) {
                if !aggregatesAllowed { throw error("InvalidAggregation", "aggregate \(name)() is not allowed here", at: e.position) }
                if insideAggregate { throw error("NestedAggregation", "aggregates cannot be nested", at: e.position) }
                let arity = name.hasPrefix("percentile") ? 2 : 1
                guard args.count == arity else {
                    throw error("InvalidNumberOfArguments", "\(name)() takes \(arity) argument(s)", at: e.position)
                }
                for a in args { try check(a, aggregateScope ?? scope, aggregatesAllowed: true, insideAggregate: true) }
                return
            }
            if name == "rand", insideAggregate {
                throw error("NonConstantExpression", "rand() cannot be aggregated", at: e.position)
            }
            if name == "length", args.count == 1, case .variable(let v) = args[0].kind,
               let kind = scope.kinds[v], kind == .node || kind == .relationship {
                throw error("InvalidArgumentType", "length() needs a path, but '\(v)' is a \(kind)", at: args[0].position)
            }
            guard let arity = Functions.scalars[name] else {
                throw error("UnknownFunction", "unknown function \(name)()", at: e.position)
            }
            guard args.count >= arity.0, args.count <= arity.1 else {
                throw error("InvalidNumberOfArguments", "\(name)() takes \(arity.0 == arity.1 ? "\(arity.0)" : "\(arity.0) to \(arity.1)") argument(s), got \(args.count)", at: e.position)
            }
        case .listComprehension(let v, let list, let filter, let map):
            try check(list, scope, aggregatesAllowed: aggregatesAllowed, insideAggregate: insideAggregate)
            var inner = scope
            inner.add(v, .value)
            if let filter { try check(filter, inner, aggregatesAllowed: false) }
            if let map { try check(map, inner, aggregatesAllowed: false) }
            return
        case .quantifier(_, let v, let list, let pred):
            try check(list, scope, aggregatesAllowed: aggregatesAllowed, insideAggregate: insideAggregate)
            var inner = scope
            inner.add(v, .value)
            if let pred { try check(pred, inner, aggregatesAllowed: false) }
            return
        case .pattern(let part):
            for node in part.nodes {
                if let v = node.variable, scope.kinds[v] == nil {
                    throw error("UndefinedVariable", "variable '\(v)' is not defined (pattern predicates cannot introduce variables)", at: node.position)
                }
                for (label, pos) in zip(node.labels, node.labelPositions) { try checkLabel(label, pos) }
            }
            for rel in part.relationships {
                if let v = rel.variable, scope.kinds[v] == nil {
                    throw error("UndefinedVariable", "variable '\(v)' is not defined (pattern predicates cannot introduce variables)", at: rel.position)
                }
                for (type, pos) in zip(rel.types, rel.typePositions) { try checkType(type, pos) }
            }
            return
        default: break
        }
        for child in Binder.children(e) { try check(child, scope, aggregatesAllowed: aggregatesAllowed, insideAggregate: insideAggregate, aggregateScope: aggregateScope) }
    }
}
