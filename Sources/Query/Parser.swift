import LexgraphCore

/// Recursive-descent parser from tokens to `QueryAST`. Never traps on any input: every
/// problem is a `QueryError` (kind `.syntax`) at the offending token. The text's length,
/// the nesting of brackets and the height of every expression tree are capped
/// (`QueryLimits`), so hostile input can exhaust neither memory nor the stack of any
/// later pass.
public struct Parser {
    let source: String
    let chars: [Character]
    var tokens: [Token]
    var index = 0
    var depth = 0
    let limits: QueryLimits
    /// Inside a pattern predicate attempt that may backtrack (`tryParsePatternPredicate`),
    /// whose errors are discarded: they skip the caret snippet, which costs a pass over the
    /// line (at every bracket level of `((((...` on a megabyte-long line).
    var speculating = 0
    var snippetSource: String? { speculating > 0 ? nil : source }

    public init(_ source: String, limits: QueryLimits = QueryLimits()) throws {
        try Parser.checkLength(source, limits)
        self.source = source
        self.limits = limits
        var lexer = Lexer(source)
        self.tokens = try lexer.tokenize()
        self.chars = lexer.chars
    }

    public static func parse(_ source: String, limits: QueryLimits = QueryLimits()) throws -> QueryAST {
        var parser = try Parser(source, limits: limits)
        return try parser.parseQuery()
    }

    /// Refuses text longer than `limits.maxQueryLength` bytes, at the first character past it.
    static func checkLength(_ source: String, _ limits: QueryLimits) throws {
        let bytes = source.utf8.count
        guard bytes > limits.maxQueryLength else { return }
        var line = 1, column = 1, seen = 0
        for c in source {
            seen += c.utf8.count
            if seen > limits.maxQueryLength { break }
            if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
        }
        throw QueryError(.syntax, "QueryTooLong",
                         "the query is \(bytes) bytes long, more than the limit of \(limits.maxQueryLength) (QueryLimits.maxQueryLength, --max-query-length)",
                         at: SourcePosition(line: line, column: column))
    }

    /// An expression node, refused when its tree grows past `limits.maxExpressionDepth`.
    /// This and the other helpers marked `@inline(never)` stay out of the recursive
    /// functions, whose frames every nesting level pays for.
    @inline(never)
    func node(_ kind: Expr.Kind, _ position: SourcePosition) throws -> Expr {
        let e = Expr(kind, position)
        if e.height > limits.maxExpressionDepth { throw tooDeep(at: position) }
        return e
    }

    @inline(never)
    func tooDeep(at position: SourcePosition? = nil) -> QueryError {
        QueryError(.syntax, "ExpressionTooDeep",
                   "expression nested too deeply: more than \(limits.maxExpressionDepth) levels (an operator chain counts one level per operator; QueryLimits.maxExpressionDepth, --max-expression-depth)",
                   at: position ?? current.position, in: snippetSource)
    }

    /// Enters one level of bracket/operator nesting (parser recursion).
    mutating func enter() throws {
        guard depth < limits.maxExpressionDepth else { throw tooDeep() }
        depth += 1
    }

    // MARK: Token helpers

