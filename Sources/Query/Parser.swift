import LexgraphCore

/// Recursive-descent parser from tokens to `QueryAST`. Never traps on any input: every
/// problem is a `QueryError` (kind `.syntax`) at the offending token. Nesting depth is
/// capped so hostile input cannot exhaust the stack.
public struct Parser {
    let source: String
    let chars: [Character]
    var tokens: [Token]
    var index = 0
    var depth = 0
    static let maxDepth = 200

    public init(_ source: String) throws {
        self.source = source
        self.chars = Array(source)
        self.tokens = try Lexer.tokenize(source)
    }

    public static func parse(_ source: String) throws -> QueryAST {
        var parser = try Parser(source)
        return try parser.parseQuery()
    }

    // MARK: Token helpers

    var current: Token { tokens[min(index, tokens.count - 1)] }
    func peekToken(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    func error(_ message: String, at token: Token? = nil, code: String = "UnexpectedSyntax") -> QueryError {
        QueryError(.syntax, code, message, at: (token ?? current).position, in: source)
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier(let s, _): return "'\(s)'"
        case .integer(let s), .float(let s): return s
        case .string: return "a string"
        case .parameter(let s): return "$\(s)"
        case .symbol(let s): return "'\(s)'"
        case .end: return "the end of the query"
        }
    }

    func isKeyword(_ word: String, _ offset: Int = 0) -> Bool {
        if case .identifier(let s, let quoted) = peekToken(offset).kind, !quoted { return s.uppercased() == word }
        return false
    }

    func isSymbol(_ s: String, _ offset: Int = 0) -> Bool {
        if case .symbol(let t) = peekToken(offset).kind { return t == s }
        return false
    }

    mutating func accept(_ word: String) -> Bool {
        if isKeyword(word) { index += 1; return true }
        return false
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        if isSymbol(s) { index += 1; return true }
        return false
    }

    mutating func expect(_ word: String) throws {
        guard accept(word) else { throw error("expected \(word) but found \(describe(current))") }
    }

    mutating func expectSymbol(_ s: String) throws {
        guard acceptSymbol(s) else { throw error("expected '\(s)' but found \(describe(current))") }
    }

    mutating func name(_ what: String) throws -> String {
        if case .identifier(let s, _) = current.kind { index += 1; return s }
        throw error("expected \(what) but found \(describe(current))")
    }

    func text(from start: Int, to end: Int) -> String {
        guard start < end, end <= chars.count else { return "" }
        return String(chars[start..<end])
    }

    static let reserved: Set<String> = ["MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "ORDER", "BY", "SKIP", "LIMIT",
        "UNWIND", "CREATE", "AS", "DISTINCT", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE",
        "CASE", "WHEN", "THEN", "ELSE", "END", "STARTS", "ENDS", "CONTAINS", "ASC", "DESC", "ASCENDING",
        "DESCENDING", "UNION", "DELETE", "SET", "REMOVE", "MERGE", "CALL", "YIELD", "DETACH", "EXPLAIN", "PROFILE"]

    // MARK: Query

    public mutating func parseQuery() throws -> QueryAST {
        var mode = QueryMode.run
        if accept("EXPLAIN") { mode = .explain } else if accept("PROFILE") { mode = .profile }
        var asOf = try parseAsOf()
        var clauses: [Clause] = []
        while true {
            if current.kind == .end || isSymbol(";") || isKeyword("AS") { break }
            clauses.append(try parseClause())
        }
        if asOf == nil { asOf = try parseAsOf() }
        _ = acceptSymbol(";")
        guard current.kind == .end else { throw error("unexpected \(describe(current)) after the end of the query") }
        guard !clauses.isEmpty else { throw error("empty query: expected MATCH, UNWIND, WITH, RETURN or CREATE") }
        try checkClauseOrder(clauses)
        return QueryAST(mode: mode, asOf: asOf, clauses: clauses, source: source)
    }

    mutating func parseAsOf() throws -> LegalDate? {
        guard isKeyword("AS"), isKeyword("OF", 1) else { return nil }
        index += 2
        let token = current
        guard case .string(let s) = token.kind else { throw error("expected a date string 'YYYY-MM-DD' after AS OF") }
        index += 1
        guard let date = LegalDate(iso: s) else { throw error("AS OF needs an ISO date 'YYYY-MM-DD', got '\(s)'", at: token) }
        return date
    }

