import Foundation
import GRDB
import GraphAlgorithms
import GraphStore
import LexgraphCore
import Ontology

/// Runs a checked query clause by clause over a bag of rows. MATCH goes to SQLite
/// (see `MatchPlanner`); projection, aggregation, ordering, UNWIND and CREATE run here.
final class Execution {
    let ast: QueryAST
    let scopes: [Binder.Scope]
    let ontology: Ontology
    let options: QueryOptions
    let graph: GraphAccess
    let writer: GraphWriter?
    let deadline: QueryDeadline
    let memory: MemoryBudget
    var evaluator: Evaluator
    var profile: [ProfileStep] = []
    /// Relationship types' frequencies, asked by the planner for unanchored patterns.
    lazy var typeFrequency = EdgeTypeFrequency(graph: graph)
    var sqlLog: [(sql: String, arguments: [DatabaseValue])] = []
    /// The SQL the MATCH plans are written in (the store's).
    let dialect: any SQLDialect
    /// The engine's adjacency cache, for native variable-length operators
    /// (`NativeTraversal`); nil in a write transaction and on a server.
    var adjacency: AdjacencyCache?
    /// The cache snapshots this query's transaction used, held until it ends.
    var adjacencySnapshots: [AdjacencyCache.Snapshot] = []
    /// The engine's kept plans of this query text under this ontology, if any: `run`
    /// plans a MATCH through them (`compiledMatch`).
    var plans: CompiledPlans?
    /// What the planner asked the store while planning: the types whose frequency it
    /// asked and the answers (a kept plan is reused only while they stay the same), and
    /// whether it checked full-text terms (such a plan depends on a value: never kept).
    var plannerAskedTypes: [[String]: Bool] = [:]
    var plannerAskedFullText = false

    init(ast: QueryAST, scopes: [Binder.Scope], ontology: Ontology, options: QueryOptions, source: GraphAccess.Source,
         writer: GraphWriter?, parameters: [String: CypherValue], deadline: QueryDeadline, dialect: any SQLDialect = SQLiteDialect()) {
        self.dialect = dialect
        self.ast = ast
        self.scopes = scopes
        self.ontology = ontology
        self.options = options
        let memory = MemoryBudget(limit: options.memoryLimit)
        self.memory = memory
        self.graph = GraphAccess(source, memory: memory)
        self.writer = writer
        self.deadline = deadline
        self.evaluator = Evaluator(parameters: parameters, graph: graph, source: ast.source, ontology: ontology, asOf: ast.asOf,
                                   deadline: deadline, memory: memory)
        self.evaluator.patternExists = { [unowned self] part, row in try self.patternExists(part, row) }
    }

    /// The SQLite transaction (CREATE runs only there so far).
    var db: Database { get throws { try graph.sqlite("CREATE") } }

    func checkTime() throws { try deadline.check() }

    func checkSize(_ count: Int) throws {
        if count > options.intermediateRowLimit {
            throw QueryError(.rowLimit, "RowLimit", "the query produced more than \(options.intermediateRowLimit) intermediate rows; narrow the pattern or raise the limit")
        }
    }

    /// Runs every clause; returns the RETURN columns and rows (none without RETURN). A
    /// memory refusal that no expression claimed (rows a clause keeps, a value nested too
    /// deep) is reported at the clause that was running.
    func run() throws -> (columns: [String], rows: [[CypherValue]]) {
        var current = 0
        do {
            return try runClauses(current: &current)
        } catch let error as QueryError where error.kind == .memoryLimit && current < ast.clauses.count {
            throw error.placed(at: Execution.position(of: ast.clauses[current]), in: ast.source)
        }
    }