    var current: Token { tokens[min(index, tokens.count - 1)] }
    func peekToken(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    @inline(never)
    func error(_ message: String, at token: Token? = nil, code: String = "UnexpectedSyntax") -> QueryError {
        QueryError(.syntax, code, message, at: (token ?? current).position, in: snippetSource)
    }

    @inline(never)
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

    @inline(never)
    func isKeyword(_ word: String, _ offset: Int = 0) -> Bool {
        if case .identifier(let s, let quoted) = peekToken(offset).kind, !quoted { return s.uppercased() == word }
        return false
    }

    func isSymbol(_ s: String, _ offset: Int = 0) -> Bool {
        if case .symbol(let t) = peekToken(offset).kind { return t == s }
        return false
    }

    @inline(never)
    mutating func accept(_ word: String) -> Bool {
        if isKeyword(word) { index += 1; return true }
        return false
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        if isSymbol(s) { index += 1; return true }
        return false
    }

    @inline(never)
    mutating func expect(_ word: String) throws {
        guard accept(word) else { throw error("expected \(word) but found \(describe(current))") }
    }

    @inline(never)
    mutating func expectSymbol(_ s: String) throws {
        guard acceptSymbol(s) else { throw error("expected '\(s)' but found \(describe(current))") }
    }

    @inline(never)
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

    /// `AS OF 'date'` ahead: the query's date, not an alias named OF
    /// (`RETURN citator(c).level AS OF '1960-01-01'`).
    func isAsOfClause() -> Bool {
        guard isKeyword("AS"), isKeyword("OF", 1) else { return false }
        if case .string = peekToken(2).kind { return true }
        return false
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

    @inline(never)
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
            if !isAsOfClause(), accept("AS") { alias = try variableName() }
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
            if isSymbol("..") {
                throw error("a variable-length relationship needs '*' before its bounds (`*1..3`)", code: "InvalidRelationshipPattern")
            }
            if acceptSymbol("*") {
                if isSymbol("-") { throw error("a path length cannot be negative", code: "InvalidRelationshipPattern") }
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

    // MARK: Expressions

    public mutating func parseExpression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        return try parseOperators(Precedence.or)
    }

    /// Binding strength of the operators, loosest first. `NOT` is a prefix operator
    /// between AND and the comparisons (`NOT a = b` is `NOT (a = b)`); comparisons chain
    /// (`a < b < c` is `a < b AND b < c`); every binary operator is left-associative.
    enum Precedence {
        static let or = 1, xor = 2, and = 3, not = 4, comparison = 5, predicate = 6, additive = 7, multiplicative = 8, power = 9
    }

    /// The binary operator at the current token and its precedence (nil: none).
    @inline(never)
    func binaryOperator() -> (op: BinaryOp?, precedence: Int)? {
        switch current.kind {
        case .identifier(let word, false):
            switch word.uppercased() {
            case "OR": return (.or, Precedence.or)
            case "XOR": return (.xor, Precedence.xor)
            case "AND": return (.and, Precedence.and)
            case "STARTS": return isKeyword("WITH", 1) ? (.startsWith, Precedence.predicate) : nil
            case "ENDS": return isKeyword("WITH", 1) ? (.endsWith, Precedence.predicate) : nil
            case "CONTAINS": return (.contains, Precedence.predicate)
            case "IN": return (.in, Precedence.predicate)
            case "IS": return (nil, Precedence.predicate)
            default: return nil
            }
        case .symbol(let s):
            switch s {
            case "=~": return (.regex, Precedence.predicate)
            case "+": return (.add, Precedence.additive)
            case "-": return (.sub, Precedence.additive)
            case "*": return (.mul, Precedence.multiplicative)
            case "/": return (.div, Precedence.multiplicative)
            case "%": return (.mod, Precedence.multiplicative)
            case "^": return (.pow, Precedence.power)
            default: return comparisonOp().map { ($0, Precedence.comparison) }
            }
        default: return nil
        }
    }

    /// Precedence climbing: the operands of a chain are parsed in a loop, so a chain of n
    /// operators costs no stack, and each bracket level costs a handful of frames (one
    /// function per precedence level cost fourteen: 12 KB a level).
    mutating func parseOperators(_ minimum: Int) throws -> Expr {
        var left: Expr
        if minimum <= Precedence.not, isKeyword("NOT") {
            let p = current.position
            index += 1
            try enter()
            defer { depth -= 1 }
            left = try node(.unary(.not, try parseOperators(Precedence.not)), p)
        } else {
            left = try parseUnary()
        }
        while let (op, precedence) = binaryOperator(), precedence >= minimum {
            let p = current.position
            switch precedence {
            case Precedence.comparison:
                left = try parseComparisonChain(left)
            case Precedence.predicate where op == nil:
                index += 1
                let negated = accept("NOT")
                try expect("NULL")
                left = try node(.isNull(left, negated: negated), p)
            case Precedence.power:
                index += 1
                left = try node(.binary(.pow, left, try parseUnary()), p)
            default:
                index += (op == .startsWith || op == .endsWith) ? 2 : 1
                left = try node(.binary(op!, left, try parseOperators(precedence + 1)), p)
            }
        }
        return left
    }

    func comparisonOp() -> BinaryOp? {
        guard case .symbol(let s) = current.kind else { return nil }
        switch s {
        case "=": return .eq
        case "<>", "!=": return .ne
        // `<-[` and `<--` are arrows of a pattern, `< -1` a comparison.
        case "<": return isSymbol("-", 1) && (isSymbol("[", 2) || isSymbol("-", 2)) ? nil : .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }

    /// `a < b < c` means `a < b AND b < c`.
    mutating func parseComparisonChain(_ first: Expr) throws -> Expr {
        var result: Expr?
        var left = first
        while let op = comparisonOp() {
            let p = current.position
            index += 1
            let right = try parseOperators(Precedence.predicate)
            let cmp = try node(.binary(op, left, right), p)
            result = try result.map { try node(.binary(.and, $0, cmp), p) } ?? cmp
            left = right
        }
        return result ?? first
    }

    mutating func parseUnary() throws -> Expr {
        let p = current.position
        if acceptSymbol("-") {
            try enter()
            defer { depth -= 1 }
            if let folded = try negativeLiteral(p) { return folded }
            return try node(.unary(.minus, try parseUnary()), p)
        }
        if acceptSymbol("+") {
            try enter()
            defer { depth -= 1 }
            return try node(.unary(.plus, try parseUnary()), p)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws -> Expr {
        var e = try parseAtom()
        while true {
            let p = current.position
            if acceptSymbol(".") {
                e = try node(.property(e, try name("a property name")), p)
            } else if isSymbol("[") {
                e = try parseSubscript(e)
            } else if isSymbol(":"), case .identifier = peekToken(1).kind, canTakeLabels(e) {
                var labels: [String] = []
                while acceptSymbol(":") { labels.append(try name("a label")) }
                e = try node(.hasLabels(e, labels), p)
            } else {
                return e
            }
        }
    }

    /// `e[i]`, `e[lo..hi]`, `e[..hi]`, `e[lo..]`.
    /// Folds `-<integer literal>` so that -9223372036854775808 is representable (the
    /// `-` is already read); nil when the integer is not alone.
    @inline(never)
    mutating func negativeLiteral(_ p: SourcePosition) throws -> Expr? {
        guard case .integer(let s) = current.kind else { return nil }
        let save = index
        index += 1
        if !isSymbol(".") && !isSymbol("[") && !isSymbol("^") {
            return try node(.literal(try integerLiteral("-" + s, at: tokens[save])), p)
        }
        index = save
        return nil
    }

    @inline(never)
    mutating func parseSubscript(_ e: Expr) throws -> Expr {
        let p = current.position
        try expectSymbol("[")
        var lo: Expr?, hi: Expr?
        if acceptSymbol("..") {
            if !isSymbol("]") { hi = try parseExpression() }
            try expectSymbol("]")
            return try node(.slice(e, nil, hi), p)
        }
        lo = try parseExpression()
        if acceptSymbol("..") {
            if !isSymbol("]") { hi = try parseExpression() }
            try expectSymbol("]")
            return try node(.slice(e, lo, hi), p)
        }
        try expectSymbol("]")
        return try node(.index(e, lo!), p)
    }

    func canTakeLabels(_ e: Expr) -> Bool {
        if case .variable = e.kind { return true }
        return false
    }

    @inline(never)
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

    @inline(never)
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
        return try node(.map(entries), p)
    }

    /// A thin dispatcher: every branch lives in its own function that is never inlined,
    /// so that the frame a bracket level pays for here stays small.
    mutating func parseAtom() throws -> Expr {
        switch current.kind {
        case .symbol("["): return try parseListOrComprehension()
        case .symbol("{"): return try parseMapLiteral()
        case .symbol("("): return try parseParenthesized()
        case .identifier: return try parseNamedAtom()
        default: return try parseLiteral()
        }
    }

    @inline(never)
    mutating func parseLiteral() throws -> Expr {
        let token = current
        let p = token.position
        switch token.kind {
        case .integer(let s):
            index += 1
            return try node(.literal(try integerLiteral(s, at: token)), p)
        case .float(let s):
            index += 1
            guard let d = Double(s), d.isFinite else { throw error("float literal \(s) is out of range", at: token, code: "FloatingPointOverflow") }
            return try node(.literal(.float(d)), p)
        case .string(let s):
            index += 1
            return try node(.literal(.string(s)), p)
        case .parameter(let s):
            index += 1
            return try node(.parameter(s), p)
        default:
            throw error("expected an expression but found \(describe(token))")
        }
    }

    @inline(never)
    mutating func parseParenthesized() throws -> Expr {
        if let pattern = try tryParsePatternPredicate() { return pattern }
        index += 1
        let e = try parseExpression()
        try expectSymbol(")")
        return e
    }

    /// A name: a keyword literal, CASE, a quantifier, a function call or a variable.
    @inline(never)
    mutating func parseNamedAtom() throws -> Expr {
        let token = current
        let p = token.position
        guard case .identifier(let word, let quoted) = token.kind else { return try parseLiteral() }
        let upper = quoted ? "" : word.uppercased()
        if upper == "TRUE" { index += 1; return try node(.literal(.bool(true)), p) }
        if upper == "FALSE" { index += 1; return try node(.literal(.bool(false)), p) }
        if upper == "NULL" { index += 1; return try node(.literal(.null), p) }
        if upper == "CASE" { return try parseCase() }
        if ["ANY", "ALL", "NONE", "SINGLE"].contains(upper), isSymbol("(", 1), case .identifier = peekToken(2).kind, isKeyword("IN", 3) {
            return try parseQuantifier(upper.lowercased())
        }
        if isSymbol("(", 1) || (isSymbol(".", 1) && isNamespacedCall()) {
            return try parseCall()
        }
        if !quoted && Parser.reserved.contains(upper) {
            throw error("unexpected keyword \(upper) where an expression was expected")
        }
        index += 1
        return try node(.variable(word), p)
    }

    /// `any/all/none/single(x IN list WHERE pred)`.
    @inline(never)
    mutating func parseQuantifier(_ kind: String) throws -> Expr {
        let p = current.position
        index += 2
        let v = try variableName()
        try expect("IN")
        let list = try parseExpression()
        let pred: Expr? = accept("WHERE") ? try parseExpression() : nil
        try expectSymbol(")")
        return try node(.quantifier(kind, v, list, pred), p)
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

    @inline(never)
    mutating func parseCall() throws -> Expr {
        let p = current.position
        var name = try self.name("a function name")
        while acceptSymbol(".") { name += "." + (try self.name("a function name")) }
        try expectSymbol("(")
        let lower = name.lowercased()
        if lower == "count", acceptSymbol("*") {
            try expectSymbol(")")
            return try node(.countStar, p)
        }
        let distinct = accept("DISTINCT")
        var args: [Expr] = []
        if !isSymbol(")") {
            repeat { args.append(try parseExpression()) } while acceptSymbol(",")
        }
        try expectSymbol(")")
        return try node(.call(lower, distinct: distinct, args), p)
    }

    @inline(never)
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
        return try node(.caseWhen(subject: subject, branches, otherwise: otherwise), p)
    }

    @inline(never)
    mutating func parseListOrComprehension() throws -> Expr {
        let p = current.position
        try expectSymbol("[")
        if case .identifier(let v, _) = current.kind, isKeyword("IN", 1) { return try parseComprehension(v, p) }
        var items: [Expr] = []
        if !isSymbol("]") {
            repeat { items.append(try parseExpression()) } while acceptSymbol(",")
        }
        try expectSymbol("]")
        return try node(.list(items), p)
    }

    /// `[v IN list WHERE filter | map]`, after its `[`.
    @inline(never)
    mutating func parseComprehension(_ v: String, _ p: SourcePosition) throws -> Expr {
        index += 2
        let list = try parseExpression()
        let filter: Expr? = accept("WHERE") ? try parseExpression() : nil
        let map: Expr? = acceptSymbol("|") ? try parseExpression() : nil
        try expectSymbol("]")
        return try node(.listComprehension(v, list, filter: filter, map: map), p)
    }

    /// `(a)-[:R]->(b)` inside an expression: a pattern predicate. Backtracks (returns
    /// nil) when the parenthesis turns out to be an ordinary parenthesized expression.
    @inline(never)
    mutating func tryParsePatternPredicate() throws -> Expr? {
        let save = index, savedDepth = depth
        let p = current.position
        speculating += 1
        let attempt = try? parsePatternChain()
        speculating -= 1
        guard let part = attempt, !part.relationships.isEmpty else {
            index = save
            depth = savedDepth
            return nil
        }
        return try node(.pattern(part), p)
    }
}