    func checkClauseOrder(_ clauses: [Clause]) throws {
        for (i, clause) in clauses.enumerated() {
            let last = i == clauses.count - 1
            switch clause {
            case .return(let p):
                if !last { throw QueryError(.syntax, "UnexpectedSyntax", "RETURN must be the last clause", at: p.position, in: source) }
            case .create: break
            case .match(_, _, _, let pos), .unwind(_, _, let pos):
                if last { throw QueryError(.syntax, "MissingReturn", "a query cannot end with MATCH or UNWIND: add RETURN", at: pos, in: source) }
            case .with(let p, _):
                if last { throw QueryError(.syntax, "MissingReturn", "a query cannot end with WITH: add RETURN", at: p.position, in: source) }
            }
        }
    }

    mutating func parseClause() throws -> Clause {
        let token = current
        if accept("OPTIONAL") {
            try expect("MATCH")
            return try parseMatch(optional: true, token.position)
        }
        if accept("MATCH") { return try parseMatch(optional: false, token.position) }
        if accept("UNWIND") {
            let e = try parseExpression()
            try expect("AS")
            let v = try variableName()
            return .unwind(e, v, token.position)
        }
        if accept("WITH") {
            let p = try parseProjection(token.position, isWith: true)
            let w: Expr? = accept("WHERE") ? try parseExpression() : nil
            return .with(p, where: w)
        }
        if accept("RETURN") { return .return(try parseProjection(token.position, isWith: false)) }
        if accept("CREATE") { return .create(try parsePatternList(), token.position) }
        if case .identifier(let word, false) = token.kind,
           ["DELETE", "SET", "REMOVE", "MERGE", "CALL", "DETACH", "FOREACH", "UNION", "LOAD"].contains(word.uppercased()) {
            throw QueryError(.unsupported, "UnsupportedClause", "\(word.uppercased()) is not supported by this Cypher-like dialect (read-only plus CREATE)", at: token.position, in: source)
        }
        throw error("expected a clause (MATCH, OPTIONAL MATCH, UNWIND, WITH, RETURN, CREATE) but found \(describe(token))")
    }

    mutating func parseMatch(optional: Bool, _ position: SourcePosition) throws -> Clause {
        let patterns = try parsePatternList()
        let w: Expr? = accept("WHERE") ? try parseExpression() : nil
        return .match(optional: optional, patterns, where: w, position)
    }

    mutating func variableName() throws -> String {
        let token = current
        guard case .identifier(let s, let quoted) = token.kind else { throw error("expected a variable name but found \(describe(token))") }
        if !quoted && Parser.reserved.contains(s.uppercased()) { throw error("expected a variable name but found the keyword \(s.uppercased())") }
        index += 1
        return s
    }

    // MARK: Projections

    mutating func parseProjection(_ position: SourcePosition, isWith: Bool) throws -> Projection {
        let distinct = accept("DISTINCT")
        var star = false
        var items: [ProjectionItem] = []
        if acceptSymbol("*") {
            star = true
            if acceptSymbol(",") { items = try parseProjectionItems(isWith: isWith) }
        } else {
            items = try parseProjectionItems(isWith: isWith)
        }
        var orderBy: [SortItem] = []
        if accept("ORDER") {
            try expect("BY")
            repeat {
                let start = current.start
                let e = try parseExpression()
                let text = self.text(from: start, to: tokens[index - 1].end)
                var ascending = true
                if accept("DESC") || accept("DESCENDING") { ascending = false } else { _ = accept("ASC") || accept("ASCENDING") }
                orderBy.append(SortItem(expression: e, text: text, ascending: ascending))
            } while acceptSymbol(",")
        }
        let skip: Expr? = accept("SKIP") ? try parseExpression() : nil
        let limit: Expr? = accept("LIMIT") ? try parseExpression() : nil
        return Projection(distinct: distinct, star: star, items: items, orderBy: orderBy, skip: skip, limit: limit, position: position)
    }