    private func runClauses(current: inout Int) throws -> (columns: [String], rows: [[CypherValue]]) {
        var rows: [Bindings] = [[:]]
        var columns: [String] = []
        var result: [[CypherValue]] = []
        var skipNext = false
        for (i, clause) in ast.clauses.enumerated() {
            if skipNext { skipNext = false; continue }
            current = i
            let started = Date()
            let scope = scopes[i]
            let name: String
            switch clause {
            case .match(let optional, let parts, let predicate, _):
                name = optional ? "OPTIONAL MATCH" : "MATCH"
                let next = Execution.projection(after: i, in: ast.clauses)
                var native: NativeMatch?
                var pushedRows: (rows: [[CypherValue]], ordered: Bool, how: String)?
                var plan: MatchPlan?
                if let degree = try nativeDegree(at: i, parts, predicate, optional: optional), let next {
                    let (degreeRows, ordered) = try runNativeDegree(degree, next.projection)
                    pushedRows = (degreeRows, ordered, degree.plan.summary + "; " + Execution.cacheUse(degree.use))
                } else if let found = try nativeTraversal(at: i, parts, predicate) {
                    native = found
                    if i == 0, !optional, let next, found.plan.endBound.isEmpty, found.plan.countsOnly(next.projection) {
                        // The RETURN/WITH only counts: the traversal's counts answer it.
                        let results = try nativeEnds(found, [:], scope).map { (seed: $0.seed, ends: $0.ends) }
                        pushedRows = ([found.plan.counted(next.projection, results)], false,
                                      "counted by the traversal; " + Execution.nativeClauseName(false, found))
                    }
                } else {
                    let (matchPlan, pushed, pushedStatement) = try compiledMatch(at: i, parts, predicate, optional: optional)
                    plan = matchPlan
                    if let pushed, let next {
                        pushedRows = (try runPushed(pushed, matchPlan, next.projection, statement: pushedStatement), pushed.order != nil, "one SQL statement")
                    }
                }
                if let pushedResult = pushedRows, let next {
                    // The RETURN/WITH ran inside this MATCH's SQL (or traversal).
                    skipNext = true
                    let how = pushedResult.how
                    let names = next.projection.items.map(\.name)
                    let projected = try orderAndSlice(next.projection, names, pushedResult.rows, ordered: pushedResult.ordered)
                    if let predicate = next.predicate {
                        rows = try filterWith(names, projected, Array(repeating: nil, count: projected.count), predicate)
                    } else if case .return = ast.clauses[i + 1] {
                        columns = names
                        result = projected
                        rows = []
                    } else {
                        rows = projected.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }
                    }
                    profile.append(ProfileStep(clause: name + " + " + Execution.clauseName(ast.clauses[i + 1]) + " (\(how))",
                                               rows: rows.count + result.count, seconds: Date().timeIntervalSince(started)))
                    try checkTime()
                    if !rows.isEmpty { try memory.restart(with: rows) }
                    continue
                }
                if let native {
                    rows = try nativeMatch(native, optional: optional, rows, scope, parts: parts)
                    profile.append(ProfileStep(clause: Execution.nativeClauseName(optional, native),
                                               rows: rows.count, seconds: Date().timeIntervalSince(started)))
                    try checkTime()
                    try memory.restart(with: rows)
                    continue
                }
                rows = try match(plan!, parts, optional: optional, rows, scope)
            case .unwind(let e, let alias, _):
                name = "UNWIND"
                rows = try unwind(e, alias, rows)
            case .with(let p, let predicate):
                name = "WITH"
                let (names, projected, sources) = try project(p, rows, scope)
                if let predicate {
                    rows = try filterWith(names, projected, sources, predicate)
                } else {
                    rows = projected.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }
                }
            case .return(let p):
                name = "RETURN"
                let (names, projected, _) = try project(p, rows, scope)
                columns = names
                result = projected
                rows = []
            case .create(let parts, _):
                name = "CREATE"
                rows = try create(parts, rows)
            }
            profile.append(ProfileStep(clause: name, rows: rows.count + result.count, seconds: Date().timeIntervalSince(started)))
            try checkTime()
            // The previous bag is freed; what the query holds now is this clause's rows
            // (after RETURN, its result, counted while it was projected).
            if case .return = clause {} else { try memory.restart(with: rows) }
        }
        if result.count > options.rowLimit {
            throw QueryError(.rowLimit, "RowLimit", "the result has more than \(options.rowLimit) rows; add LIMIT or raise the row limit")
        }
        return (columns, result)
    }

    /// Where `clause` starts in the query text.
    static func position(of clause: Clause) -> SourcePosition {
        switch clause {
        case .match(_, _, _, let position), .unwind(_, _, let position), .create(_, let position): return position
        case .with(let projection, _), .return(let projection): return projection.position
        }
    }

    /// WITH ... WHERE: the projected rows whose predicate holds (the source rows behind
    /// them, where kept, are visible to the predicate too).
    func filterWith(_ names: [String], _ projected: [[CypherValue]], _ sources: [Bindings?], _ predicate: Expr) throws -> [Bindings] {
        // One copy of the evaluator (a struct of references) for the loop, not one per row.
        let evaluator = self.evaluator
        var kept: [Bindings] = []
        for (values, source) in zip(projected, sources) {
            try deadline.step()
            let row = Dictionary(uniqueKeysWithValues: zip(names, values))
            var env = source ?? [:]
            for (k, v) in row { env[k] = v }
            if try evaluator.isTrue(predicate, env) { kept.append(row) }
            memory.endRow()
        }
        return kept
    }

    /// The RETURN or WITH (with its WHERE) right after clause `i`, if that is one.
    static func projection(after i: Int, in clauses: [Clause]) -> (projection: Projection, predicate: Expr?)? {
        guard i + 1 < clauses.count else { return nil }
        switch clauses[i + 1] {
        case .return(let p): return (p, nil)
        case .with(let p, let predicate): return (p, predicate)
        default: return nil
        }
    }

    // MARK: MATCH

    func planner(_ scope: Binder.Scope, duplicateInsensitive: Bool = false, parameters: [String: CypherValue]? = nil) -> MatchPlanner {
        var planner = MatchPlanner(ontology: ontology, asOf: ast.asOf, unboundedLimit: options.unboundedPathLimit,
                                   parameters: parameters ?? evaluator.parameters, source: ast.source, bound: scope.kinds, dialect: dialect)
        planner.duplicateInsensitive = duplicateInsensitive
        planner.isCommonType = { [unowned self, typeFrequency] types in
            let answer = try typeFrequency.isCommon(types)
            self.plannerAskedTypes[types] = answer
            return answer
        }
        planner.fullTextError = { [unowned self, graph] terms in
            self.plannerAskedFullText = true
            return try graph.fullTextSyntaxError(terms)
        }
        return planner
    }

    func match(_ plan: MatchPlan, _ parts: [PatternPart], optional: Bool, _ input: [Bindings], _ scope: Binder.Scope) throws -> [Bindings] {
        let newVariables = Set(MatchPlanner.variables(of: parts)).subtracting(scope.kinds.keys)
        var output: [Bindings] = []
        if plan.boundVariables.isEmpty {
            let matches = try runPlan(plan, [:])
            // Held for the whole clause.
            for m in matches { try memory.keep(row: m) }
            memory.endRow()
            for row in input {
                var any = false
                for m in matches {
                    var merged = row
                    for (k, v) in m { merged[k] = v }
                    try deadline.step()
                    guard try passes(plan, merged) else { continue }
                    any = true
                    let kept = strip(merged)
                    try memory.keep(row: kept)
                    output.append(kept)
                }
                if optional && !any { output.append(nullFilled(row, newVariables)) }
                try checkSize(output.count)
                memory.endRow()
            }
        } else {
            for row in input {
                var any = false
                if plan.boundVariables.allSatisfy({ elementId(row[$0]) != nil }) {
                    for m in try runPlan(plan, row) {
                        var merged = row
                        for (k, v) in m { merged[k] = v }
                        guard try passes(plan, merged) else { continue }
                        any = true
                        let kept = strip(merged)
                        try memory.keep(row: kept)
                        output.append(kept)
                    }
                }
                if optional && !any { output.append(nullFilled(row, newVariables)) }
                try checkSize(output.count)
                try checkTime()
                memory.endRow()
            }
        }
        return output
    }

    func nullFilled(_ row: Bindings, _ names: Set<String>) -> Bindings {
        var r = row
        for n in names { r[n] = .null }
        return r
    }

    func strip(_ row: Bindings) -> Bindings {
        row.filter { !$0.key.hasPrefix(MatchPlanner.hiddenPrefix) }
    }

    func elementId(_ v: CypherValue?) -> Int64? {
        switch v {
        case .node(let id)?, .relationship(let id)?: return id
        default: return nil
        }
    }

    /// Residual predicates and edge-distinctness across variable-length relationships.
    func passes(_ plan: MatchPlan, _ row: Bindings) throws -> Bool {
        // What the predicates build is garbage once they have answered.
        let mark = memory.transient
        defer { memory.transient = mark }
        for e in plan.residual where try !evaluator.isTrue(e, row) { return false }
        return true
    }

    /// The plan of the MATCH at clause `i` (duplicate-insensitive when the RETURN/WITH
    /// after it ignores multiplicity) and, for a first non-optional MATCH, that RETURN/WITH
    /// as part of the same SQL statement when `SQLProjection` says SQL computes it exactly.
    func planMatch(at i: Int, _ parts: [PatternPart], _ predicate: Expr?, optional: Bool,
                   parameters: [String: CypherValue]? = nil) throws -> (plan: MatchPlan, pushed: SQLProjection?) {
        let next = Execution.projection(after: i, in: ast.clauses)
        var planner = planner(scopes[i], duplicateInsensitive: next.map { SQLProjection.ignoresMultiplicity($0.projection) } ?? false,
                              parameters: parameters)
        let plan = try planner.plan(parts, where: predicate)
        guard i == 0, !optional, let next, plan.boundVariables.isEmpty else { return (plan, nil) }
        return (plan, SQLProjection(next.projection, after: plan))
    }

    /// Runs a pushed-down projection's statement; its rows, ordered and sliced when
    /// `projection.order` is set.
    func runPushed(_ projection: SQLProjection, _ plan: MatchPlan, _ p: Projection, statement: (String, [DatabaseValue])? = nil) throws -> [[CypherValue]] {
        let (sql, arguments) = try statement ?? pushedSQL(projection, plan, p)
        if options.logSQL { sqlLog.append((sql, arguments)) }
        switch graph.source {
        case .sqlite(let db):
            let cursor = try plan.positioningErrors(source: ast.source) {
                try Row.fetchCursor(try db.cachedStatement(sql: sql), arguments: StatementArguments(bound: arguments))
            }
            return try collectPushed(projection) { try cursor.next() }
        case .remote(let remote):
            var rows = try plan.positioningErrors(source: ast.source) { try remote.rows(sql, arguments: arguments) }.makeIterator()
            return try collectPushed(projection) { rows.next() }
        }
    }

    private func collectPushed<R: ResultRow>(_ projection: SQLProjection, _ next: () throws -> R?) throws -> [[CypherValue]] {
        var out: [[CypherValue]] = []
        while let row = try next() {
            let values = projection.values(row)
            try memory.keep(values: values)
            out.append(values)
            if out.count % 1024 == 0 { try checkSize(out.count); try checkTime() }
        }
        return out
    }

    func pushedSQL(_ projection: SQLProjection, _ plan: MatchPlan, _ p: Projection) throws -> (String, [DatabaseValue]) {
        let (sql, arguments) = try pushedStatement(projection, plan, p)
        return (sql, Execution.values(arguments))
    }

    /// A pushed projection's statement, SKIP and LIMIT evaluated with `parameters` (by
    /// default the query's).
    func pushedStatement(_ projection: SQLProjection, _ plan: MatchPlan, _ p: Projection,
                         parameters: [String: CypherValue]? = nil) throws -> (sql: String, arguments: [SQLArgument]) {
        let statement = projection.sql(plan, distinct: p.distinct, limit: try p.limit.map { try count($0, "LIMIT", parameters: parameters) },
                                       skip: try p.skip.map { try count($0, "SKIP", parameters: parameters) })
        return statement.rendered(for: plan.dialect)
    }

    /// A pushed projection follows a MATCH with no bound variables: no slots.
    static func values(_ arguments: [SQLArgument]) -> [DatabaseValue] {
        arguments.compactMap { a -> DatabaseValue? in
            if case .value(let v) = a { return v }
            return nil
        }
    }

    /// `planMatch` for a run: from the engine's kept plans when this clause has been
    /// planned before with parameters of the same signature (its arguments filled from
    /// this run's parameters), else planned now and, when the plan depends on the
    /// parameters only through their arguments, kept (`CompiledPlans`). With a pushed
    /// projection, also its statement with this run's arguments.
    func compiledMatch(at i: Int, _ parts: [PatternPart], _ predicate: Expr?, optional: Bool)
        throws -> (plan: MatchPlan, pushed: SQLProjection?, pushedStatement: (String, [DatabaseValue])?) {
        let parameters = evaluator.parameters
        guard let plans else {
            let (plan, pushed) = try planMatch(at: i, parts, predicate, optional: optional)
            return (plan, pushed, nil)
        }
        let key = CompiledPlans.Key(clause: i, unboundedLimit: options.unboundedPathLimit, parameters)
        switch plans.lookup(key) {
        case .some(.some(let match)) where try match.commonTypes.allSatisfy({ try typeFrequency.isCommon($0.key) == $0.value }):
            var plan = match.plan
            plan.statement = RenderedStatement(sql: match.statement.sql, arguments: match.statement.arguments(parameters), dialect: plan.dialect)
            let pushedStatement = match.pushedStatement.map { ($0.sql, Execution.values($0.arguments(parameters))) }
            plans.note(reused: true)
            return (plan, match.pushed, pushedStatement)
        case .some(.none):
            plans.note(reused: false)
            let (plan, pushed) = try planMatch(at: i, parts, predicate, optional: optional)
            return (plan, pushed, nil)
        default:
            // Unseen, or kept under other answers about the data: planned (and kept) again.
            break
        }
        plans.note(reused: false)
        let next = Execution.projection(after: i, in: ast.clauses)
        plannerAskedTypes = [:]
        plannerAskedFullText = false
        /// The plan, its statement and the pushed statement under `values`.
        func planned(_ values: [String: CypherValue]) throws -> (MatchPlan, SQLProjection?, (String, [SQLArgument]), (String, [SQLArgument])?) {
            let (plan, pushed) = try planMatch(at: i, parts, predicate, optional: optional, parameters: values)
            let statement = try pushed.flatMap { pushed in try next.map { try self.pushedStatement(pushed, plan, $0.projection, parameters: values) } }
            return (plan, pushed, plan.statement.value, statement)
        }
        let real = try planned(parameters)
        var kept: CompiledPlans.Match?
        let askedTypes = plannerAskedTypes
        if !plannerAskedFullText {
            let sentinels = Sentinels(parameters)
            if let a = try? planned(sentinels.parametersA), let b = try? planned(sentinels.parametersB),
               !plannerAskedFullText, plannerAskedTypes == askedTypes,
               (a.1 == nil) == (real.1 == nil), (b.1 == nil) == (real.1 == nil), (real.3 == nil) == (a.3 == nil), (a.3 == nil) == (b.3 == nil),
               a.0.residual.count == real.0.residual.count, b.0.residual.count == real.0.residual.count,
               let statement = CompiledPlans.recipe(real: real.2, a: a.2, b: b.2, parameters: parameters, sentinels: sentinels) {
                var pushedRecipe: CompiledPlans.Statement?
                var consistent = true
                if let r = real.3, let x = a.3, let y = b.3 {
                    pushedRecipe = CompiledPlans.recipe(real: r, a: x, b: y, parameters: parameters, sentinels: sentinels)
                    consistent = pushedRecipe != nil
                }
                if consistent {
                    kept = CompiledPlans.Match(plan: real.0, statement: statement, pushed: real.1, pushedStatement: pushedRecipe,
                                               commonTypes: askedTypes)
                }
            }
        }
        plans.store(key, kept)
        return (real.0, real.1, real.3.map { ($0.0, Execution.values($0.1)) })
    }

    /// Executes the plan's SQL for one input row; returns the bindings it adds.
    func runPlan(_ plan: MatchPlan, _ row: Bindings) throws -> [Bindings] {
        var arguments: [DatabaseValue] = []
        for a in plan.arguments {
            switch a {
            case .value(let v): arguments.append(v)
            case .slot(let name): arguments.append(elementId(row[name]).map { $0.databaseValue } ?? .null)
            }
        }
        if options.logSQL { sqlLog.append((plan.sql, arguments)) }
        switch graph.source {
        case .sqlite(let db):
            let cursor = try plan.positioningErrors(source: ast.source) {
                try Row.fetchCursor(try db.cachedStatement(sql: plan.sql), arguments: StatementArguments(bound: arguments))
            }
            return try collect(plan) { try cursor.next() }
        case .remote(let remote):
            var rows = try plan.positioningErrors(source: ast.source) { try remote.rows(plan.sql, arguments: arguments) }.makeIterator()
            return try collect(plan) { rows.next() }
        }
    }

    /// The bindings of each row a plan's statement returned.
    private func collect<R: ResultRow>(_ plan: MatchPlan, _ next: () throws -> R?) throws -> [Bindings] {
        var out: [Bindings] = []
        var count = 0
        while let r = try next() {
            count += 1
            if count % 1024 == 0 { try checkTime() }
            var b = Bindings()
            var relIds: [Int64] = []
            var values: [CypherValue] = []
            for (i, column) in plan.columns.enumerated() {
                switch column {
                case .node(let name, let alias):
                    let v = CypherValue.node(r.int64(i))
                    values.append(v)
                    b[MatchPlanner.hiddenPrefix + alias] = v
                    if let name { b[name] = v }
                case .relationship(let name, let alias):
                    let id = r.int64(i)
                    relIds.append(id)
                    let v = CypherValue.relationship(id)
                    values.append(v)
                    b[MatchPlanner.hiddenPrefix + alias] = v
                    if let name { b[name] = v }
                case .path(let name, _):
                    let ids = r.string(i).split(separator: ",").compactMap { Int64($0) }
                    relIds += ids
                    let v = CypherValue.list(ids.map(CypherValue.relationship))
                    values.append(v)
                    if let name { b[name] = v }
                }
            }
            // Trail semantics across the whole MATCH (SQL covers the common cases).
            if plan.needsTrailCheck, Set(relIds).count != relIds.count { continue }
            for part in plan.parts {
                guard let pathName = part.pathVariable else { continue }
                b[pathName] = try assemblePath(part, values)
            }
            // Until the caller keeps it (or drops it with the input row).
            try memory.reserve(MemoryBudget.dictionaryBytes(count: b.count) + (relIds.isEmpty ? 0 : 8 * relIds.count))
            out.append(b)
            try checkSize(out.count)
        }
        return out
    }

    /// Builds a path value from a part's node ids and relationship (list) values.
    func assemblePath(_ part: MatchPlan.PartLayout, _ values: [CypherValue]) throws -> CypherValue {
        guard case .node(var current) = values[part.nodeColumns[0]] else { return .null }
        var nodes = [current]
        var rels: [Int64] = []
        for (i, rel) in part.relColumns.enumerated() {
            switch values[rel.index] {
            case .relationship(let id):
                rels.append(id)
                guard case .node(let next) = values[part.nodeColumns[i + 1]] else { return .null }
                current = next
                nodes.append(next)
            case .list(let items):
                for case .relationship(let id) in items {
                    let r = try graph.relationship(id)
                    current = r.start == current ? r.end : r.start
                    rels.append(id)
                    nodes.append(current)
                }
            default: return .null
            }
        }
        return .path(nodes: nodes, relationships: rels)
    }

    /// A pattern predicate in an expression: does it match with the row's bindings?
    func patternExists(_ part: PatternPart, _ row: Bindings) throws -> Bool {
        var kinds: [String: VariableKind] = [:]
        for (k, v) in row {
            switch v {
            case .node: kinds[k] = .node
            case .relationship: kinds[k] = .relationship
            default: kinds[k] = .value
            }
        }
        var p = MatchPlanner(ontology: ontology, asOf: ast.asOf, unboundedLimit: options.unboundedPathLimit,
                             parameters: evaluator.parameters, source: ast.source, bound: kinds, dialect: dialect)
        let plan = try p.plan([part], where: nil)
        guard plan.boundVariables.allSatisfy({ elementId(row[$0]) != nil }) else { return false }
        for m in try runPlan(plan, row) {
            var merged = row
            for (k, v) in m { merged[k] = v }
            if try passes(plan, merged) { return true }
        }
        return false
    }

    // MARK: UNWIND

    func unwind(_ e: Expr, _ alias: String, _ input: [Bindings]) throws -> [Bindings] {
        // One copy of the evaluator (a struct of references) for the loop, not one per row.
        let evaluator = self.evaluator
        var out: [Bindings] = []
        for row in input {
            try deadline.step()
            let v = try evaluator.evaluate(e, row)
            switch v {
            case .null: break
            case .list(let items):
                for item in items {
                    try deadline.step()
                    var r = row
                    r[alias] = item
                    // The other values are the input row's, counted already.
                    try memory.keep(row: r, adding: item)
                    out.append(r)
                }
            default:
                var r = row
                r[alias] = v
                try memory.keep(row: r, adding: v)
                out.append(r)
            }
            try checkSize(out.count)
            memory.endRow()
        }
        return out
    }
}

extension MatchPlanner {
    /// Every variable a pattern list names.
    static func variables(of parts: [PatternPart]) -> [String] {
        var out: [String] = []
        for part in parts {
            if let p = part.pathVariable { out.append(p) }
            out += part.nodes.compactMap(\.variable)
            out += part.relationships.compactMap(\.variable)
        }
        return out
    }
}

/// A result row of a compiled statement, read by column position: GRDB's `Row` (SQLite)
/// or the values a server returned (`RemoteGraph.rows`).
protocol ResultRow {
    func int64(_ i: Int) -> Int64
    func string(_ i: Int) -> String
}

extension Row: ResultRow {
    @inline(__always) func int64(_ i: Int) -> Int64 { self[i] }
    @inline(__always) func string(_ i: Int) -> String { self[i] }
}

extension Array: ResultRow where Element == DatabaseValue {
    func int64(_ i: Int) -> Int64 { Int64.fromDatabaseValue(self[i]) ?? 0 }
    func string(_ i: Int) -> String { String.fromDatabaseValue(self[i]) ?? "" }
}

extension StatementArguments {
    /// Positional arguments. GRDB's generic initializer maps its sequence with a key path,
    /// which the runtime instantiates on every call: 5% of a one-hop query's time.
    init(bound values: [DatabaseValue]) {
        self.init(values.map { $0 as (any DatabaseValueConvertible)? })
    }
}