    mutating func parseProjectionItems(isWith: Bool) throws -> [ProjectionItem] {
        var items: [ProjectionItem] = []
        repeat {
            let start = current.start
            let e = try parseExpression()
            let text = self.text(from: start, to: tokens[index - 1].end)
            var alias: String?
            if accept("AS") { alias = try variableName() }
            if isWith, alias == nil, case .variable = e.kind {} else if isWith, alias == nil {
                throw QueryError(.syntax, "NoExpressionAlias", "an expression in WITH must be aliased (use AS)", at: e.position, in: source)
            }
            items.append(ProjectionItem(expression: e, alias: alias, text: text))
        } while acceptSymbol(",")
        return items
    }

    // MARK: Patterns

    mutating func parsePatternList() throws -> [PatternPart] {
        var parts: [PatternPart] = []
        repeat { parts.append(try parsePatternPart()) } while acceptSymbol(",")
        return parts
    }

    mutating func parsePatternPart() throws -> PatternPart {
        let position = current.position
        var pathVariable: String?
        if case .identifier = current.kind, isSymbol("=", 1) {
            pathVariable = try variableName()
            index += 1
        }
        var part = try parsePatternChain()
        part.pathVariable = pathVariable
        part.position = position
        return part
    }

    mutating func parsePatternChain() throws -> PatternPart {
        let position = current.position
        var nodes = [try parseNodePattern()]
        var rels: [RelationshipPattern] = []
        while isSymbol("-") || (isSymbol("<") && isSymbol("-", 1)) {
            rels.append(try parseRelationshipPattern())
            nodes.append(try parseNodePattern())
        }
        return PatternPart(pathVariable: nil, nodes: nodes, relationships: rels, position: position)
    }

    mutating func parseNodePattern() throws -> NodePattern {
        let position = current.position
        try expectSymbol("(")
        var variable: String?
        if case .identifier = current.kind { variable = try variableName() }
        var labels: [String] = [], positions: [SourcePosition] = []
        while acceptSymbol(":") {
            positions.append(current.position)
            labels.append(try name("a label"))
        }
        var props: Expr?
        if isSymbol("{") { props = try parseMapLiteral() } else if case .parameter = current.kind {
            props = try parseAtom()
        }
        try expectSymbol(")")
        return NodePattern(variable: variable, labels: labels, labelPositions: positions, properties: props, position: position)
    }

    mutating func parseRelationshipPattern() throws -> RelationshipPattern {
        let position = current.position
        var leftArrow = false
        if acceptSymbol("<") { leftArrow = true }
        try expectSymbol("-")
        var variable: String?
        var types: [String] = [], positions: [SourcePosition] = []
        var props: Expr?
        var length: (min: Int?, max: Int?)?
        if acceptSymbol("[") {
            if case .identifier = current.kind { variable = try variableName() }
            if acceptSymbol(":") {
                repeat {
                    _ = acceptSymbol(":")
                    positions.append(current.position)
                    types.append(try name("a relationship type"))
                } while acceptSymbol("|")
            }
            if acceptSymbol("*") {
                var lo: Int?, hi: Int?
                if case .integer = current.kind { lo = try rangeBound() }
                if acceptSymbol("..") {
                    if case .integer = current.kind { hi = try rangeBound() }
                } else if lo != nil {
                    hi = lo
                }
                length = (lo, hi)
            }
            if isSymbol("{") { props = try parseMapLiteral() } else if case .parameter = current.kind { props = try parseAtom() }
            try expectSymbol("]")
        }
        try expectSymbol("-")
        let rightArrow = acceptSymbol(">")
        // `<-->` is undirected, like `--`.
        let direction: Direction = leftArrow == rightArrow ? .both : (leftArrow ? .incoming : .outgoing)
        return RelationshipPattern(variable: variable, types: types, typePositions: positions, properties: props,
                                   direction: direction, length: length, position: position)
    }

    mutating func rangeBound() throws -> Int {
        let token = current
        guard case .integer(let s) = token.kind, let v = Int(s) else { throw error("expected a path length") }
        index += 1
        return v
    }

    // MARK: Expressions (lowest to highest precedence)

    public mutating func parseExpression() throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Parser.maxDepth else { throw error("expression nested too deeply") }
        return try parseOr()
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseXor()
        while isKeyword("OR") { let p = current.position; index += 1; left = Expr(.binary(.or, left, try parseXor()), p) }
        return left
    }

    mutating func parseXor() throws -> Expr {
        var left = try parseAnd()
        while isKeyword("XOR") { let p = current.position; index += 1; left = Expr(.binary(.xor, left, try parseAnd()), p) }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isKeyword("AND") { let p = current.position; index += 1; left = Expr(.binary(.and, left, try parseNot()), p) }
        return left
    }

    mutating func parseNot() throws -> Expr {
        if isKeyword("NOT") {
            let p = current.position
            index += 1
            depth += 1
            defer { depth -= 1 }
            guard depth < Parser.maxDepth else { throw error("expression nested too deeply") }
            return Expr(.unary(.not, try parseNot()), p)
        }
        return try parseComparison()
    }

    mutating func comparisonOp() -> BinaryOp? {
        guard case .symbol(let s) = current.kind else { return nil }
        switch s {
        case "=": return .eq
        case "<>", "!=": return .ne
        case "<": return isSymbol("-", 1) ? nil : .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }

    /// `a < b < c` means `a < b AND b < c`.
    mutating func parseComparison() throws -> Expr {
        let first = try parsePredicates()
        var result: Expr?
        var left = first
        while let op = comparisonOp() {
            let p = current.position
            index += 1
            let right = try parsePredicates()
            let cmp = Expr(.binary(op, left, right), p)
            result = result.map { Expr(.binary(.and, $0, cmp), p) } ?? cmp
            left = right
        }
        return result ?? first
    }

    mutating func parsePredicates() throws -> Expr {
        var left = try parseAdditive()
        while true {
            let p = current.position
            if isKeyword("STARTS") && isKeyword("WITH", 1) { index += 2; left = Expr(.binary(.startsWith, left, try parseAdditive()), p) }
            else if isKeyword("ENDS") && isKeyword("WITH", 1) { index += 2; left = Expr(.binary(.endsWith, left, try parseAdditive()), p) }
            else if accept("CONTAINS") { left = Expr(.binary(.contains, left, try parseAdditive()), p) }
            else if accept("IN") { left = Expr(.binary(.in, left, try parseAdditive()), p) }
            else if acceptSymbol("=~") { left = Expr(.binary(.regex, left, try parseAdditive()), p) }
            else if isKeyword("IS") {
                index += 1
                let negated = accept("NOT")
                try expect("NULL")
                left = Expr(.isNull(left, negated: negated), p)
            } else { return left }
        }
    }

    mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        while true {
            let p = current.position
            if acceptSymbol("+") { left = Expr(.binary(.add, left, try parseMultiplicative()), p) }
            else if isSymbol("-") && !isPatternArrowAhead() { index += 1; left = Expr(.binary(.sub, left, try parseMultiplicative()), p) }
            else { return left }
        }
    }

    func isPatternArrowAhead() -> Bool { false }

    mutating func parseMultiplicative() throws -> Expr {
        var left = try parsePower()
        while true {
            let p = current.position
            if acceptSymbol("*") { left = Expr(.binary(.mul, left, try parsePower()), p) }
            else if acceptSymbol("/") { left = Expr(.binary(.div, left, try parsePower()), p) }
            else if acceptSymbol("%") { left = Expr(.binary(.mod, left, try parsePower()), p) }
            else { return left }
        }
    }

    mutating func parsePower() throws -> Expr {
        var left = try parseUnary()
        while isSymbol("^") { let p = current.position; index += 1; left = Expr(.binary(.pow, left, try parseUnary()), p) }
        return left
    }

    mutating func parseUnary() throws -> Expr {
        let p = current.position
        if acceptSymbol("-") {
            depth += 1
            defer { depth -= 1 }
            guard depth < Parser.maxDepth else { throw error("expression nested too deeply") }
            // Fold `-<integer literal>` so that -9223372036854775808 is representable.
            if case .integer(let s) = current.kind {
                let save = index
                index += 1
                if !isSymbol(".") && !isSymbol("[") && !isSymbol("^") {
                    return Expr(.literal(try integerLiteral("-" + s, at: tokens[save])), p)
                }
                index = save
            }
            return Expr(.unary(.minus, try parseUnary()), p)
        }
        if acceptSymbol("+") {
            depth += 1
            defer { depth -= 1 }
            guard depth < Parser.maxDepth else { throw error("expression nested too deeply") }
            return Expr(.unary(.plus, try parseUnary()), p)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws -> Expr {
        var e = try parseAtom()
        while true {
            let p = current.position
            if acceptSymbol(".") {
                e = Expr(.property(e, try name("a property name")), p)
            } else if acceptSymbol("[") {
                var lo: Expr?, hi: Expr?
                if acceptSymbol("..") {
                    if !isSymbol("]") { hi = try parseExpression() }
                    try expectSymbol("]")
                    e = Expr(.slice(e, nil, hi), p)
                    continue
                }
                lo = try parseExpression()
                if acceptSymbol("..") {
                    if !isSymbol("]") { hi = try parseExpression() }
                    try expectSymbol("]")
                    e = Expr(.slice(e, lo, hi), p)
                    continue
                }
                try expectSymbol("]")
                e = Expr(.index(e, lo!), p)
            } else if isSymbol(":"), case .identifier = peekToken(1).kind, canTakeLabels(e) {
                var labels: [String] = []
                while acceptSymbol(":") { labels.append(try name("a label")) }
                e = Expr(.hasLabels(e, labels), p)
            } else {
                return e
            }
        }
    }

    func canTakeLabels(_ e: Expr) -> Bool {
        if case .variable = e.kind { return true }
        return false
    }

    func integerLiteral(_ text: String, at token: Token) throws -> CypherValue {
        var digits = text
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
        var radix = 10
        if digits.hasPrefix("0x") { radix = 16; digits.removeFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits.removeFirst(2) }
        else if digits.count > 1 && digits.hasPrefix("0") { radix = 8; digits.removeFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }), let magnitude = UInt64(digits, radix: radix) else {
            if digits.allSatisfy({ $0.isHexDigit }) && !digits.isEmpty && UInt64(digits, radix: radix) == nil && Int(digits, radix: radix) == nil && digits.allSatisfy({ Int(String($0), radix: radix) != nil }) {
                throw error("integer literal \(text) is too large", at: token, code: "IntegerOverflow")
            }
            throw error("invalid integer literal \(text)", at: token, code: "InvalidNumberLiteral")
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            guard magnitude <= UInt64(Int64.max) else { throw error("integer literal \(text) is too large", at: token, code: "IntegerOverflow") }
            return .int(-Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { throw error("integer literal \(text) is too large", at: token, code: "IntegerOverflow") }
        return .int(Int64(magnitude))
    }

    mutating func parseMapLiteral() throws -> Expr {
        let p = current.position
        try expectSymbol("{")
        var entries: [(String, Expr)] = []
        if !isSymbol("}") {
            repeat {
                let key = try name("a map key")
                try expectSymbol(":")
                entries.append((key, try parseExpression()))
            } while acceptSymbol(",")
        }
        try expectSymbol("}")
        return Expr(.map(entries), p)
    }

    mutating func parseAtom() throws -> Expr {
        let token = current
        let p = token.position
        switch token.kind {
        case .integer(let s):
            index += 1
            return Expr(.literal(try integerLiteral(s, at: token)), p)
        case .float(let s):
            index += 1
            guard let d = Double(s), d.isFinite else { throw error("float literal \(s) is out of range", at: token, code: "FloatingPointOverflow") }
            return Expr(.literal(.float(d)), p)
        case .string(let s):
            index += 1
            return Expr(.literal(.string(s)), p)
        case .parameter(let s):
            index += 1
            return Expr(.parameter(s), p)
        case .symbol("["):
            return try parseListOrComprehension()
        case .symbol("{"):
            return try parseMapLiteral()
        case .symbol("("):
            if let pattern = try tryParsePatternPredicate() { return pattern }
            index += 1
            let e = try parseExpression()
            try expectSymbol(")")
            return e
        case .identifier(let word, let quoted):
            let upper = quoted ? "" : word.uppercased()
            if upper == "TRUE" { index += 1; return Expr(.literal(.bool(true)), p) }
            if upper == "FALSE" { index += 1; return Expr(.literal(.bool(false)), p) }
            if upper == "NULL" { index += 1; return Expr(.literal(.null), p) }
            if upper == "CASE" { return try parseCase() }
            if ["ANY", "ALL", "NONE", "SINGLE"].contains(upper), isSymbol("(", 1), case .identifier = peekToken(2).kind, isKeyword("IN", 3) {
                index += 2
                let v = try variableName()
                try expect("IN")
                let list = try parseExpression()
                let pred: Expr? = accept("WHERE") ? try parseExpression() : nil
                try expectSymbol(")")
                return Expr(.quantifier(upper.lowercased(), v, list, pred), p)
            }
            if isSymbol("(", 1) || (isSymbol(".", 1) && isNamespacedCall()) {
                return try parseCall()
            }
            if !quoted && Parser.reserved.contains(upper) {
                throw error("unexpected keyword \(upper) where an expression was expected")
            }
            index += 1
            return Expr(.variable(word), p)
        default:
            throw error("expected an expression but found \(describe(token))")
        }
    }

    /// `a.b.c(` : a namespaced function name.
    func isNamespacedCall() -> Bool {
        var k = 0
        while true {
            guard case .identifier = peekToken(k).kind else { return false }
            if isSymbol("(", k + 1) { return true }
            guard isSymbol(".", k + 1) else { return false }
            k += 2
        }
    }

    mutating func parseCall() throws -> Expr {
        let p = current.position
        var name = try self.name("a function name")
        while acceptSymbol(".") { name += "." + (try self.name("a function name")) }
        try expectSymbol("(")
        let lower = name.lowercased()
        if lower == "count", acceptSymbol("*") {
            try expectSymbol(")")
            return Expr(.countStar, p)
        }
        let distinct = accept("DISTINCT")
        var args: [Expr] = []
        if !isSymbol(")") {
            repeat { args.append(try parseExpression()) } while acceptSymbol(",")
        }
        try expectSymbol(")")
        return Expr(.call(lower, distinct: distinct, args), p)
    }

    mutating func parseCase() throws -> Expr {
        let p = current.position
        index += 1
        var subject: Expr?
        if !isKeyword("WHEN") { subject = try parseExpression() }
        var branches: [(Expr, Expr)] = []
        while accept("WHEN") {
            let w = try parseExpression()
            try expect("THEN")
            branches.append((w, try parseExpression()))
        }
        guard !branches.isEmpty else { throw error("CASE needs at least one WHEN ... THEN") }
        let otherwise: Expr? = accept("ELSE") ? try parseExpression() : nil
        try expect("END")
        return Expr(.caseWhen(subject: subject, branches, otherwise: otherwise), p)
    }

    mutating func parseListOrComprehension() throws -> Expr {
        let p = current.position
        try expectSymbol("[")
        if case .identifier(let v, _) = current.kind, isKeyword("IN", 1) {
            index += 2
            let list = try parseExpression()
            let filter: Expr? = accept("WHERE") ? try parseExpression() : nil
            let map: Expr? = acceptSymbol("|") ? try parseExpression() : nil
            try expectSymbol("]")
            return Expr(.listComprehension(v, list, filter: filter, map: map), p)
        }
        var items: [Expr] = []
        if !isSymbol("]") {
            repeat { items.append(try parseExpression()) } while acceptSymbol(",")
        }
        try expectSymbol("]")
        return Expr(.list(items), p)
    }

    /// `(a)-[:R]->(b)` inside an expression: a pattern predicate. Backtracks (returns
    /// nil) when the parenthesis turns out to be an ordinary parenthesized expression.
    mutating func tryParsePatternPredicate() throws -> Expr? {
        let save = index
        let p = current.position
        guard let part = try? parsePatternChain(), !part.relationships.isEmpty else {
            index = save
            return nil
        }
        return Expr(.pattern(part), p)
    }
}
